import { describe, expect, it } from "vitest";
import { renderHtml } from "../../../src/report/render-html.js";
import { syntheticReport } from "../../support/synthetic-report.js";

const DATA = /<script type="application\/json" id="fleet-report-data">([\s\S]*?)<\/script>/;

/** Every way a page's markup, style or script could ask for something by address. */
const FETCHES: RegExp[] = [
  /<script[^>]*\ssrc\s*=/i,
  /<link[\s>]/i,
  /<[a-z][^>]*\s(?:src|href|srcset|action|formaction|poster|data|background|ping|manifest|xmlns)\s*=/i,
  /\.(?:src|href|action)\s*=|setAttribute\(\s*["'](?:src|href|action)/,
  /<(?:img|iframe|frame|object|embed|audio|video|source|track|base|portal|svg|math)[\s>]/i,
  /url\s*\(/i,
  /@import/i,
  /@font-face/i,
  /https?:/i,
  /\/\/[a-z0-9.-]+\.[a-z]{2,}\//i,
  /\b(?:fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon|importScripts|Worker)\b/,
];

describe("renderHtml: nothing from the network", () => {
  it("has no address of any kind in its markup, style or script", () => {
    const html = renderHtml(syntheticReport([["pass", "fail"], ["error", "waived"]], ["c1", null]));
    for (const pattern of FETCHES) expect(html, String(pattern)).not.toMatch(pattern);
  });

  it("carries the report's own addresses only as data", () => {
    const report = syntheticReport([["fail"]]);
    const url = "https://documentation.ubuntu.com/lxd/en/latest/explanation/security/";
    Object.assign(report.controls[0] ?? {}, { remediation: `see ${url}`, rationale: url });
    Object.assign(report.hosts[0]?.controls[0] ?? {}, { message: `proxy is http://proxy.example:3128` });
    const html = renderHtml(report);
    const outside = html.replace(DATA, "");
    for (const pattern of FETCHES) expect(outside, String(pattern)).not.toMatch(pattern);
    const blob = DATA.exec(html)?.[1] ?? "";
    expect(blob).toContain(url);
    expect(blob).toContain("http://proxy.example:3128");
  });

  it("forbids every fetch by its Content-Security-Policy", () => {
    const html = renderHtml(syntheticReport([["pass"]]));
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; /);
    expect(html.indexOf("Content-Security-Policy")).toBeLessThan(html.indexOf("<style>"));
  });
});
