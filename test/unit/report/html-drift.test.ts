import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import Handlebars from "handlebars";
import { describe, expect, it } from "vitest";
import type { ControlStatus } from "../../../src/engine/results.js";
import { diffReports, type ReportDiff } from "../../../src/report/diff.js";
import { CONTROL_STATUSES } from "../../../src/report/model.js";
import { renderHtml } from "../../../src/report/render-html.js";
import type { HtmlReportData } from "../../../src/report/render-html-data.js";
import type { FleetReport } from "../../../src/report/types.js";
import { syntheticReport } from "../../support/synthetic-report.js";

const DATA = /<script type="application\/json" id="fleet-report-data">([\s\S]*?)<\/script>/;
const DRIFT_SECTION = /<section id="drift"[\s\S]*?<\/section>/;

function dataOf(html: string): HtmlReportData {
  const match = DATA.exec(html);
  if (!match?.[1]) throw new Error("no data blob");
  return JSON.parse(match[1]) as HtmlReportData;
}

function inlined(html: string): { script: string; style: string } {
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1];
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1];
  if (script === undefined || style === undefined) throw new Error("no script or style");
  return { script, style };
}

/** The page's markup, tag by tag, without the data blob's text: what a string could add to or end. */
function skeleton(html: string): string[] {
  return [...html.replace(DATA, "").matchAll(/<\/?[a-z!][^\s>/]*/gi)].map((match) => match[0].toLowerCase());
}

/** A report of named hosts (controls C-0.. as syntheticReport makes them). */
function report(rows: Record<string, ControlStatus[]>, finishedAt = "2026-12-02T00:00:01.000Z"): FleetReport {
  const names = Object.keys(rows);
  const built = syntheticReport(names.map((name) => rows[name] ?? []));
  built.hosts.forEach((host, index) => (host.name = names[index] ?? host.name));
  built.finishedAt = finishedAt;
  return built;
}

/** tb1 newly fails C-0 and was fixed on C-1; tb2 still fails C-0 and is excused on C-2; tb3 is new (fails C-1), tb9 went. */
function pair(): { old: FleetReport; now: FleetReport; diff: ReportDiff } {
  const old = report({ tb1: ["pass", "fail", "pass"], tb2: ["fail", "pass", "fail"], tb9: ["fail", "fail", "fail"] }, "2026-11-20T08:30:00.000Z");
  const now = report({ tb1: ["fail", "pass", "pass"], tb2: ["fail", "pass", "waived"], tb3: ["pass", "fail", "pass"] });
  old.summary.score = 40;
  now.summary.score = 55.5;
  return { old, now, diff: diffReports(old, now) };
}

const appJs = readFileSync(new URL("../../../templates/report-html-app.js", import.meta.url), "utf8");
const styleCss = readFileSync(new URL("../../../templates/report-html-style.css", import.meta.url), "utf8");

describe("renderHtml without a drift", () => {
  it("is the page it was: same output with no options, and no trace of drift in markup, script, style or data", () => {
    const { now } = pair();
    const html = renderHtml(now);
    expect(renderHtml(now, {})).toBe(html);
    expect(renderHtml(now, { drift: undefined })).toBe(html);
    expect(html.toLowerCase()).not.toContain("drift");
    expect(dataOf(html)).not.toHaveProperty("drift");
    // the inlined script and style are the templates with their drift parts (marker lines included) left out
    const { script, style } = inlined(html);
    expect(script).toBe(appJs.replace(/^[ \t]*\/\/ drift:begin\n[\s\S]*?^[ \t]*\/\/ drift:end\n/gm, ""));
    expect(style).toBe(styleCss.replace(/^\/\* drift:begin \*\/\n[\s\S]*?^\/\* drift:end \*\/\n/gm, ""));
    expect(script.length).toBeLessThan(appJs.length);
    expect(style.length).toBeLessThan(styleCss.length);
  });
});

