import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ControlStatus } from "../../../src/engine/results.js";
import { diffReports, renderDiffMarkdown, type ReportDiff } from "../../../src/report/diff.js";
import { oneLine } from "../../../src/report/render-common-text.js";
import { renderMarkdown } from "../../../src/report/render-markdown.js";
import type { FleetReport } from "../../../src/report/types.js";
import { syntheticReport } from "../../support/synthetic-report.js";

const FIXTURES = "test/fixtures/report";
const load = (name: string): FleetReport => JSON.parse(readFileSync(`${FIXTURES}/${name}`, "utf8")) as FleetReport;

/** Cells of a GFM table row: split at pipes not escaped with a backslash (as GFM does, also inside code spans). */
function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, "").replace(/(?<!\\)\|$/, "");
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim());
}

/** Every table of a document: its header, and its rows. */
function tables(markdown: string): Array<{ header: string[]; rows: string[][] }> {
  const found: Array<{ header: string[]; rows: string[][] }> = [];
  const lines = markdown.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? "";
    const next = lines[index + 1] ?? "";
    if (!line.startsWith("|") || !/^\|( *:?-+:? *\|)+$/.test(next)) continue;
    const table = { header: cells(line), rows: [] as string[][] };
    index += 2;
    while (index < lines.length && (lines[index] ?? "").startsWith("|")) table.rows.push(cells(lines[index++] ?? ""));
    found.push(table);
  }
  return found;
}

/** The "## Drift since" section: from its heading to the next heading of level 1 or 2, without the blank lines before that. */
function driftSection(markdown: string): string {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => line.startsWith("## Drift since "));
  if (start < 0) throw new Error("no drift section");
  const end = lines.findIndex((line, index) => index > start && /^##? /.test(line));
  return lines
    .slice(start, end < 0 ? undefined : end)
    .join("\n")
    .trimEnd();
}

const decode = (text: string): string => text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

/** A report of named hosts (controls C-0.. as syntheticReport makes them). */
function report(rows: Record<string, ControlStatus[]>, finishedAt = "2026-12-02T00:00:01.000Z"): FleetReport {
  const names = Object.keys(rows);
  const built = syntheticReport(names.map((name) => rows[name] ?? []));
  built.hosts.forEach((host, index) => (host.name = names[index] ?? host.name));
  built.finishedAt = finishedAt;
  return built;
}

/** tb1 newly fails C-0 and was fixed on C-1; tb2 still fails C-0 and is excused on C-2; tb3 is new, tb9 went. */
function pair(): { old: FleetReport; now: FleetReport; diff: ReportDiff } {
  const old = report({ tb1: ["pass", "fail", "pass"], tb2: ["fail", "pass", "fail"], tb9: ["fail", "fail", "fail"] }, "2026-11-20T08:30:00.000Z");
  const now = report({ tb1: ["fail", "pass", "pass"], tb2: ["fail", "pass", "not_applicable"], tb3: ["pass", "fail", "pass"] });
  old.summary.score = 40;
  now.summary.score = 55.5;
  return { old, now, diff: diffReports(old, now) };
}

describe("renderMarkdown without a drift", () => {
  it("is the document it was: the golden files, with no options, empty options or drift undefined", () => {
    for (const name of ["real-audit", "synthetic-report"]) {
      const golden = readFileSync(`${FIXTURES}/${name}.md`, "utf8");
      const report = load(`${name}.json`);
      expect(renderMarkdown(report)).toBe(golden);
      expect(renderMarkdown(report, {})).toBe(golden);
      expect(renderMarkdown(report, { drift: undefined })).toBe(golden);
      expect(golden).not.toContain("Drift");
    }
  });
});

