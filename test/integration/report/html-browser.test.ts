/**
 * The HTML report in a real browser: Debian's chromium driven by playwright-core, the report
 * opened from a file:// URL with every request that is not that file blocked and recorded. Each
 * test fails on a console error or an uncaught exception of the page, and the suite on any
 * request the pages attempted. Screenshots go to bench/.work/report-html/ (git-ignored); with
 * FLEET_DOCS_SCREENSHOT=1 the one of the testbed's report also replaces docs/images/report.png.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import { diffReports, type ReportDiff } from "../../../src/report/diff.js";
import { CONTROL_STATUSES } from "../../../src/report/model.js";
import { renderHtml } from "../../../src/report/render-html.js";
import type { FleetReport } from "../../../src/report/types.js";
import { captureIo } from "../../support/capture-io.js";
import { syntheticReport } from "../../support/synthetic-report.js";
import { testbed } from "../testbed.js";

const CHROMIUM = process.env["FLEET_CHROMIUM"] ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const ARTIFACTS = path.resolve("bench/.work/report-html");
const DOCS_SCREENSHOT = path.resolve("docs/images/report.png");
/** A generous bound on opening the 1,000-host report until a click on a cell shows its detail. */
const INTERACTIVE_MS = 8_000;

const work = mkdtempSync(path.join(tmpdir(), "fleet-html-it-"));
let context: BrowserContext;
/** Every request of any page that was not for a report file: must stay empty. */
const attempted: string[] = [];
const reportFiles = new Set<string>();
let problems: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  context = await chromium.launchPersistentContext(mkdtempSync(path.join(work, "profile-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1600, height: 1000 },
    serviceWorkers: "block",
  });
  await context.route("**/*", async (route) => {
    const url = route.request().url();
    if (reportFiles.has(url)) return route.continue();
    attempted.push(url);
    return route.abort("blockedbyclient");
  });
  await context.routeWebSocket(/.*/, (socket) => {
    attempted.push(socket.url());
    return socket.close();
  });
  context.on("request", (request) => {
    if (!reportFiles.has(request.url()) && !attempted.includes(request.url())) attempted.push(request.url());
  });
});

afterEach(() => {
  expect(problems, "console errors and page errors").toEqual([]);
  problems = [];
});

afterAll(async () => {
  await context?.close();
});

