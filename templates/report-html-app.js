// The HTML report's script (inlined by src/report/render-html.ts). It reads the data blob and
// builds the host × control matrix, drawing only the rows in view, the filters, and the per-cell,
// per-control and per-host views. Text goes into the page only as text nodes and attribute
// values (never as markup), and nothing here asks the network for anything.
(() => {
  "use strict";

  const $ = (id) => document.getElementById(id);

  /** An element with attributes (class, text and plain ones) and children (nodes or text). */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    if (attributes) {
      for (const [name, value] of Object.entries(attributes)) {
        if (value === null || value === undefined || value === false) continue;
        if (name === "class") node.className = value;
        else node.setAttribute(name, value === true ? "" : String(value));
      }
    }
    for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
    return node;
  }

  let data;
  try {
    data = JSON.parse($("fleet-report-data").textContent);
  } catch (error) {
    const explorer = $("explorer");
    explorer.replaceWith(el("p", { class: "load-error", role: "alert" }, "The report's data could not be read: " + String(error)));
    throw error;
  }

  const statuses = data.statuses;
  const strings = data.strings;
  const controls = data.controls;
  const hosts = data.hosts;
  const MISSING = { status: "missing", code: "-", label: "no result", symbol: "·" };
  const byCode = new Map(statuses.map((status) => [status.code, status]));
  const statusOf = (code) => byCode.get(code) || MISSING;
  const codeAt = (hostIndex, controlIndex) => hosts[hostIndex].cells.charAt(controlIndex) || "-";
  const text = (index) => (typeof index === "number" && index >= 0 && index < strings.length ? strings[index] : null);
  const RANK = { f: 0, e: 1, w: 2, p: 3, n: 4, "-": 5 };
  const OVERSCAN = 8;
  let rowHeight = parseFloat(getComputedStyle(document.documentElement).getPropertyValue("--row")) || 28;
  let rowHeightChecked = false;

  const filters = { status: $("f-status"), severity: $("f-severity"), group: $("f-group"), cluster: $("f-cluster"), search: $("f-search"), sort: $("f-sort") };
  const scroller = $("matrix-scroll");
  const matrix = $("matrix");
  const head = $("matrix-head");
  const body = $("matrix-body");
  const detail = $("detail");
  const detailTitle = $("detail-title");
  const detailBody = $("detail-body");

  // ---- filters ----------------------------------------------------------------------------

  for (const group of [...new Set(hosts.flatMap((host) => host.groups))].sort()) filters.group.append(el("option", { value: "g:" + group }, group));
  if (hosts.some((host) => host.cluster === null)) filters.cluster.append(el("option", { value: "none" }, "(not in a cluster)"));
  for (const cluster of [...new Set(hosts.flatMap((host) => (host.cluster === null ? [] : [host.cluster])))].sort()) filters.cluster.append(el("option", { value: "c:" + cluster }, cluster));

  /** What is shown: indexes of hosts (rows, in order) and controls (columns), and the status filter. */
  let view = { hosts: [], controls: [], status: "" };

  function computeView() {
    const status = filters.status.value;
    const severity = filters.severity.value;
    const group = filters.group.value;
    const cluster = filters.cluster.value;
    const query = filters.search.value.trim().toLowerCase();

    let shownControls = [];
    for (let index = 0; index < controls.length; index++) if (severity === "" || controls[index].severity === severity) shownControls.push(index);
    let shownHosts = [];
    for (let index = 0; index < hosts.length; index++) {
      const host = hosts[index];
      if (group !== "" && !host.groups.includes(group.slice(2))) continue;
      if (cluster === "none" ? host.cluster !== null : cluster !== "" && host.cluster !== cluster.slice(2)) continue;
      shownHosts.push(index);
    }
    if (query !== "") {
      // The query narrows whichever of hosts (by name) and controls (by id) it matches.
      const matchingControls = shownControls.filter((index) => controls[index].id.toLowerCase().includes(query));
      const matchingHosts = shownHosts.filter((index) => hosts[index].name.toLowerCase().includes(query));
      if (matchingControls.length > 0) shownControls = matchingControls;
      if (matchingHosts.length > 0 || matchingControls.length === 0) shownHosts = matchingHosts;
    }
    if (status !== "") {
      shownHosts = shownHosts.filter((hostIndex) => shownControls.some((controlIndex) => codeAt(hostIndex, controlIndex) === status));
      shownControls = shownControls.filter((controlIndex) => shownHosts.some((hostIndex) => codeAt(hostIndex, controlIndex) === status));
    }
    const order = filters.sort.value;
    const failures = (index) => hosts[index].counts.fail + hosts[index].counts.error;
    if (order === "score") shownHosts.sort((a, b) => hosts[a].score - hosts[b].score || a - b);
    else if (order === "failures") shownHosts.sort((a, b) => failures(b) - failures(a) || a - b);
    else if (order === "name") shownHosts.sort((a, b) => hosts[a].name.localeCompare(hosts[b].name, undefined, { numeric: true }) || a - b);
    view = { hosts: shownHosts, controls: shownControls, status };
  }

  function describeView() {
    const status = view.status === "" ? "" : ` with a ${statusOf(view.status).label} result`;
    $("shown").textContent = `Showing ${view.hosts.length} of ${hosts.length} hosts × ${view.controls.length} of ${controls.length} controls${status}.`;
  }

  // ---- the matrix: only the rows in view are in the document --------------------------------

  let drawn = { first: -1, last: -1 };
  let selected = null;

  function drawHead() {
    const cells = [el("th", { class: "corner", scope: "col" }, "Host")];
    for (const controlIndex of view.controls) {
      const control = controls[controlIndex];
      cells.push(el("th", { scope: "col" }, el("button", { type: "button", class: "col-head sev-" + control.severity, "data-control": controlIndex, title: `${control.id}: ${control.title} (${control.severity})`, "aria-label": `Control ${control.id}: ${control.title}, severity ${control.severity}` }, control.id)));
    }
    cells.push(el("th", { class: "score-col", scope: "col" }, "Score"));
    head.replaceChildren(...cells);
  }

  function spacer(height) {
    const row = el("tr", { class: "spacer", "aria-hidden": "true" }, el("td", { colspan: view.controls.length + 2 }));
    row.style.height = `${height}px`;
    return row;
  }

  function cellLabel(host, control, status) {
    return `${host.name} · ${control.id} (${control.title}): ${status.label}`;
  }

  function drawRow(hostIndex) {
    const host = hosts[hostIndex];
    const row = el("tr", { class: "row" });
    row.append(el("th", { scope: "row" }, el("button", { type: "button", class: "host-button", "data-host": hostIndex, title: `${host.name}: score ${host.score.toFixed(1)}${host.cluster === null ? "" : `, cluster ${host.cluster}`}` }, host.name)));
    for (const controlIndex of view.controls) {
      const code = codeAt(hostIndex, controlIndex);
      const status = statusOf(code);
      const label = cellLabel(host, controls[controlIndex], status);
      const isSelected = selected !== null && selected.host === hostIndex && selected.control === controlIndex;
      const classes = `cell s-${code === "-" ? "missing" : code}${view.status !== "" && code !== view.status ? " dim" : ""}${isSelected ? " selected" : ""}`;
      row.append(el("td", null, el("button", { type: "button", class: classes, "data-host": hostIndex, "data-control": controlIndex, title: label, "aria-label": label, "aria-current": isSelected ? "true" : null }, status.symbol)));
      // drift:begin
      markDrift(row.lastChild.firstChild, hostIndex, controlIndex);
      // drift:end
    }
    row.append(el("td", { class: "score-cell" }, host.score.toFixed(1)));
    return row;
  }

  function drawRows(force) {
    const count = view.hosts.length;
    if (count === 0 || view.controls.length === 0) {
      drawn = { first: 0, last: 0 };
      body.replaceChildren(el("tr", null, el("td", { class: "empty", colspan: view.controls.length + 2 }, hosts.length === 0 ? "The report has no hosts." : "No host and control match the filters.")));
      return;
    }
    const headHeight = matrix.tHead ? matrix.tHead.offsetHeight : 0;
    const top = Math.max(0, scroller.scrollTop - headHeight);
    const inView = Math.ceil((scroller.clientHeight || window.innerHeight) / rowHeight) + 1;
    const first = Math.max(0, Math.min(count - 1, Math.floor(top / rowHeight) - OVERSCAN));
    const last = Math.min(count, first + inView + 2 * OVERSCAN);
    if (!force && first === drawn.first && last === drawn.last) return;
    drawn = { first, last };
    const rows = [spacer(first * rowHeight)];
    for (let position = first; position < last; position++) rows.push(drawRow(view.hosts[position]));
    rows.push(spacer((count - last) * rowHeight));
    body.replaceChildren(...rows);
    if (!rowHeightChecked) {
      // The spacers stand for rows of the height the rows really have.
      rowHeightChecked = true;
      const measured = rows[1].getBoundingClientRect().height;
      if (measured > 0 && Math.abs(measured - rowHeight) > 0.5) {
        rowHeight = measured;
        drawRows(true);
      }
    }
  }

  let frame = 0;
  scroller.addEventListener("scroll", () => {
    if (frame !== 0) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      drawRows(false);
    });
  });
  window.addEventListener("resize", () => drawRows(false));

  function markSelected() {
    for (const button of body.querySelectorAll("button.cell.selected")) {
      button.classList.remove("selected");
      button.removeAttribute("aria-current");
    }
    if (selected === null) return;
    const button = body.querySelector(`button.cell[data-host="${selected.host}"][data-control="${selected.control}"]`);
    if (button) {
      button.classList.add("selected");
      button.setAttribute("aria-current", "true");
    }
  }

  /** Scrolls so that the row at a position of the view is drawn, and returns its cell for a control. */
  function cellButton(position, controlIndex) {
    const rowTop = position * rowHeight + (matrix.tHead ? matrix.tHead.offsetHeight : 0);
    const headHeight = matrix.tHead ? matrix.tHead.offsetHeight : 0;
    if (rowTop < scroller.scrollTop + headHeight) scroller.scrollTop = rowTop - headHeight;
    else if (rowTop + rowHeight > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = rowTop + rowHeight - scroller.clientHeight;
    drawRows(false);
    return body.querySelector(`button.cell[data-host="${view.hosts[position]}"][data-control="${controlIndex}"]`);
  }

  // Arrow keys move between the cells of the matrix.
  body.addEventListener("keydown", (event) => {
    const button = event.target.closest ? event.target.closest("button.cell") : null;
    if (!button) return;
    const hostIndex = Number(button.dataset.host);
    const controlIndex = Number(button.dataset.control);
    let position = view.hosts.indexOf(hostIndex);
    let column = view.controls.indexOf(controlIndex);
    if (event.key === "ArrowDown") position = Math.min(view.hosts.length - 1, position + 1);
    else if (event.key === "ArrowUp") position = Math.max(0, position - 1);
    else if (event.key === "ArrowRight") column = Math.min(view.controls.length - 1, column + 1);
    else if (event.key === "ArrowLeft") column = Math.max(0, column - 1);
    else if (event.key === "Home") column = 0;
    else if (event.key === "End") column = view.controls.length - 1;
    else return;
    event.preventDefault();
    const target = cellButton(position, view.controls[column]);
    if (target) target.focus();
  });

  // ---- details: a cell, a control, a host ---------------------------------------------------

  function badge(code) {
    const status = statusOf(code);
    return el("span", { class: `badge s-${code === "-" ? "missing" : code}`, "aria-hidden": "true" }, status.symbol);
  }

  function statusText(code) {
    return el("span", { class: "status" }, badge(code), " " + statusOf(code).label);
  }

  function value(textValue) {
    return textValue === null ? el("span", { class: "none" }, "none") : el("pre", null, textValue);
  }

  function countsLine(counts) {
    const line = el("span", { class: "counts-line" });
    for (const status of statuses) line.append(el("span", { class: "count" }, badge(status.code), ` ${counts[status.status]} ${status.label}`));
    return line;
  }

  function pairs(list) {
    const dl = el("dl");
    for (const [term, description, field] of list) dl.append(el("dt", null, term), el("dd", field ? { "data-field": field } : null, description));
    return dl;
  }

  function show(title, ...content) {
    detailTitle.textContent = title;
    detailBody.replaceChildren(...content);
    detail.scrollTop = 0;
  }

  function announce(message) {
    $("announce").textContent = message;
  }

  function actionButton(label, attributes) {
    return el("button", { type: "button", ...attributes }, label);
  }

  function showCell(hostIndex, controlIndex) {
    const host = hosts[hostIndex];
    const control = controls[controlIndex];
    const code = codeAt(hostIndex, controlIndex);
    const texts = Array.isArray(host.details[controlIndex]) ? host.details[controlIndex] : [];
    const list = [
      ["Status", statusText(code), "status"],
      ["Severity", el("span", { class: "sev sev-" + control.severity }, control.severity)],
      ["Expected", value(text(texts[0])), "expected"],
      ["Actual", value(text(texts[1])), "actual"],
      ["Message", value(text(texts[2])), "message"],
    ];
    if (code === "w" || texts.length > 3) {
      const justification = text(texts[3]);
      const expires = text(texts[4]);
      list.push(["Waiver", el("div", null, el("p", null, justification === null ? "(no justification given)" : justification), el("p", { class: "hint" }, expires === null ? "does not expire" : "expires " + expires)), "waiver"]);
    }
    selected = { host: hostIndex, control: controlIndex };
    markSelected();
    show(`${host.name} · ${control.id}`, el("p", null, control.title), pairs(list), el("div", { class: "actions" }, actionButton(`Control ${control.id}`, { "data-control": controlIndex }), actionButton(`Host ${host.name}`, { "data-host": hostIndex })));
    detail.dataset.view = "cell";
    announce(`${host.name}, ${control.id}: ${statusOf(code).label}. Details shown.`);
  }

  function showControl(controlIndex) {
    const control = controls[controlIndex];
    const failing = [];
    for (let hostIndex = 0; hostIndex < hosts.length; hostIndex++) {
      const code = codeAt(hostIndex, controlIndex);
      if (code === "f" || code === "e") failing.push(hostIndex);
    }
    const expectedOn = (hostIndex) => {
      const texts = hosts[hostIndex].details[controlIndex];
      return Array.isArray(texts) ? text(texts[0]) : null;
    };
    const expectedValues = new Set(failing.map(expectedOn));
    const list = [
      ["Severity", el("span", { class: "sev sev-" + control.severity }, control.severity)],
      ["Scope", control.scope],
      ["Section", control.section === null ? el("span", { class: "none" }, "none") : control.section],
      ["Fix", control.fix === null ? el("span", { class: "none" }, "none") : control.fix + (control.fixVar === null ? "" : ` (when ${control.fixVar} is true)`)],
      ["Results", countsLine(control.counts)],
    ];
    if (expectedValues.size === 1 && !expectedValues.has(null)) list.push(["Expected", value([...expectedValues][0]), "expected"]);
    const content = [el("p", null, control.title), pairs(list)];
    content.push(el("h3", null, "Rationale"), control.rationale === null ? el("p", { class: "none" }, "none given") : el("p", null, control.rationale));
    content.push(el("h3", null, "Remediation"), control.remediation === "" ? el("p", { class: "none" }, "none given") : el("p", null, control.remediation));
    content.push(el("h3", null, `Failing hosts (${failing.length})`));
    if (failing.length === 0) content.push(el("p", { class: "none" }, "No host fails or errs on this control."));
    else {
      const rows = failing.map((hostIndex) => {
        const texts = Array.isArray(hosts[hostIndex].details[controlIndex]) ? hosts[hostIndex].details[controlIndex] : [];
        return el("tr", null, el("td", null, el("button", { type: "button", "data-host": hostIndex, "data-control": controlIndex, "data-open": "cell" }, hosts[hostIndex].name)), el("td", null, statusText(codeAt(hostIndex, controlIndex))), el("td", null, value(text(texts[1]))), el("td", null, text(texts[2]) || ""));
      });
      content.push(el("table", { class: "failing" }, el("thead", null, el("tr", null, el("th", { scope: "col" }, "Host"), el("th", { scope: "col" }, "Status"), el("th", { scope: "col" }, "Actual"), el("th", { scope: "col" }, "Message"))), el("tbody", null, ...rows)));
    }
    show(`${control.id}`, ...content);
    detail.dataset.view = "control";
    announce(`Control ${control.id}: ${failing.length} failing hosts. Details shown.`);
  }

  function showHost(hostIndex) {
    const host = hosts[hostIndex];
    const list = [
      ["Cluster", host.cluster === null ? el("span", { class: "none" }, "none") : host.cluster],
      ["Groups", host.groups.length === 0 ? el("span", { class: "none" }, "none") : host.groups.join(", ")],
      ["Run status", host.status],
    ];
    if (host.error !== null) list.push(["Error", value(host.error)]);
    list.push(["Score", host.score.toFixed(1)], ["Results", countsLine(host.counts)], ["Connection", `${host.execs} round trips, ${(host.durationMs / 1000).toFixed(1)} s`]);
    const order = controls.map((_, index) => index).sort((a, b) => RANK[codeAt(hostIndex, a)] - RANK[codeAt(hostIndex, b)] || a - b);
    const rows = order.map((controlIndex) => {
      const control = controls[controlIndex];
      const code = codeAt(hostIndex, controlIndex);
      const texts = Array.isArray(host.details[controlIndex]) ? host.details[controlIndex] : [];
      const justification = text(texts[3]);
      return el("tr", null,
        el("td", null, el("button", { type: "button", "data-host": hostIndex, "data-control": controlIndex, "data-open": "cell", title: control.title }, control.id)),
        el("td", null, el("span", { class: "sev sev-" + control.severity }, control.severity)),
        el("td", null, statusText(code)),
        el("td", null, value(text(texts[0]))),
        el("td", null, value(text(texts[1]))),
        el("td", null, (text(texts[2]) || "") + (justification === null ? "" : ` (waiver: ${justification})`)));
    });
    const table = el("table", { class: "host-controls" }, el("thead", null, el("tr", null, ...["Control", "Severity", "Status", "Expected", "Actual", "Message"].map((name) => el("th", { scope: "col" }, name)))), el("tbody", null, ...rows));
    show(host.name, pairs(list), el("h3", null, "Controls"), table);
    detail.dataset.view = "host";
    announce(`Host ${host.name}: score ${host.score.toFixed(1)}. Details shown.`);
  }

  matrix.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.classList.contains("cell")) showCell(Number(button.dataset.host), Number(button.dataset.control));
    else if (button.classList.contains("host-button")) showHost(Number(button.dataset.host));
    else if (button.classList.contains("col-head")) showControl(Number(button.dataset.control));
  });

  function openFrom(button) {
    const hasHost = button.dataset.host !== undefined;
    const hasControl = button.dataset.control !== undefined;
    if (hasHost && hasControl && button.dataset.open === "cell") showCell(Number(button.dataset.host), Number(button.dataset.control));
    else if (hasHost) showHost(Number(button.dataset.host));
    else if (hasControl) showControl(Number(button.dataset.control));
  }

  detailBody.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (button) openFrom(button);
  });

  // ---- the list of controls ------------------------------------------------------------------

  const controlListBody = $("control-list-body");

  function drawControlList() {
    const rows = view.controls.map((controlIndex) => {
      const control = controls[controlIndex];
      const counts = { p: 0, f: 0, e: 0, w: 0, n: 0, "-": 0 };
      for (const hostIndex of view.hosts) counts[codeAt(hostIndex, controlIndex)] += 1;
      return el("tr", null,
        el("td", null, el("button", { type: "button", "data-control": controlIndex, class: "mono" }, control.id)),
        el("td", null, control.title),
        el("td", null, el("span", { class: "sev sev-" + control.severity }, control.severity)),
        el("td", null, control.section === null ? "" : control.section),
        ...statuses.map((status) => el("td", { class: "num" }, String(counts[status.code]))));
    });
    if (rows.length === 0) rows.push(el("tr", null, el("td", { colspan: 4 + statuses.length, class: "empty" }, "No control matches the filters.")));
    controlListBody.replaceChildren(...rows);
  }

  controlListBody.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (button) openFrom(button);
  });

  // ---- tabs -----------------------------------------------------------------------------------

  const tabs = [$("tab-matrix"), $("tab-controls")];
  function selectTab(tab) {
    for (const other of tabs) {
      const isSelected = other === tab;
      other.setAttribute("aria-selected", String(isSelected));
      other.tabIndex = isSelected ? 0 : -1;
      $(other.getAttribute("aria-controls")).hidden = !isSelected;
    }
    if (tab.id === "tab-controls") drawControlList();
    else drawRows(true);
  }
  for (const tab of tabs) {
    tab.addEventListener("click", () => selectTab(tab));
    tab.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      event.preventDefault();
      const next = tabs[(tabs.indexOf(tab) + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
      next.focus();
      selectTab(next);
    });
  }

  // drift:begin
  // ---- the drift since an earlier report: its lists, and its marks in the matrix -------------

  const drift = data.drift || { newlyFailing: [], fixed: [] };
  const DRIFT = {
    newlyFailing: { kind: "new", symbol: "▲", label: "newly failing", title: "Newly failing" },
    fixed: { kind: "fixed", symbol: "▼", label: "fixed", title: "Fixed" },
  };
  /** Rows of a list drawn at first, and added by each "Show more". */
  const DRIFT_PAGE = 50;
  const isIndex = (value, length) => Number.isInteger(value) && value >= 0 && value < length;
  /** The change of a cell (by hostIndex * controls.length + controlIndex) this page lists. */
  const driftCells = new Map();
  for (const category of Object.keys(DRIFT)) {
    for (const change of drift[category]) {
      if (isIndex(change[0], hosts.length) && isIndex(change[1], controls.length)) driftCells.set(change[0] * controls.length + change[1], { ...DRIFT[category], before: change[2] });
    }
  }

  /** Marks a cell of the matrix that newly fails or was fixed: a ▲ or ▼, a frame, and its label says so. */
  function markDrift(button, hostIndex, controlIndex) {
    const mark = driftCells.get(hostIndex * controls.length + controlIndex);
    if (mark === undefined) return;
    const label = `${button.getAttribute("aria-label")}, ${mark.label} (was ${statusOf(mark.before).label})`;
    button.classList.add("drift-" + mark.kind);
    button.setAttribute("aria-label", label);
    button.setAttribute("title", label);
    button.append(el("span", { class: "drift-mark drift-mark-" + mark.kind, "aria-hidden": "true" }, mark.symbol));
  }

  /** host · control · before → after: a button that opens the cell, or text when this report has no such cell. */
  function driftRow(change) {
    const [hostRef, controlRef, before, after] = change;
    const opens = isIndex(hostRef, hosts.length) && isIndex(controlRef, controls.length);
    const hostName = isIndex(hostRef, hosts.length) ? hosts[hostRef].name : String(hostRef);
    const control = isIndex(controlRef, controls.length) ? controls[controlRef] : null;
    const content = [hostName, " · ", control === null ? String(controlRef) : control.id, " · ", statusText(before), " → ", statusText(after)];
    if (!opens) return el("li", null, el("span", { class: "drift-row" }, ...content, el("span", { class: "hint" }, " (not in this report's matrix)")));
    return el("li", null, el("button", { type: "button", class: "drift-row", "data-host": hostRef, "data-control": controlRef, title: `${control.title}: show this result` }, ...content));
  }

  function driftList(category) {
    const info = DRIFT[category];
    const changes = drift[category];
    const block = el("div", { class: "drift-block" }, el("h3", null, el("span", { class: "drift-mark drift-mark-" + info.kind, "aria-hidden": "true" }, info.symbol), ` ${info.title} (${changes.length})`));
    if (changes.length === 0) {
      block.append(el("p", { class: "none" }, "None."));
      return block;
    }
    const list = el("ul", { id: "drift-" + info.kind, class: "drift-list", "aria-label": `${info.title}: host · control · before → after` });
    const more = el("button", { type: "button", class: "drift-more" });
    let shown = 0;
    const showMore = () => {
      const next = Math.min(changes.length, shown + DRIFT_PAGE);
      for (; shown < next; shown++) list.append(driftRow(changes[shown]));
      const left = changes.length - shown;
      more.textContent = `Show ${Math.min(left, DRIFT_PAGE)} more (${left} not shown)`;
      more.hidden = left === 0;
    };
    more.addEventListener("click", showMore);
    showMore();
    block.append(list, more);
    return block;
  }

  /** Shows a cell of the matrix and its detail: the filters that hide it cleared, its row scrolled into view. */
  function openDriftCell(hostIndex, controlIndex) {
    // A filter changed just before (a search field left by this click) is applied now, not at the
    // next frame, which would draw the rows again and lose the focus given to the cell.
    if (pending !== 0) {
      cancelAnimationFrame(pending);
      pending = 0;
      update();
    }
    if (!view.hosts.includes(hostIndex) || !view.controls.includes(controlIndex)) {
      for (const name of ["status", "severity", "group", "cluster", "search"]) filters[name].value = "";
      update();
    }
    if ($("panel-matrix").hidden) selectTab($("tab-matrix"));
    const button = cellButton(view.hosts.indexOf(hostIndex), controlIndex);
    showCell(hostIndex, controlIndex);
    if (button) {
      button.scrollIntoView({ block: "nearest", inline: "nearest" });
      button.focus({ preventScroll: true });
    }
  }

  const driftLists = $("drift-lists");
  if (driftLists) {
    driftLists.replaceChildren(driftList("newlyFailing"), driftList("fixed"));
    driftLists.addEventListener("click", (event) => {
      const button = event.target.closest("button.drift-row");
      if (button) openDriftCell(Number(button.dataset.host), Number(button.dataset.control));
    });
  }

  // drift:end
  // ---- wiring ---------------------------------------------------------------------------------

  function update() {
    computeView();
    describeView();
    drawHead();
    scroller.scrollTop = 0;
    drawRows(true);
    if (!$("panel-controls").hidden) drawControlList();
  }

  let pending = 0;
  function scheduleUpdate() {
    if (pending !== 0) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      update();
    });
  }

  const form = $("filters");
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("reset", () => setTimeout(update, 0));
  form.addEventListener("change", scheduleUpdate);
  filters.search.addEventListener("input", scheduleUpdate);

  $("explorer").hidden = false;
  update();
  document.documentElement.setAttribute("data-ready", "true");
})();