describe("renderMarkdown with a drift", () => {
  it("adds a Drift since … section between the summary and the controls, and changes nothing else", () => {
    const { now, diff } = pair();
    const plain = renderMarkdown(now);
    const markdown = renderMarkdown(now, { drift: diff });
    const section = driftSection(markdown);
    expect(section.split("\n")[0]).toBe("## Drift since 2026-11-20 08:30:00 UTC");
    expect(markdown.indexOf(section)).toBeGreaterThan(markdown.indexOf("### Results by status and severity"));
    expect(markdown.indexOf(section)).toBeLessThan(markdown.indexOf("## Controls"));
    // without the section (and the blank line before it) the document is the one without drift
    expect(markdown.replace(`\n${section}\n`, "")).toBe(plain);
    expect(markdown).toContain(`| low | 0 | 0 | 0 | 0 | 0 | 0 |\n\n## Drift since`);
    expect(markdown).toContain("| tb2 | C-2 | medium | fail | not_applicable | control 2 | have |\n\n## Controls\n");
  });

  it("is renderDiffMarkdown's summary and tables, one heading level down", () => {
    const { now, diff } = pair();
    const section = driftSection(renderMarkdown(now, { drift: diff }));
    const expected = renderDiffMarkdown(diff)
      .trimEnd()
      .split("\n")
      .slice(1)
      .map((line) => (line.startsWith("## ") ? `#${line}` : line));
    expect(section.split("\n").slice(1)).toEqual(expected);
    expect(section).toContain("**2 newly failing**, 1 fixed, 1 still failing, 1 excused (now waived or not applicable). Score 40 → 55.5 (+15.5).");
    expect(section).toContain("- Hosts added: tb3\n- Hosts removed: tb9");
    for (const heading of ["### Newly failing (2)", "### Fixed (1)", "### Still failing (1)", "### Excused (now waived or not applicable) (1)"]) expect(section).toContain(`\n${heading}\n`);
    expect(section).toContain("| tb2 | C-2 | medium | fail | not_applicable | control 2 | have |");
    expect(section).not.toMatch(/^# /m);
  });

  it("stays short at 1,000 hosts: each category's table cut at 10 rows and a row counting the rest, host lists at 10 names", () => {
    const old = syntheticReport(Array.from({ length: 10 }, () => Array.from({ length: 8 }, (): ControlStatus => "pass")));
    const now = syntheticReport(Array.from({ length: 1000 }, (_, host) => Array.from({ length: 8 }, (__, control): ControlStatus => ((host + control) % 3 === 0 ? "fail" : "pass"))));
    const diff = diffReports(old, now);
    expect(diff.counts.newlyFailing).toBeGreaterThan(2500);
    const markdown = renderMarkdown(now, { drift: diff });
    const section = driftSection(markdown);
    expect(section).toContain(`\n### Newly failing (${diff.counts.newlyFailing})\n`);
    expect(section).toContain(`**${diff.counts.newlyFailing} newly failing**`);
    const [summary, newly, ...others] = tables(section);
    expect(summary?.header).toEqual(["", "old", "new"]);
    expect(others).toEqual([]);
    expect(newly?.rows).toHaveLength(11);
    for (const row of newly?.rows ?? []) expect(row).toHaveLength(7);
    expect(newly?.rows.at(-1)).toEqual(["…", `${diff.counts.newlyFailing - 10} more results (\`fleet report diff\` lists them all)`, "", "", "", "", ""]);
    expect(section).toContain("- Hosts added: h10, h11, h12, h13, h14, h15, h16, h17, h18, h19, +980 more");
    expect(section.length).toBeLessThan(3000);
    // the options cut it elsewhere
    const cut = driftSection(renderMarkdown(now, { drift: diff, driftRows: 3, hostsPerCell: 2 }));
    expect(tables(cut)[1]?.rows).toHaveLength(4);
    expect(cut).toContain("- Hosts added: h10, h11, +988 more");
  });
});

describe("renderMarkdown with a drift: strings cannot break out", () => {
  const HOSTILE = [
    "| a | b |",
    "<script>alert(1)</script>",
    "<details><summary>x</summary>",
    "**bold** _em_ ~~strike~~ `code` ``` fence",
    "[link](https://example.com) ![img](x.png) <https://example.com>",
    "\\| \\\\ \\` trailing \\",
    "line\nbreak\r\n# heading\n- item\n\n| x |",
    "&amp; &#60; &lt;",
    "$x^2$ :tada: @someone #12",
    "\u001b[31mred\u001b[0m \u0000 nul",
  ];

  /** Both reports with `text` in every string the drift section shows. */
  function hostilePair(text: string): { now: FleetReport; diff: ReportDiff } {
    const old = report({ [`${text}@kept`]: ["pass", "fail"], [`${text}@gone`]: ["fail", "fail"] }, text);
    const now = report({ [`${text}@kept`]: ["fail", "pass"], [`${text}@new`]: ["fail", "pass"] });
    for (const side of [old, now]) {
      side.playbook = text;
      side.startedAt = text;
      for (const [index, control] of side.controls.entries()) Object.assign(control, { id: `${text}#${index}`, title: text });
      for (const host of side.hosts) for (const [index, result] of host.controls.entries()) Object.assign(result, { id: `${text}#${index}`, actual: text, message: text });
    }
    return { now, diff: diffReports(old, now) };
  }

  const shownAs = (text: string): string => (oneLine(text) === "" ? "—" : oneLine(text));

  function expectContained(text: string): void {
    const { now, diff } = hostilePair(text);
    const markdown = renderMarkdown(now, { drift: diff });
    const section = driftSection(markdown);
    // nothing a string holds is markup: no tag, escape, code span, emphasis, link or maths of its own
    const ours = section.replace(/\*\*\d+ newly failing\*\*/, "").replace("`fleet report diff`", "");
    expect(ours).not.toMatch(/[<>\\`*[\]~$!]/);
    expect(section).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
    // the lines are the section's own: one heading, headings only where renderDiffMarkdown puts them
    expect(section.split("\n").filter((line) => line.startsWith("#"))).toEqual(["## Drift since " + section.split("\n")[0]?.slice(15), "### Newly failing (2)", "### Fixed (1)"]);
    // (the old report's finish as a UTC time when Date reads it as one, else as written)
    const finished = new Date(text);
    expect(decode(section.split("\n")[0]?.slice(15) ?? "")).toBe(Number.isNaN(finished.getTime()) ? oneLine(text) : `${finished.toISOString().slice(0, 19).replace("T", " ")} UTC`);
    // every row has its table's cells, and each cell shows the string (on one line) as written
    const [summary, newly, fixed, ...others] = tables(section);
    expect(others).toEqual([]);
    for (const table of [summary, newly, fixed]) for (const row of table?.rows ?? []) expect(row).toHaveLength(table?.header.length ?? -1);
    expect(decode(summary?.rows.find((row) => row[0] === "started")?.[1] ?? "")).toBe(oneLine(text));
    expect(newly?.rows.map((row) => [decode(row[0] ?? ""), decode(row[1] ?? ""), row[3], row[4], decode(row[5] ?? ""), decode(row[6] ?? "")])).toEqual([
      [shownAs(`${text}@kept`), shownAs(`${text}#0`), "pass", "fail", shownAs(text), shownAs(text)],
      [shownAs(`${text}@new`), shownAs(`${text}#0`), "absent", "fail", shownAs(text), shownAs(text)],
    ]);
    expect(decode(section)).toContain(`- Hosts added: ${oneLine(`${text}@new`)}\n- Hosts removed: ${oneLine(`${text}@gone`)}`);
    // and the rest of the document is the one without drift
    expect(markdown.replace(`\n${section}\n`, "")).toBe(renderMarkdown(now));
  }

  for (const text of HOSTILE) it(`contains ${JSON.stringify(text)}`, () => expectContained(text));

  it("contains any string", () => {
    const text = fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.constantFrom(...HOSTILE), fc.array(fc.constantFrom("<", "|", "\\", "`", "*", "_", "[", "]", "(", ")", "&", "#", ";", "\n", " ", "a", "1"), { minLength: 1, maxLength: 20 }).map((parts) => parts.join("")));
    fc.assert(fc.property(text, (value) => expectContained(value)), { numRuns: 200 });
  });
});
