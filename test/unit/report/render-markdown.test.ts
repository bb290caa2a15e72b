import { existsSync, readFileSync, writeFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ControlStatus } from "../../../src/engine/results.js";
import { CONTROL_STATUSES, reportModel, SEVERITIES, type StatusCounts } from "../../../src/report/model.js";
import { htmlText, mdBlock, mdCode, mdText } from "../../../src/report/render-common-markdown.js";
import { renderMarkdown } from "../../../src/report/render-markdown.js";
import type { FleetReport } from "../../../src/report/types.js";
import { syntheticReport } from "../../support/synthetic-report.js";

const FIXTURES = "test/fixtures/report";
const load = (name: string): FleetReport => JSON.parse(readFileSync(`${FIXTURES}/${name}`, "utf8")) as FleetReport;

/** Compares with a golden file; UPDATE_GOLDEN=1 rewrites it instead. */
function expectGolden(name: string, actual: string): void {
  const path = `${FIXTURES}/${name}`;
  if (process.env["UPDATE_GOLDEN"] === "1") {
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`${path} is missing: run with UPDATE_GOLDEN=1 to write it`);
  expect(actual, `${path} differs (UPDATE_GOLDEN=1 rewrites it after a wanted change)`).toBe(readFileSync(path, "utf8"));
}

/** Cells of a GFM table row: split at pipes not escaped with a backslash (as GFM does, also inside code spans). */
function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, "").replace(/(?<!\\)\|$/, "");
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim());
}

/** Every table of the document: its header, and rows that must each have as many cells. */
function tables(markdown: string): Array<{ header: string[]; rows: string[][] }> {
  const found: Array<{ header: string[]; rows: string[][] }> = [];
  const lines = markdown.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? "";
    const next = lines[index + 1] ?? "";
    if (!line.startsWith("|") || !/^\|( *:?-+:? *\|)+$/.test(next)) continue;
    const table = { header: cells(line), rows: [] as string[][] };
    expect(cells(next)).toHaveLength(table.header.length);
    index += 2;
    while (index < lines.length && (lines[index] ?? "").startsWith("|")) table.rows.push(cells(lines[index++] ?? ""));
    found.push(table);
  }
  return found;
}

