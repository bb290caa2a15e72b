import { existsSync, readFileSync, writeFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONTROL_STATUSES, reportModel, SEVERITIES } from "../../../src/report/model.js";
import { nameList, oneLine, plain, shorten } from "../../../src/report/render-common-text.js";
import { renderHostTable, renderSummaryTable } from "../../../src/report/render-table.js";
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

const SGR = /\u001B\[[0-9;]*m/g;

/** The table's lines (box drawing) and the data rows' cells. */
function tableOf(text: string): { lines: string[]; rows: string[][] } {
  const lines = text.split("\n").filter((line) => /^[┌│├└]/.test(line));
  const rows = lines.filter((line) => line.startsWith("│")).map((line) => line.slice(1, -1).split("│").map((cell) => cell.trim()));
  return { lines, rows: rows.slice(1) };
}

const HOSTILE = ["|", "│", "┼", "\n", "\r\n", "\u001b[31m", "\u001b[2J", "\u001b]8;;http://x\u0007", "\u0000", "\u0007", "\u009b31m", "\t", "<script>", "]]>", "a", " "];
const hostileString = fc.array(fc.constantFrom(...HOSTILE), { maxLength: 10 }).map((parts) => parts.join(""));
const statusMatrix = fc.integer({ min: 1, max: 5 }).chain((width) => fc.array(fc.array(fc.constantFrom(...CONTROL_STATUSES), { minLength: width, maxLength: width }), { minLength: 1, maxLength: 8 }));

describe("terminal summary", () => {
  it("renders the fixed synthetic report (no colour) as the golden file", () => {
    const report = load("synthetic-report.json");
    expectGolden("synthetic-report.table.txt", `${renderSummaryTable(report, { color: false })}\n${renderHostTable(report)}`);
  });

  it("renders the (trimmed) real baseline audit as the golden file", () => {
    const report = load("real-audit.json");
    expectGolden("real-audit.table.txt", `${renderSummaryTable(report, { color: false })}\n${renderHostTable(report)}`);
  });

  it("one row per control: id, shortened title, severity, counts, the first failing hosts then +N more; then verdict, score, severities", () => {
    const report = load("synthetic-report.json");
    const model = reportModel(report);
    const text = renderSummaryTable(report, { color: false });
    const { rows } = tableOf(text);
    expect(rows.map((row) => row[0])).toEqual(model.controls.map((control) => control.id));
    expect(rows.map((row) => row.slice(3, 8).map(Number))).toEqual(model.controls.map((control) => CONTROL_STATUSES.map((status) => control.counts[status])));
    expect(rows[1]).toEqual(["C-1", "Containers are unprivileged", "high", "1", "3", "1", "0", "0", "web1, lxd-a, lxd-b +1 more"]);
    expect(rows[3]?.[1]).toBe("The API listens on the management netwo…");
    expect(text).toContain("Verdict: non-compliant · score 57.3 · 5 hosts (1 unreachable) · 30 results: 15 pass, 4 fail, 7 error, 2 waived, 2 n/a\n");
    expect(text).toContain("By severity: critical 5 pass, 1 fail, 2 error, 2 n/a · high 5 pass, 3 fail, 2 error · medium 3 pass, 2 error · low 2 pass, 1 error, 2 waived\n");
    expect(renderSummaryTable(report, { color: false, hostsShown: 1 })).toContain("│ web1 +3 more ");
  });

  it("colours only when asked; the coloured table is the plain one plus SGR codes", () => {
    const report = load("synthetic-report.json");
    const plainText = renderSummaryTable(report, { color: false });
    const colored = renderSummaryTable(report, { color: true });
    expect(plainText).not.toContain("\u001b");
    expect(colored).toContain("\u001b[1;31mnon-compliant\u001b[0m");
    expect(colored).toContain("\u001b[31m3\u001b[0m");
    expect(colored.replace(SGR, "")).toBe(plainText);
    expect(renderHostTable(report)).not.toContain("\u001b");
    expect(renderHostTable(report, { color: true }).replace(SGR, "")).toBe(renderHostTable(report));
  });

  it("host table (-v): a row per host with cluster, status, score and counts", () => {
    const report = load("synthetic-report.json");
    const model = reportModel(report);
    const { rows } = tableOf(renderHostTable(report));
    expect(rows.map((row) => [row[0], row[1], row[2], Number(row[3])])).toEqual(model.hosts.map((view) => [view.host.name, view.host.cluster ?? "—", view.host.status, view.score]));
    expect(rows.map((row) => row.slice(4).map(Number))).toEqual(model.hosts.map((view) => CONTROL_STATUSES.map((status) => view.counts[status])));
  });

  it("property: the counts in the rows and the summary line equal the model's, for any matrix", () => {
    fc.assert(
      fc.property(statusMatrix, (matrix) => {
        const report = syntheticReport(matrix);
        const model = reportModel(report);
        const text = renderSummaryTable(report, { color: false });
        const { rows } = tableOf(text);
        expect(rows.map((row) => row.slice(3, 8).map(Number))).toEqual(model.controls.map((control) => CONTROL_STATUSES.map((status) => control.counts[status])));
        const counts = CONTROL_STATUSES.map((status) => model.counts[status]);
        expect(text).toContain(`Verdict: ${model.verdict} · score ${model.score} · ${matrix.length} hosts (0 unreachable) · ${counts.reduce((a, b) => a + b, 0)} results: ${counts[0]} pass, ${counts[1]} fail, ${counts[2]} error, ${counts[3]} waived, ${counts[4]} n/a`);
        for (const severity of SEVERITIES) {
          const shown = CONTROL_STATUSES.filter((status) => model.bySeverity[severity][status] > 0);
          expect(text).toContain(`${severity} ${shown.length === 0 ? "none" : shown.map((status) => `${model.bySeverity[severity][status]} ${status === "not_applicable" ? "n/a" : status}`).join(", ")}`);
        }
      }),
    );
  });

  it("property: hostile ids, titles and host names (newlines, ANSI, NUL, box characters) keep every row on one line and the table rectangular", () => {
    fc.assert(
      fc.property(statusMatrix, fc.array(hostileString, { minLength: 1, maxLength: 20 }), (matrix, pool) => {
        let next = 0;
        const strings = (): string => pool[next++ % pool.length] ?? "";
        const report = syntheticReport(matrix, matrix.map(() => strings()));
        report.controls.forEach((control) => (control.title = strings()));
        report.hosts.forEach((host, index) => (host.name = `h${index}${strings()}`));
        for (const text of [renderSummaryTable(report, { color: false }), renderHostTable(report)]) {
          expect(text).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
          const { lines } = tableOf(text);
          const width = [...(lines[0] ?? "")].length;
          for (const line of lines) expect([...line].length).toBe(width);
        }
        expect(tableOf(renderSummaryTable(report, { color: false })).lines).toHaveLength(report.controls.length + 4);
        expect(tableOf(renderHostTable(report)).lines).toHaveLength(report.hosts.length + 4);
      }),
      { numRuns: 200 },
    );
  });
});

describe("text helpers", () => {
  it("plain drops terminal escapes and control characters, keeps tabs and line feeds", () => {
    expect(plain("a\u001b[1;31mb\u001b[0m\u001b]8;;http://x\u0007c\u0000d\r\ne\u2028f\tg\ud800")).toBe("abcd\ne\nf\tg\uFFFD");
    expect(plain("\u001b]unterminated text")).toBe("unterminated text");
  });

  it("oneLine, shorten and nameList", () => {
    expect(oneLine("  a\n\n b\t c ")).toBe("a b c");
    expect(shorten("abcdefghij", 5)).toBe("abcd…");
    expect(shorten("abc", 5)).toBe("abc");
    expect(nameList(["a", "b", "c", "d", "e"], 3)).toBe("a, b, c +2 more");
    expect(nameList(["a", "b"], 3)).toBe("a, b");
    expect(nameList([], 3)).toBe("");
  });
});
