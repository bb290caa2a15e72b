import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ControlStatus } from "../../../src/engine/results.js";
import { formatDuration } from "../../../src/report/render-trend-common.js";
import { renderTrend, trendFormatOfFile } from "../../../src/report/render-trend.js";
import { trendModel, type TrendModel } from "../../../src/report/trend.js";
import type { FleetReport } from "../../../src/report/types.js";
import { syntheticReport } from "../../support/synthetic-report.js";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-12-01T00:00:00.000Z");

function at(hours: number, rows: Record<string, ControlStatus[]>, patch: Partial<FleetReport> = {}): FleetReport {
  const names = Object.keys(rows);
  const report = syntheticReport(names.map((name) => rows[name] ?? []));
  report.hosts.forEach((host, index) => (host.name = names[index] ?? host.name));
  report.startedAt = new Date(T0 + hours * HOUR).toISOString();
  report.finishedAt = report.startedAt;
  return Object.assign(report, patch);
}

function sample(): TrendModel {
  return trendModel(
    [
      at(0, { web1: ["pass", "fail", "pass"], web2: ["pass", "pass", "waived"] }),
      at(26, { web1: ["fail", "fail", "pass"], web2: ["pass", "pass", "waived"] }),
      at(30, { web1: ["fail", "pass", "pass"], web2: ["error", "pass", "waived"] }, { interrupted: true }),
      at(50, { web1: ["pass", "pass", "pass"], web3: ["fail", "pass", "not_applicable"] }),
    ],
    { sources: ["r1.json", "r2.json", "r3.json", "r4.json"] },
  );
}

/** Hostile names: markup, quotes, an ampersand, terminal escapes, a Markdown table breaker. */
function hostile(): TrendModel {
  const first = at(0, { "<script>alert(1)</script>": ["pass"], "a|b & \"c\" 'd'": ["fail"], "\u001b[31mred\u001b[0m": ["pass"] }, { playbook: "<b>play</b>.yml" });
  const second = at(1, { "<script>alert(1)</script>": ["fail"], "a|b & \"c\" 'd'": ["pass"], "\u001b[31mred\u001b[0m": ["pass"] }, { playbook: "<b>play</b>.yml" });
  for (const report of [first, second]) {
    const control = report.controls[0];
    if (control) control.title = "</style><img src=x>";
  }
  return trendModel([first, second]);
}

const VOID = new Set(["meta", "link", "br", "hr", "img", "input", "area", "base", "col", "embed", "source", "track", "wbr"]);
const TAG = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[a-zA-Z_:][-\w:.]*(?:="[^"<]*")?)*)\s*(\/?)>/y;
const ENTITY = /&(?:amp|lt|gt|quot|#\d+);/y;

/**
 * A strict check of the page's markup: a doctype, then elements that nest and close properly
 * (void elements excepted), attribute values quoted, no stray `<`, every `&` an entity. Style
 * content is skipped as raw text, as HTML parses it.
 */
function wellFormed(html: string): { ok: true } | { ok: false; at: number; why: string } {
  if (!html.startsWith("<!doctype html>\n")) return { ok: false, at: 0, why: "no doctype" };
  const stack: string[] = [];
  let index = "<!doctype html>\n".length;
  while (index < html.length) {
    const char = html[index];
    if (char === "<") {
      TAG.lastIndex = index;
      const match = TAG.exec(html);
      if (match === null) return { ok: false, at: index, why: `stray < ${JSON.stringify(html.slice(index, index + 30))}` };
      const [whole, closing, name = "", attributes = ""] = match;
      for (const amp of attributes.matchAll(/&/g)) {
        ENTITY.lastIndex = amp.index;
        if (!ENTITY.test(attributes)) return { ok: false, at: index, why: "bare & in an attribute" };
      }
      const tag = name.toLowerCase();
      if (closing === "/") {
        if (stack.pop() !== tag) return { ok: false, at: index, why: `</${tag}> closes nothing open` };
      } else if (!VOID.has(tag)) {
        stack.push(tag);
        if (tag === "style") {
          const end = html.indexOf("</style>", index + whole.length);
          if (end < 0) return { ok: false, at: index, why: "unclosed style" };
          index = end;
          continue;
        }
      }
      index += whole.length;
    } else if (char === "&") {
      ENTITY.lastIndex = index;
      if (!ENTITY.test(html)) return { ok: false, at: index, why: "bare &" };
      index = ENTITY.lastIndex;
    } else if (char === ">") {
      return { ok: false, at: index, why: "stray >" };
    } else index += 1;
  }
  if (stack.length > 0) return { ok: false, at: html.length, why: `unclosed ${stack.join(" > ")}` };
  return { ok: true };
}

/** Every way a page could ask for something by address (as the HTML report's offline test), an inline <svg> allowed. */
const FETCHES: RegExp[] = [
  /<script[\s>]/i,
  /<link[\s>]/i,
  /<[a-z][^>]*\s(?:src|href|srcset|action|formaction|poster|data|background|ping|manifest|xmlns)\s*=/i,
  /<(?:img|iframe|frame|object|embed|audio|video|source|track|base|portal|math|image|use|foreignObject)[\s>]/i,
  /url\s*\(/i,
  /@import/i,
  /@font-face/i,
  /https?:/i,
];

describe("renderTrend: HTML", () => {
  const html = renderTrend(sample(), "html");

  it("is a well-formed page with two inline SVG charts", () => {
    expect(wellFormed(html)).toEqual({ ok: true });
    expect(html.match(/<svg[\s>]/g)).toHaveLength(2);
    expect(html).toContain('<svg class="chart" id="score-chart"');
    expect(html).toMatch(/<polyline class="line score" points="[\d., ]+"><\/polyline>/);
    expect(html).toContain("<h2 id=\"controls-title\">Controls</h2>");
  });

  it("opens offline: no address, no script; the CSP allows only its own style, by hash", () => {
    for (const pattern of FETCHES) expect(html, String(pattern)).not.toMatch(pattern);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? "";
    const hash = createHash("sha256").update(style, "utf8").digest("base64");
    expect(html).toContain(`content="default-src 'none'; style-src 'sha256-${hash}'; img-src 'none'; base-uri 'none'; form-action 'none'"`);
  });

  it("shows an interrupted run as a gap: a hollow dot off the line, an italic row", () => {
    expect(html).toContain('<circle class="dot-gap"');
    expect(html).toMatch(/<tr class="gap"><td class="num">3<\/td>/);
    // the score line stops at the gap: reports 1 and 2 are joined, report 4 (after the gap) is a dot alone
    expect(html.match(/<polyline class="line score" points="([^"]*)"/g)).toHaveLength(1);
    expect(/<polyline class="line score" points="([^"]*)"/.exec(html)?.[1]?.split(" ")).toHaveLength(2);
  });

  it("escapes every text it shows", () => {
    const page = renderTrend(hostile(), "html");
    expect(wellFormed(page)).toEqual({ ok: true });
    expect(page).not.toMatch(/<script|<img|<b>|<\/style><img/i);
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).toContain("a|b &amp; &quot;c&quot; &#39;d&#39;");
    expect(page).toContain("&lt;b&gt;play&lt;/b&gt;.yml");
    expect(page).not.toContain("\u001b");
  });

  it("has one point only for a history of one report", () => {
    const page = renderTrend(trendModel([at(0, { h: ["pass"] })]), "html");
    expect(wellFormed(page)).toEqual({ ok: true });
    expect(page).not.toContain("<polyline");
    expect(page).toContain("<circle");
  });
});

