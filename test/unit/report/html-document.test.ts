import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { reportModel } from "../../../src/report/model.js";
import { renderHtml } from "../../../src/report/render-html.js";
import type { HtmlReportData } from "../../../src/report/render-html-data.js";
import type { FleetReport } from "../../../src/report/types.js";
import { syntheticReport } from "../../support/synthetic-report.js";

const DATA = /<script type="application\/json" id="fleet-report-data">([\s\S]*?)<\/script>/;

function dataOf(html: string): HtmlReportData {
  const match = DATA.exec(html);
  if (!match?.[1]) throw new Error("no data blob");
  return JSON.parse(match[1]) as HtmlReportData;
}

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`))].length;
}

function sample(): FleetReport {
  const report = syntheticReport([["pass", "fail", "waived"], ["error", "not_applicable", "pass"]], ["east", null]);
  const [first, second] = report.hosts;
  if (!first || !second) throw new Error("unreachable");
  first.groups = ["web", "prod"];
  second.groups = ["db"];
  const waived = first.controls[2];
  if (waived) waived.waiver = { justification: "legacy box, replaced in Q1", expires: "2027-03-31" };
  const control = report.controls[1];
  if (control) Object.assign(control, { title: "Keep it patched", section: "Patching", rationale: "Old packages are the commonest way in.", remediation: "apt-get upgrade", fix: "audit" });
  return report;
}

describe("renderHtml: the document", () => {
  it("is one HTML document with one inline style, one inline script and one data blob", () => {
    const html = renderHtml(sample());
    expect(html.startsWith("<!doctype html>\n<html lang=\"en\">")).toBe(true);
    expect(html.trimEnd().endsWith("</html>")).toBe(true);
    for (const tag of [/<html[\s>]/i, /<\/html>/i, /<head>/i, /<body>/i, /<\/body>/i, /<style>/i, /<\/style>/i]) expect(count(html, tag)).toBe(1);
    expect(count(html, /<script[\s>]/i)).toBe(2);
    expect(count(html, /<\/script>/i)).toBe(2);
    expect(html).toContain('<meta charset="utf-8">');
  });

  it("shows the verdict, the score and the counts by status and by severity without script", () => {
    const report = sample();
    const model = reportModel(report);
    const html = renderHtml(report).replace(DATA, "");
    expect(model.verdict).toBe("non-compliant");
    expect(html).toContain('class="verdict verdict-non-compliant"');
    expect(html).toContain("Non-compliant");
    expect(html).toContain(`<span class="score-value">${model.score.toFixed(1)}</span>`);
    expect(html).toMatch(/not applicable<\/th><td>1<\/td>/);
    expect(html).toMatch(/<span class="sev sev-high">high<\/span><\/th><td>0<\/td><td>1<\/td>/);
    expect(html).toContain("<summary>Clusters (1)</summary>");
  });

  it("names each verdict", () => {
    expect(renderHtml(syntheticReport([["pass", "waived"]]))).toContain('class="verdict verdict-compliant"');
    expect(renderHtml(syntheticReport([["pass", "error"]]))).toContain('class="verdict verdict-incomplete"');
    const interrupted = syntheticReport([["pass"]]);
    interrupted.interrupted = true;
    expect(renderHtml(interrupted)).toContain("The run was interrupted");
  });

  it("puts the report model into the data: every cell with its status, expected, actual, message and waiver", () => {
    const report = sample();
    const data = dataOf(renderHtml(report));
    const model = reportModel(report);
    expect(data.format).toBe("fleet-report-html/v1");
    expect(data.controls.map((control) => control.id)).toEqual(report.controls.map((control) => control.id));
    expect(data.controls[1]).toMatchObject({ title: "Keep it patched", section: "Patching", rationale: "Old packages are the commonest way in.", remediation: "apt-get upgrade", fix: "audit", counts: model.controls[1]?.counts });
    const text = (index: number | undefined): string | null => (index === undefined || index < 0 ? null : (data.strings[index] ?? null));
    for (const [hostIndex, host] of report.hosts.entries()) {
      const shown = data.hosts[hostIndex];
      expect(shown).toMatchObject({ name: host.name, cluster: host.cluster, groups: host.groups, score: model.hosts[hostIndex]?.score, counts: model.hosts[hostIndex]?.counts });
      for (const [controlIndex, control] of report.controls.entries()) {
        const result = model.cell(host.name, control.id);
        const status = data.statuses.find((info) => info.code === shown?.cells[controlIndex]);
        expect(status?.status).toBe(result?.status);
        const details = shown?.details[controlIndex];
        if (!Array.isArray(details)) throw new Error("no details");
        expect([text(details[0]), text(details[1]), text(details[2] ?? -1) ?? ""]).toEqual([result?.expected ?? null, result?.actual ?? null, result?.message]);
        if (result?.waiver) expect([text(details[3]), text(details[4])]).toEqual([result.waiver.justification, result.waiver.expires]);
        else expect(details).toHaveLength(3);
      }
    }
  });

  it("marks a control a host has no result for", () => {
    const report = syntheticReport([["pass", "fail"]]);
    report.hosts[0]?.controls.pop();
    const data = dataOf(renderHtml(report));
    expect(data.hosts[0]?.cells).toBe("p-");
    expect(data.hosts[0]?.details[1]).toBe(0);
  });

  it("stores a message found on many hosts once", () => {
    const report = syntheticReport(Array.from({ length: 50 }, () => ["fail", "pass"]));
    for (const host of report.hosts) for (const result of host.controls) result.message = "condition is false: a rather long explanation shared by every host";
    const html = renderHtml(report);
    expect(count(html, /a rather long explanation/)).toBe(1);
  });

  it("renders a report without hosts or controls", () => {
    const html = renderHtml(syntheticReport([]));
    expect(dataOf(html)).toMatchObject({ hosts: [], controls: [] });
    expect(html).toContain('class="verdict verdict-compliant"');
  });

  it("allows by Content-Security-Policy exactly its own script and style, and nothing from anywhere", () => {
    const html = renderHtml(sample());
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)));
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1];
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1];
    if (csp === undefined || script === undefined || style === undefined) throw new Error("no CSP, script or style");
    const hash = (text: string): string => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
    expect(csp.split("; ")).toEqual(["default-src 'none'", `script-src ${hash(script)}`, `style-src ${hash(style)}`, "img-src 'none'", "base-uri 'none'", "form-action 'none'"]);
  });

  it("builds the page with DOM calls only: no eval, Function, innerHTML or document.write in its script", () => {
    const script = readFileSync(new URL("../../../templates/report-html-app.js", import.meta.url), "utf8");
    for (const banned of [/\beval\s*\(/, /\bFunction\s*\(/, /innerHTML/, /outerHTML/, /insertAdjacentHTML/, /document\.write/, /setTimeout\s*\(\s*["'`]/, /\bfetch\s*\(/, /XMLHttpRequest/, /WebSocket/, /import\s*\(/]) expect(script).not.toMatch(banned);
  });

  it("labels every filter and gives each status a symbol besides its colour", () => {
    const html = renderHtml(sample()).replace(DATA, "");
    for (const id of ["f-status", "f-severity", "f-group", "f-cluster", "f-search", "f-sort"]) expect(html).toContain(`<label for="${id}">`);
    const data = dataOf(renderHtml(sample()));
    const symbols = data.statuses.map((status) => status.symbol);
    expect(new Set(symbols).size).toBe(5);
    for (const symbol of symbols) expect(symbol.trim()).not.toBe("");
  });
});