async function open(report: FleetReport, name: string, drift?: ReportDiff): Promise<{ page: Page; readyMs: number; bytes: number }> {
  const html = renderHtml(report, { drift });
  const file = path.join(work, `${name}.html`);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  reportFiles.add(url);
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`${name}: console ${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`${name}: ${error.message}`));
  const started = performance.now();
  await page.goto(url);
  await page.waitForSelector("html[data-ready]");
  return { page, readyMs: performance.now() - started, bytes: Buffer.byteLength(html) };
}

const rowHosts = (page: Page): Promise<string[]> => page.locator("#matrix-body tr.row th button").allTextContents();
const columnControls = (page: Page): Promise<string[]> => page.locator("#matrix-head button.col-head").allTextContents();
const cell = (page: Page, host: string, control: string) => page.locator(`#matrix-body button.cell[aria-label^=${JSON.stringify(`${host} · ${control} (`)}]`);

const HOSTILE = "</script><script>window.__pwned=1</script><!--\u2028'\"";

/** Six hosts in two groups and one cluster, three controls; web-1 fails NET-02 with expected and actual. */
function smallFleet(): FleetReport {
  const report = syntheticReport(
    [
      ["pass", "fail", "pass"],
      ["pass", "pass", "error"],
      ["fail", "pass", "waived"],
      ["pass", "pass", "not_applicable"],
      ["pass", "pass", "pass"],
      ["pass", "fail", "pass"],
    ],
    ["east", "east", "east", null, null, null],
  );
  const names = ["web-1", "web-2", "db-1", "db-2", "edge-1", HOSTILE];
  const groups = [["web"], ["web"], ["db"], ["db"], [], ["web"]];
  for (const [index, host] of report.hosts.entries()) {
    host.name = names[index] ?? host.name;
    host.groups = groups[index] ?? [];
  }
  const ids = ["ACC-01", "NET-02", "LOG-03"];
  for (const [index, control] of report.controls.entries()) control.id = ids[index] ?? control.id;
  for (const host of report.hosts) for (const [index, result] of host.controls.entries()) result.id = ids[index] ?? result.id;
  Object.assign(report.controls[1] ?? {}, { title: "Limit network exposure", section: "Network", rationale: "The API should not listen on every interface.", remediation: "lxc config set core.https_address 10.0.0.1:8443", fix: "opt-in", fixVar: "fix_net_02" });
  Object.assign(report.hosts[0]?.controls[1] ?? {}, { expected: "core.https_address is not on all interfaces", actual: "core.https_address is [::]:8443", message: "listening on every interface" });
  Object.assign(report.hosts[2]?.controls[2] ?? {}, { waiver: { justification: "db-1 is replaced in Q1", expires: "2027-03-31" } });
  return report;
}

describe("the HTML report in chromium", () => {
  it("opens with no console error, shows the verdict and draws every host × control", async () => {
    const { page } = await open(smallFleet(), "small");
    await expect(page.locator(".verdict h2").textContent()).resolves.toContain("Non-compliant");
    expect(await rowHosts(page)).toEqual(["web-1", "web-2", "db-1", "db-2", "edge-1", HOSTILE]);
    expect(await columnControls(page)).toEqual(["ACC-01", "NET-02", "LOG-03"]);
    await expect(page.locator("#shown").textContent()).resolves.toBe("Showing 6 of 6 hosts × 3 of 3 controls.");
    // a hostile host name is text: shown as written, and its script never ran
    expect(await page.evaluate(() => (globalThis as unknown as Record<string, unknown>)["__pwned"])).toBeUndefined();
    // every cell has a label and a symbol, not only a colour
    const labels = await page.locator("#matrix-body button.cell").evaluateAll((buttons) => buttons.map((button) => [button.getAttribute("aria-label"), button.getAttribute("title"), button.textContent]));
    expect(labels).toHaveLength(18);
    for (const [label, title, symbol] of labels) {
      expect(label).toMatch(/: (pass|fail|error|waived|not applicable)$/);
      expect(title).toBe(label);
      expect(symbol?.trim()).not.toBe("");
    }
    await page.close();
  });

  it("filters by status: fail hides the rows without a failure, and the controls without one", async () => {
    const { page } = await open(smallFleet(), "status");
    await page.selectOption("#f-status", "f");
    await expect.poll(() => rowHosts(page)).toEqual(["web-1", "db-1", HOSTILE]);
    expect(await columnControls(page)).toEqual(["ACC-01", "NET-02"]);
    await expect(page.locator("#shown").textContent()).resolves.toBe("Showing 3 of 6 hosts × 2 of 3 controls with a fail result.");
    await page.selectOption("#f-status", "e");
    await expect.poll(() => rowHosts(page)).toEqual(["web-2"]);
    await page.click("#f-reset");
    await expect.poll(() => rowHosts(page)).toHaveLength(6);
    await page.close();
  });

  it("searches host names and control ids, and filters by severity, group and cluster", async () => {
    const { page } = await open(smallFleet(), "search");
    await page.fill("#f-search", "web");
    await expect.poll(() => rowHosts(page)).toEqual(["web-1", "web-2"]);
    expect(await columnControls(page)).toEqual(["ACC-01", "NET-02", "LOG-03"]);
    await page.fill("#f-search", "net-0");
    await expect.poll(() => columnControls(page)).toEqual(["NET-02"]);
    expect(await rowHosts(page)).toHaveLength(6);
    await page.fill("#f-search", "no such thing");
    await expect.poll(() => page.locator("#matrix-body td.empty").count()).toBe(1);
    await page.fill("#f-search", "");
    await page.selectOption("#f-severity", "high");
    await expect.poll(() => columnControls(page)).toEqual(["NET-02"]);
    await page.selectOption("#f-severity", "");
    await page.selectOption("#f-group", { label: "db" });
    await expect.poll(() => rowHosts(page)).toEqual(["db-1", "db-2"]);
    await page.selectOption("#f-cluster", { label: "east" });
    await expect.poll(() => rowHosts(page)).toEqual(["db-1"]);
    await page.selectOption("#f-group", "");
    await page.selectOption("#f-cluster", "none");
    await expect.poll(() => rowHosts(page)).toEqual(["db-2", "edge-1", HOSTILE]);
    await page.close();
  });

  it("shows a cell's detail on a click: status, expected against actual, message, waiver", async () => {
    const { page } = await open(smallFleet(), "cell");
    await cell(page, "web-1", "NET-02").click();
    await expect(page.locator("#detail-title").textContent()).resolves.toBe("web-1 · NET-02");
    await expect(page.locator('#detail [data-field="status"]').textContent()).resolves.toContain("fail");
    await expect(page.locator('#detail [data-field="expected"]').textContent()).resolves.toBe("core.https_address is not on all interfaces");
    await expect(page.locator('#detail [data-field="actual"]').textContent()).resolves.toBe("core.https_address is [::]:8443");
    await expect(page.locator('#detail [data-field="message"]').textContent()).resolves.toBe("listening on every interface");
    await expect(cell(page, "web-1", "NET-02").getAttribute("aria-current")).resolves.toBe("true");
    await cell(page, "db-1", "LOG-03").click();
    await expect(page.locator('#detail [data-field="waiver"]').textContent()).resolves.toContain("db-1 is replaced in Q1");
    await expect(page.locator('#detail [data-field="waiver"]').textContent()).resolves.toContain("expires 2027-03-31");
    // arrow keys move between cells
    await cell(page, "web-1", "ACC-01").focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowRight");
    await expect(page.locator("button.cell:focus").getAttribute("aria-label")).resolves.toMatch(/^web-2 · NET-02 /);
    await page.screenshot({ path: path.join(ARTIFACTS, "small-cell.png") });
    await page.close();
  });

  it("shows a control (title, section, rationale, remediation, failing hosts with their actual values) and a host", async () => {
    const { page } = await open(smallFleet(), "views");
    await page.click('#matrix-head button.col-head:text-is("NET-02")');
    await expect(page.locator("#detail").getAttribute("data-view")).resolves.toBe("control");
    const control = (await page.locator("#detail").textContent()) ?? "";
    for (const text of ["Limit network exposure", "Network", "The API should not listen on every interface.", "lxc config set core.https_address 10.0.0.1:8443", "opt-in (when fix_net_02 is true)", "Failing hosts (2)"]) expect(control).toContain(text);
    expect(await page.locator("#detail table.failing tbody tr").evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll("td")].map((td) => td.textContent?.trim())))).toEqual([
      ["web-1", "✗ fail", "core.https_address is [::]:8443", "listening on every interface"],
      [HOSTILE, "✗ fail", "have", "fail"],
    ]);
    await page.click('#detail table.failing button:text-is("web-1")');
    await expect(page.locator('#detail [data-field="actual"]').textContent()).resolves.toBe("core.https_address is [::]:8443");
    await page.click('#matrix-body button.host-button:text-is("db-1")');
    await expect(page.locator("#detail").getAttribute("data-view")).resolves.toBe("host");
    await expect(page.locator("#detail-title").textContent()).resolves.toBe("db-1");
    expect(await page.locator("#detail table.host-controls tbody tr td:first-child").allTextContents()).toEqual(["ACC-01", "LOG-03", "NET-02"]);
    await page.click("#tab-controls");
    expect(await page.locator("#control-list-body tr td:first-child").allTextContents()).toEqual(["ACC-01", "NET-02", "LOG-03"]);
    await page.close();
  });

  it("with a drift: lists what newly fails and what was fixed, marks those cells, and a click on a change opens its cell", async () => {
    // before: web-1 passed NET-02 (now fails), edge-1 failed ACC-01 (now passes), db-2 was not there
    const old = smallFleet();
    old.finishedAt = "2026-11-20T08:30:00.000Z";
    Object.assign(old.hosts[0]?.controls[1] ?? {}, { status: "pass", expected: null, actual: null, message: "pass" });
    Object.assign(old.hosts[4]?.controls[0] ?? {}, { status: "fail", expected: "want", actual: "have", message: "fail" });
    old.hosts.splice(3, 1);
    const { page } = await open(smallFleet(), "drift", diffReports(old, smallFleet()));
    await expect(page.locator("#drift-title").textContent()).resolves.toBe("Drift since 2026-11-20T08:30:00.000Z");
    const newly = page.locator("#drift-new button.drift-row");
    expect(await newly.allTextContents()).toEqual(["web-1 · NET-02 · ✓ pass → ✗ fail"]);
    expect(await page.locator("#drift-fixed button.drift-row").allTextContents()).toEqual(["edge-1 · ACC-01 · ✗ fail → ✓ pass"]);
    // the cells are marked: a ▲ or ▼, and their label says it
    await expect(cell(page, "web-1", "NET-02").getAttribute("aria-label")).resolves.toBe("web-1 · NET-02 (Limit network exposure): fail, newly failing (was pass)");
    await expect(cell(page, "web-1", "NET-02").textContent()).resolves.toBe("✗▲");
    await expect(cell(page, "edge-1", "ACC-01").getAttribute("aria-label")).resolves.toMatch(/: pass, fixed \(was fail\)$/);
    expect(await page.locator("#matrix-body button.cell.drift-new, #matrix-body button.cell.drift-fixed").count()).toBe(2);
    // a filter hides web-1: the click clears it, shows the cell in the matrix and opens its detail
    await page.fill("#f-search", "db");
    await expect.poll(() => rowHosts(page)).toEqual(["db-1", "db-2"]);
    await newly.first().click();
    await expect(page.locator("#detail-title").textContent()).resolves.toBe("web-1 · NET-02");
    await expect(page.locator("#detail").getAttribute("data-view")).resolves.toBe("cell");
    await expect(page.locator('#detail [data-field="actual"]').textContent()).resolves.toBe("core.https_address is [::]:8443");
    await expect(cell(page, "web-1", "NET-02").getAttribute("aria-current")).resolves.toBe("true");
    await expect(page.locator("button.cell:focus").getAttribute("aria-label")).resolves.toMatch(/^web-1 · NET-02 /);
    await expect(page.locator("#f-search").inputValue()).resolves.toBe("");
    expect(await rowHosts(page)).toHaveLength(6);
    await page.screenshot({ path: path.join(ARTIFACTS, "small-drift.png"), fullPage: true });
    await page.close();
  });

  it("opens 1,000 hosts × 40 controls and is interactive within a few seconds, drawing only the rows in view", async () => {
    const statuses = Array.from({ length: 1000 }, (_, host) => Array.from({ length: 40 }, (_, control) => ((host * 7 + control * 3) % 11 < 6 ? "pass" : (CONTROL_STATUSES[(host + control) % 5] ?? "pass"))));
    const report = syntheticReport(statuses, statuses.map((_, host) => (host % 3 === 0 ? null : `cluster-${host % 10}`)));
    const started = performance.now();
    const { page, readyMs, bytes } = await open(report, "fleet-1000");
    await page.locator("#matrix-body button.cell").nth(5).click();
    await page.waitForSelector('#detail[data-view="cell"]');
    const interactiveMs = performance.now() - started;
    const drawn = await page.locator("#matrix-body tr.row").count();
    const filterStarted = performance.now();
    await page.selectOption("#f-status", "f");
    await expect.poll(() => page.locator("#shown").textContent()).toMatch(/with a fail result/);
    const filterMs = performance.now() - filterStarted;
    await page.selectOption("#f-status", "");
    await page.locator("#matrix-scroll").evaluate((scroller) => scroller.scrollTo(0, scroller.scrollHeight));
    await expect.poll(() => rowHosts(page)).toContain("h999");
    await page.screenshot({ path: path.join(ARTIFACTS, "fleet-1000.png") });
    const figures = `HTML report, 1,000 hosts × 40 controls: ${bytes} bytes; data-ready ${Math.round(readyMs)} ms; a click on a cell answered ${Math.round(interactiveMs)} ms after navigation began; "fail" filter applied in ${Math.round(filterMs)} ms; ${drawn} of 1000 rows in the document`;
    console.log(figures);
    writeFileSync(path.join(ARTIFACTS, "fleet-1000.txt"), `${figures}\n`);
    expect(interactiveMs).toBeLessThan(INTERACTIVE_MS);
    expect(drawn).toBeGreaterThan(10);
    expect(drawn).toBeLessThan(100);
    await page.close();
  });

  it("shows the testbed's real audit; its screenshot is the README's", async () => {
    const info = testbed();
    const reportFile = path.join(work, "testbed-audit.json");
    const { io, stderr } = captureIo();
    const code = await runCli(["audit", "baseline", "-i", info.inventoryFile, "-e", "@test/fixtures/baseline/testbed-vars.yml", "--ssh-config", path.join(work, "none"), "--report", reportFile], io);
    expect(stderr()).not.toContain("internal error");
    expect([0, 2]).toContain(code);
    const report = JSON.parse(readFileSync(reportFile, "utf8")) as FleetReport;
    report.playbook = path.relative(process.cwd(), report.playbook) || report.playbook;
    const { page } = await open(report, "testbed");
    expect(await rowHosts(page)).toEqual(report.hosts.map((host) => host.name));
    expect(await columnControls(page)).toEqual(report.controls.map((control) => control.id));
    const failing = page.locator("#matrix-body button.cell.s-f").first();
    if ((await failing.count()) > 0) {
      await failing.click();
      await expect.poll(() => page.locator('#detail [data-field="actual"]').textContent()).not.toBe("");
    }
    const shot = path.join(ARTIFACTS, "testbed.png");
    await page.screenshot({ path: shot });
    if (process.env["FLEET_DOCS_SCREENSHOT"] === "1") {
      mkdirSync(path.dirname(DOCS_SCREENSHOT), { recursive: true });
      writeFileSync(DOCS_SCREENSHOT, readFileSync(shot));
    }
    await page.close();
  });

  it("attempted no request but for the report files themselves", () => {
    expect(reportFiles.size).toBeGreaterThanOrEqual(7);
    expect(attempted).toEqual([]);
  });
});