/** The document's structure holds whatever the strings in it: tables, details blocks, code fences, no raw HTML from data. */
function expectWellFormed(markdown: string, hosts: number): void {
  for (const table of tables(markdown)) for (const row of table.rows) expect(row, `a row of the table ${table.header.join("|")}`).toHaveLength(table.header.length);
    expect(markdown).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
  const lines = markdown.split("\n");
  expect(lines.filter((line) => line.startsWith("<details><summary>") && line.endsWith("</summary>"))).toHaveLength(hosts);
  expect(lines.filter((line) => line === "</details>")).toHaveLength(hosts);
  // Fenced blocks open and close with the same fence, each inside a list item (indented). Outside
  // them and outside code spans, the only HTML is ours: <details>, <summary>, <br>.
  let fence: string | null = null;
  for (const line of lines) {
    if (fence !== null) {
      if (line === fence) fence = null;
      continue;
    }
    if (/^ +`{3,}$/.test(line)) {
      fence = line;
      continue;
    }
    expect(line).not.toMatch(/^\s*```/);
    const prose = line
      .replace(/^<details><summary>(.*)<\/summary>$/, "$1")
      .replace(/^<\/details>$/, "")
      .replace(/(?<![`\\])(`+)(?!`)[^]*?(?<!`)\1(?!`)/g, "")
      .replace(/(?<!\\)<br>/g, " ");
    expect(prose, line).not.toMatch(/(?<!\\)<[A-Za-z/!?]/);
  }
  expect(fence).toBeNull();
}

/** The counts table's rows as StatusCounts, by label (`**all**`, critical, …). */
function countsTable(markdown: string): Map<string, StatusCounts & { total: number }> {
  const table = tables(markdown).find((entry) => entry.header[0] === "severity");
  if (!table) throw new Error("no counts table");
  return new Map(
    table.rows.map((row) => {
      const [label, pass, fail, error, waived, na, total] = row;
      return [label ?? "", { pass: Number(pass), fail: Number(fail), error: Number(error), waived: Number(waived), not_applicable: Number(na), total: Number(total) }];
    }),
  );
}

const total = (counts: StatusCounts): number => CONTROL_STATUSES.reduce((sum, status) => sum + counts[status], 0);

const HOSTILE = ["|", "||", "<script>alert(1)</script>", "]]>", "\n", "\r\n", "\u001b[31m", "\u001b]8;;x\u0007", "\u0000", "\u0007", "`", "```", "````", "\\", "\\|", "*", "_", "#", "</details>", "<details>", "<br>", "&amp;", "&", "'", '"', "- ", "1. ", "a", " ", "\t", "\u2028", "\ud800", "é"];
const hostileString = fc.array(fc.constantFrom(...HOSTILE), { maxLength: 12 }).map((parts) => parts.join(""));

/** A report whose every string a host or playbook can set is `strings()`'s next value. */
function hostileReport(statuses: ControlStatus[][], strings: () => string): FleetReport {
  const report = syntheticReport(statuses, statuses.map((_, index) => (index % 2 === 0 ? `c${strings()}` : null)));
  report.playbook = strings();
  report.controls.forEach((control) => {
    control.title = strings();
    control.remediation = strings();
  });
  report.hosts.forEach((host, index) => {
    host.name = `h${index}${strings()}`;
    host.controls.forEach((result) => {
      result.expected = strings();
      result.actual = strings();
      result.message = strings();
      if (result.status === "waived") result.waiver = { justification: strings(), expires: strings() };
    });
  });
  return report;
}

const statusMatrix = fc.integer({ min: 1, max: 5 }).chain((width) => fc.array(fc.array(fc.constantFrom(...CONTROL_STATUSES), { minLength: width, maxLength: width }), { minLength: 1, maxLength: 6 }));

describe("Markdown report", () => {
  it("renders the fixed synthetic report as the golden file", () => {
    expectGolden("synthetic-report.md", renderMarkdown(load("synthetic-report.json")));
  });

  it("renders the (trimmed) real baseline audit of the testbed as the golden file", () => {
    const markdown = renderMarkdown(load("real-audit.json"));
    expectGolden("real-audit.md", markdown);
    expectWellFormed(markdown, 5);
  });

  it("shows title, verdict, score, counts by status and severity, the controls, failing hosts, clusters, per-host details", () => {
    const report = load("synthetic-report.json");
    const model = reportModel(report);
    const markdown = renderMarkdown(report);
    expect(markdown.split("\n")[0]).toBe("# fleet audit: `playbooks/baseline.yml` — 2026-12-02");
    expect(markdown).toContain(`## ❌ Non-compliant — score ${model.score} / 100`);
    const counts = countsTable(markdown);
    expect(counts.get("**all**")).toEqual({ ...model.counts, total: total(model.counts) });
    for (const severity of SEVERITIES) expect(counts.get(severity)).toEqual({ ...model.bySeverity[severity], total: total(model.bySeverity[severity]) });
    const controls = tables(markdown).find((table) => table.header[0] === "control");
    expect(controls?.rows.map((row) => [row[0], Number(row[4]), Number(row[5]), Number(row[8])])).toEqual(model.controls.map((control) => [control.id, control.counts.fail, control.counts.error, control.failing.length]));
    expect(markdown).toContain("| fail | 2: web1, lxd-a | `no privileged containers` | `default/c2 security.privileged=true` |");
    expect(markdown).toContain("| cluster1 | 2: lxd-a, lxd-b |");
    expect(markdown).toContain("<details><summary>web1 — score 58.3, 1 fail, 1 error, 1 waived</summary>");
    expect(markdown).toContain("- **C-3** The API listens on the management network only (low): Behind the bastion; see SEC-142 (expires 2027-03-31)");
    expectWellFormed(markdown, 5);
  });

  it("leaves out the clusters table when no host is in a cluster, and says so when every control passes", () => {
    const markdown = renderMarkdown(syntheticReport([["pass", "waived"]]));
    expect(markdown).not.toContain("## Clusters");
    expect(markdown).not.toContain("## Failing controls");
    expect(markdown).toContain("## ✅ Compliant — score 100 / 100");
    expect(markdown).toContain("- **C-1** control 1 (high): (no justification recorded)");
  });

  it("stays readable at 1,000 hosts: host lists in tables capped, one row per distinct result", () => {
    const matrix = Array.from({ length: 1000 }, (_, host) => Array.from({ length: 8 }, (__, control): ControlStatus => ((host + control) % 3 === 0 ? "fail" : host % 97 === 0 ? "error" : "pass")));
    const report = syntheticReport(matrix);
    report.hosts.forEach((host, index) => host.controls.forEach((result) => (result.actual = `value ${index % 25}`)));
    const markdown = renderMarkdown(report);
    expectWellFormed(markdown, 1000);
    const model = reportModel(report);
    expect(countsTable(markdown).get("**all**")).toEqual({ ...model.counts, total: total(model.counts) });
    for (const table of tables(markdown)) expect(table.rows.length).toBeLessThanOrEqual(11);
    const longest = Math.max(...markdown.split("\n").map((line) => line.length));
    expect(longest).toBeLessThan(400);
    expect(markdown).toMatch(/\| fail \| \d+: h\d+(, h\d+){9} \+\d+ more \|/);
    expect(markdown).toMatch(/\| … \| \d+ more hosts with \d+ other results \(see the hosts below\) \| \| \| \|/);
  });

  it("property: the counts in the summary and the controls table equal the model's, for any matrix", () => {
    fc.assert(
      fc.property(statusMatrix, fc.array(fc.constantFrom("c1", "c2", null), { maxLength: 6 }), (matrix, clusters) => {
        const report = syntheticReport(matrix, clusters);
        const model = reportModel(report);
        const markdown = renderMarkdown(report);
        const counts = countsTable(markdown);
        expect(counts.get("**all**")).toEqual({ ...model.counts, total: total(model.counts) });
        for (const severity of SEVERITIES) expect(counts.get(severity)).toEqual({ ...model.bySeverity[severity], total: total(model.bySeverity[severity]) });
        const controls = tables(markdown).find((table) => table.header[0] === "control");
        expect(controls?.rows.map((row) => row.slice(3).map(Number))).toEqual(model.controls.map((control) => [...CONTROL_STATUSES.map((status) => control.counts[status]), control.failing.length]));
        expect(markdown).toContain(`${matrix.length} hosts (0 unreachable) · ${model.controls.length} controls · ${total(model.counts)} results`);
        expect(markdown).toContain(`score ${model.score} / 100`);
        expect(markdown.includes("## Clusters")).toBe(model.clusters.length > 0);
        expectWellFormed(markdown, matrix.length);
      }),
    );
  });

  it("property: hostile strings (|, <script>, ]]>, newlines, ANSI escapes, NUL, backticks, </details>) never break a table, a block or the page", () => {
    fc.assert(
      fc.property(statusMatrix, fc.array(hostileString, { minLength: 1, maxLength: 40 }), (matrix, pool) => {
        let next = 0;
        const report = hostileReport(matrix, () => pool[next++ % pool.length] ?? "");
        const markdown = renderMarkdown(report);
        expectWellFormed(markdown, matrix.length);
        const model = reportModel(report);
        expect(countsTable(markdown).get("**all**")).toEqual({ ...model.counts, total: total(model.counts) });
      }),
      { numRuns: 200 },
    );
  });
});

describe("Markdown escaping", () => {
  /** What GFM shows for mdText's output: backslash escapes removed, <br> a line break. */
  const shown = (escaped: string): string => escaped.replace(/<br>/g, "\n").replace(/\\([!-\/:-@[-`{-~])/g, "$1");

  it("text: Markdown and HTML punctuation escaped, shown as written; line breaks as <br>; control characters gone", () => {
    expect(mdText("a | b")).toBe("a \\| b");
    expect(mdText("<script>alert(1)</script>")).toBe("\\<script>alert(1)\\</script>");
    expect(mdText("use `lxc` *now* [x](y) ~~z~~ #1 a\\b")).toBe("use \\`lxc\\` \\*now\\* \\[x\\](y) \\~\\~z\\~\\~ \\#1 a\\\\b");
    expect(mdText("core.proxy_http _x_ &amp; a && b 1 < 2")).toBe("core.proxy_http \\_x\\_ \\&amp; a && b 1 < 2");
    expect(mdText("one\r\ntwo\n\u001b[31mred\u001b[0m\u0000")).toBe("one<br>two<br>red");
    for (const value of ["a | b", "x_y _z_ `c` \\ [l]", "<b>&lt;</b> ]]>"]) expect(shown(mdText(value))).toBe(value);
  });

  it("code spans: a fence longer than the backticks inside, pipes escaped in tables only, ↵ for line breaks", () => {
    expect(mdCode("a|b", { inTable: true })).toBe("`a\\|b`");
    expect(mdCode("a|b", { inTable: false })).toBe("`a|b`");
    expect(mdCode("x ``y`` z", { inTable: false })).toBe("```x ``y`` z```");
    expect(mdCode("`tick", { inTable: false })).toBe("`` `tick ``");
    expect(mdCode("one\ntwo\n", { inTable: true })).toBe("`one ↵ two`");
    expect(mdCode(null, { inTable: true })).toBe("—");
    expect(mdCode("", { inTable: true })).toBe("*(empty)*");
  });

  it("blocks: one line inline, several lines as a fenced block indented into the list item", () => {
    expect(mdBlock("one", "    ")).toBe(" `one`");
    expect(mdBlock("a\n```\nb\n", "    ")).toBe("\n    ````\n    a\n    ```\n    b\n    ````");
    expect(mdBlock(null, "  ")).toBe(" —");
  });

  it("HTML text (the <summary>): one line, & < > \" escaped", () => {
    expect(htmlText('a</summary>\n<b>"&"')).toBe("a&lt;/summary&gt; &lt;b&gt;&quot;&amp;&quot;");
  });
});