describe("renderHtml with a drift", () => {
  it("shows a Drift section after the verdict and before the counts: the old report's finish, the score, the counts of every category", () => {
    const { now, diff } = pair();
    const html = renderHtml(now, { drift: diff });
    const shell = html.replace(DATA, "");
    const section = DRIFT_SECTION.exec(shell)?.[0] ?? "";
    expect(section).toContain('<h2 id="drift-title">Drift since <time datetime="2026-11-20T08:30:00.000Z">2026-11-20T08:30:00.000Z</time></h2>');
    expect(shell.indexOf('<section id="drift"')).toBeGreaterThan(shell.indexOf('<section class="verdict'));
    expect(shell.indexOf('<section id="drift"')).toBeLessThan(shell.indexOf('<section class="counts"'));
    expect(section).toContain("score 40.0 → 55.5 (+15.5)");
    expect(section).toContain('class="drift drift-regressions"');
    const rows = [...section.matchAll(/<tr class="drift-(\w+)"><th scope="row">(?:<span[^>]*>[▲▼]<\/span> )?([^<]+)<\/th><td>([^<]+)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((match) => [match[1], match[2], match[3], match[4]]);
    expect(rows).toEqual([
      ["new", "Newly failing", "2", expect.any(String)],
      ["fixed", "Fixed", "1", expect.any(String)],
      ["still", "Still failing", "1", expect.any(String)],
      ["excused", "Excused", "1", expect.any(String)],
      ["hosts", "Hosts added / removed", "1 / 1", "added: tb3; removed: tb9"],
      ["controls", "Controls added / removed", "0 / 0", "none"],
    ]);
    expect(section).toContain('<div id="drift-lists" class="drift-lists"></div>');
    // the legend explains the marks of the matrix
    expect(shell).toMatch(/<span class="drift-mark drift-mark-new" aria-hidden="true">▲<\/span> newly failing<\/span><span><span class="drift-mark drift-mark-fixed" aria-hidden="true">▼<\/span> fixed/);
  });

  it("puts the newly failing and fixed changes into the data blob as [host, control, before, after] by index and status letter", () => {
    const { now, diff } = pair();
    const data = dataOf(renderHtml(now, { drift: diff }));
    expect(data.drift).toEqual({
      old: diff.old,
      new: diff.new,
      counts: diff.counts,
      newlyFailing: [
        [0, 0, "p", "f"],
        [2, 1, "-", "f"],
      ],
      fixed: [[0, 1, "f", "p"]],
    });
    // the rest of the blob is the one of the page without drift
    const { drift: _drift, ...rest } = data;
    expect(rest).toEqual(dataOf(renderHtml(now)));
  });

  it("names a host or control its report does not have (a diff against another report), instead of an index", () => {
    const { now, diff } = pair();
    const other: ReportDiff = { ...diff, newlyFailing: [...diff.newlyFailing, { host: "elsewhere", control: "C-0", title: "t", severity: "low", before: "pass", after: "error", actual: null, message: "" }, { host: "tb1", control: "X-9", title: "t", severity: "low", before: null, after: "fail", actual: null, message: "" }] };
    expect(dataOf(renderHtml(now, { drift: other })).drift?.newlyFailing.slice(2)).toEqual([
      ["elsewhere", 0, "p", "e"],
      [0, "X-9", "-", "f"],
    ]);
  });

  it("inlines the script and style with their drift parts, without the marker lines, and allows exactly those by CSP", () => {
    const { now, diff } = pair();
    const html = renderHtml(now, { drift: diff });
    const { script, style } = inlined(html);
    expect(script).toBe(appJs.replace(/^[ \t]*\/\/ drift:(?:begin|end)\n/gm, ""));
    expect(style).toBe(styleCss.replace(/^\/\* drift:(?:begin|end) \*\/\n/gm, ""));
    expect(script).toContain("function markDrift(");
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)));
    const hash = (text: string): string => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
    expect(csp?.split("; ")).toEqual(["default-src 'none'", `script-src ${hash(script)}`, `style-src ${hash(style)}`, "img-src 'none'", "base-uri 'none'", "form-action 'none'"]);
    for (const banned of [/\beval\s*\(/, /\bFunction\s*\(/, /innerHTML/, /outerHTML/, /insertAdjacentHTML/, /document\.write/, /\bfetch\s*\(/]) expect(script).not.toMatch(banned);
  });

  it("keeps 1,000 hosts × 40 controls with thousands of results newly failing and fixed under 3 MB", () => {
    const statuses = (shift: number): ControlStatus[][] => Array.from({ length: 1000 }, (_, host) => Array.from({ length: 40 }, (_, control) => ((host * 7 + control * 3 + shift) % 11 < 6 ? "pass" : (CONTROL_STATUSES[(host + control) % 5] ?? "pass"))));
    const old = syntheticReport(statuses(0));
    const now = syntheticReport(statuses(5));
    const diff = diffReports(old, now);
    expect(diff.counts.newlyFailing).toBeGreaterThan(5000);
    const withDrift = Buffer.byteLength(renderHtml(now, { drift: diff }), "utf8");
    const without = Buffer.byteLength(renderHtml(now), "utf8");
    console.log(`HTML report, 1,000 hosts × 40 controls with a drift of ${diff.counts.newlyFailing} newly failing and ${diff.counts.fixed} fixed: ${withDrift} bytes (${withDrift - without} for the drift)`);
    expect(withDrift).toBeLessThan(3 * 1024 * 1024);
  });
});

describe("renderHtml with a drift: strings of the reports cannot break out", () => {
  const HOSTILE = [
    "</script><script>alert(1)</script>",
    "<!-- <script>alert(2)</script> -->",
    `"'><img src=x onerror=alert(5)>`,
    "line\u2028separator\u2029paragraph",
    "{{constructor}} {{{x}}} ${x} `x`",
    "a & b &amp; <b>bold</b> \\u003c \\",
  ];

  /** Both reports with `text` in every string the drift carries: playbooks, finish times, host names, control ids. */
  function hostilePair(text: string): { now: FleetReport; diff: ReportDiff } {
    const old = report({ [`${text}@kept`]: ["pass", "fail"], [`${text}@gone`]: ["fail", "fail"] }, text);
    const now = report({ [`${text}@kept`]: ["fail", "pass"], [`${text}@new`]: ["fail", "pass"] });
    for (const side of [old, now]) {
      side.playbook = text;
      for (const [index, control] of side.controls.entries()) Object.assign(control, { id: `${text}#${index}`, title: text });
      for (const host of side.hosts) for (const [index, result] of host.controls.entries()) Object.assign(result, { id: `${text}#${index}`, actual: text, message: text });
    }
    const diff = diffReports(old, now);
    // one change names a host this report does not have: its name goes into the data as a string
    diff.newlyFailing.push({ host: `${text}@elsewhere`, control: `${text}#9`, title: text, severity: "low", before: null, after: "fail", actual: text, message: text });
    return { now, diff };
  }

  const benign = skeleton(renderHtml(hostilePair("plain").now, { drift: hostilePair("plain").diff }));

  function expectContained(text: string): void {
    const { now, diff } = hostilePair(text);
    const html = renderHtml(now, { drift: diff });
    expect(skeleton(html)).toEqual(benign);
    expect([...html.matchAll(/<script[\s>]/gi)]).toHaveLength(2);
    expect([...html.matchAll(/<\/script/gi)]).toHaveLength(2);
    expect(html).not.toContain("<!--");
    const blob = DATA.exec(html)?.[1] ?? "";
    expect(blob).not.toMatch(/[<>&\u2028\u2029]/);
    const drift = dataOf(html).drift;
    expect(drift?.old.playbook).toBe(text);
    expect(drift?.old.finishedAt).toBe(text);
    expect(drift?.newlyFailing.at(-1)).toEqual([`${text}@elsewhere`, `${text}#9`, "-", "f"]);
    // the shell shows the old report's finish time and the names of hosts added and removed HTML-escaped
    const section = DRIFT_SECTION.exec(html.replace(DATA, ""))?.[0] ?? "";
    expect(section).toContain(`Drift since <time datetime="${Handlebars.escapeExpression(text)}">${Handlebars.escapeExpression(text)}</time>`);
    expect(section).toContain(`added: ${Handlebars.escapeExpression(`${text}@new`)}; removed: ${Handlebars.escapeExpression(`${text}@gone`)}`);
  }

  for (const text of HOSTILE) it(`contains ${JSON.stringify(text)}`, () => expectContained(text));

  it("contains any string", () => {
    const text = fc.oneof(fc.string({ unit: "binary", minLength: 1 }), fc.constantFrom(...HOSTILE), fc.array(fc.constantFrom("<", "/", "script", "!", "-", ">", "\u2028", "'", '"', "&"), { minLength: 1 }).map((parts) => parts.join("")));
    fc.assert(fc.property(text, (value) => expectContained(value)), { numRuns: 100 });
  });
});