describe("renderTrend: table, Markdown, JSON", () => {
  const model = sample();

  it("the table shows the reports, the controls and the hosts with the figures", () => {
    const text = renderTrend(model, "table");
    expect(text).toContain("Compliance trend of p.yml");
    expect(text).toMatch(/4 reports from 2026-12-01 00:00:00Z to 2026-12-03 02:00:00Z, 1 interrupted \(gaps\)/);
    expect(text).toMatch(/interrupted: a gap/);
    expect(text).toMatch(/hosts added: web3; hosts removed: web2/);
    // C-0: web1 failed at 26 h, fixed at 50 h (24 h) when web3 appeared failing: the control has failed somewhere since 26 h
    expect(text).toMatch(/C-0 .*critical .*failing on 1 .*failing since 2026-12-02 02:00:00Z .*failing × 2 .*1 .*1 .*1d .*1d .*1d/);
    expect(text).toContain("1 regression, 2 fixes, 2 new failures; 1 result failing now, 1 failure not fixed");
    // C-1: failing on web1 from the first report, fixed in the last (interrupted report is a gap): 2d 2h
    expect(text).toMatch(/C-1 .*passing .*fixed 2026-12-03 02:00:00Z .*2d 2h/);
    expect(text).toMatch(/web2 .*removed/);
    expect(text).not.toContain("\u001b");
  });

  it("the table keeps terminal escapes out", () => {
    expect(renderTrend(hostile(), "table")).not.toContain("\u001b");
  });

  it("Markdown: headings, tables, escaped cells", () => {
    const text = renderTrend(model, "md");
    expect(text).toMatch(/^# Compliance trend of p\.yml/);
    expect(text).toContain("## Reports");
    expect(text).toContain("| # | started | score | pass % |");
    expect(text).toContain("## Controls");
    expect(text).toContain("## Hosts");
    const hostileText = renderTrend(hostile(), "md");
    expect(hostileText).toContain("a\\|b");
    expect(hostileText).toContain("\\<script>alert(1)\\</script>");
    expect(hostileText).not.toMatch(/(?<!\\)<(?:script|b)>/);
  });

  it("JSON is the model", () => {
    const parsed = JSON.parse(renderTrend(model, "json")) as TrendModel;
    expect(parsed).toEqual(JSON.parse(JSON.stringify(model)));
    expect(parsed.schema).toBe("fleet-trend/v1");
  });

  it("the format follows the -o extension", () => {
    expect(["a.txt", "a.md", "a.html", "a.HTM", "a.json"].map(trendFormatOfFile)).toEqual(["table", "md", "html", "html", "json"]);
    expect(() => trendFormatOfFile("a.pdf")).toThrow(/unknown trend format ".pdf"/);
  });

  it("durations in their two largest units", () => {
    expect([0, 400, 45_000, 125_000, 3 * HOUR + 5 * 60_000, 26 * HOUR, 72 * HOUR + 60_000, null].map(formatDuration)).toEqual(["0s", "0s", "45s", "2m 5s", "3h 5m", "1d 2h", "3d", "—"]);
  });
});
