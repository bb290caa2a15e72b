import fc from "fast-check";
import Handlebars from "handlebars";
import { describe, expect, it } from "vitest";
import { renderHtml } from "../../../src/report/render-html.js";
import type { HtmlReportData } from "../../../src/report/render-html-data.js";
import type { FleetReport } from "../../../src/report/types.js";
import { syntheticReport } from "../../support/synthetic-report.js";

const DATA = /<script type="application\/json" id="fleet-report-data">([\s\S]*?)<\/script>/;

const HOSTILE = [
  "</script><script>alert(1)</script>",
  "<!--",
  "<!-- <script>alert(2)</script> -->",
  "</SCRIPT ><script>alert(3)//",
  "</style><script>alert(4)</script>",
  `"'><img src=x onerror=alert(5)>`,
  "line\u2028separator\u2029paragraph",
  "{{constructor}} {{{x}}} ${x} `x`",
  "a & b &amp; <b>bold</b> ]]> \\u003c \\",
  "\ud800 lone surrogate",
];

/** A report with `text` in every string field a renderer shows. */
function hostileReport(text: string): FleetReport {
  const report = syntheticReport([["fail", "waived"], ["pass", "error"]], [text, null]);
  report.playbook = text;
  for (const [index, control] of report.controls.entries()) Object.assign(control, { id: `${text}#${index}`, title: text, section: text, rationale: text, remediation: text, fixVar: text, fix: "opt-in" });
  for (const [index, host] of report.hosts.entries()) {
    host.name = `${text}@${index}`;
    host.groups = [text];
    host.error = text;
    for (const [controlIndex, result] of host.controls.entries()) {
      Object.assign(result, { id: `${text}#${controlIndex}`, expected: text, actual: text, message: text });
      if (result.status === "waived") result.waiver = { justification: text, expires: text };
    }
  }
  return report;
}

function dataOf(html: string): HtmlReportData {
  const match = DATA.exec(html);
  if (!match?.[1]) throw new Error("no data blob");
  return JSON.parse(match[1]) as HtmlReportData;
}

/** The page's markup, tag by tag, without the data blob's text: what a string could add to or end. */
function skeleton(html: string): string[] {
  return [...html.replace(DATA, "").matchAll(/<\/?[a-z!][^\s>/]*/gi)].map((match) => match[0].toLowerCase());
}

const benign = skeleton(renderHtml(hostileReport("plain")));

function expectContained(text: string): void {
  const html = renderHtml(hostileReport(text));
  // the markup is exactly that of a harmless report: two scripts, one style, no comment
  expect(skeleton(html)).toEqual(benign);
  expect([...html.matchAll(/<script[\s>]/gi)]).toHaveLength(2);
  expect([...html.matchAll(/<\/script/gi)]).toHaveLength(2);
  expect([...html.matchAll(/<\/style/gi)]).toHaveLength(1);
  expect(html).not.toContain("<!--");
  // no script holds a raw line or paragraph separator (in text of the page they are harmless)
  for (const script of html.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/gi)) expect(script[1]).not.toMatch(/[\u2028\u2029]/);
  // the data blob has no markup at all, and gives the strings back exactly
  const blob = DATA.exec(html)?.[1] ?? "";
  expect(blob).not.toMatch(/[<>&\u2028\u2029]/);
  const data = dataOf(html);
  expect(data.hosts[0]?.name).toBe(`${text}@0`);
  expect(data.hosts[0]?.groups).toEqual([text]);
  expect(data.hosts[0]?.cluster).toBe(text);
  expect(data.controls[1]).toMatchObject({ id: `${text}#1`, title: text, section: text, rationale: text, remediation: text, fixVar: text });
  const details = data.hosts[0]?.details[1];
  expect(Array.isArray(details) ? details.map((index) => data.strings[index]) : []).toEqual([text, text, text, text, text].map((value) => (value === "" ? undefined : value)));
  // what the shell shows of the report (playbook, cluster names) is HTML-escaped
  const shell = html.replace(DATA, "");
  if (text !== "") expect(shell).toContain(`<code>${Handlebars.escapeExpression(text)}</code>`);
}

describe("renderHtml: strings of the report cannot break out", () => {
  for (const text of HOSTILE) it(`contains ${JSON.stringify(text)}`, () => expectContained(text));

  it("contains any string", () => {
    const text = fc.oneof(fc.string({ unit: "binary", minLength: 1 }), fc.constantFrom(...HOSTILE), fc.array(fc.constantFrom("<", "/", "script", "!", "-", ">", "\u2028", "'", '"', "&"), { minLength: 1 }).map((parts) => parts.join("")));
    fc.assert(fc.property(text, (value) => expectContained(value)), { numRuns: 200 });
  });
});
