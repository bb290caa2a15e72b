import { existsSync, readFileSync, writeFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ControlStatus } from "../../../src/engine/results.js";
import { CONTROL_STATUSES, reportModel } from "../../../src/report/model.js";
import { renderJUnit, xmlAttr, xmlText } from "../../../src/report/render-junit.js";
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

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

// Characters XML 1.0 allows; anything else makes the document not well-formed.
const XML_CHARS = /^[\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/g;
const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Character data or an attribute value: every & starts a known reference; decoded. */
function decode(raw: string, where: string): string {
  if (/&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error(`bare & in ${where}: ${raw}`);
  return raw.replace(ENTITY, (_match, name: string | undefined, decimal: string | undefined, hex: string | undefined) => {
    if (name !== undefined) return NAMED[name] ?? "";
    const code = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? "", 16);
    const char = String.fromCodePoint(code);
    if (!XML_CHARS.test(char)) throw new Error(`reference to a character XML forbids: ${code}`);
    return char;
  });
}

/**
 * A small, strict XML 1.0 well-formedness check and parser, enough for JUnit: an optional
 * declaration, elements, attributes (quoted, unique, no <, references valid), character data
 * (no <, no ]]>, references valid), comments; one root; nothing but white space around it.
 */
function parseXml(xml: string): XmlElement {
  if (!XML_CHARS.test(xml)) throw new Error("a character XML 1.0 forbids");
  let rest = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>/, "");
  const root: XmlElement = { name: "#document", attributes: {}, children: [], text: "" };
  const stack: XmlElement[] = [root];
  const top = (): XmlElement => stack[stack.length - 1] ?? root;
  while (rest.length > 0) {
    if (rest.startsWith("<!--")) {
      const end = rest.indexOf("-->");
      if (end < 0) throw new Error("unterminated comment");
      rest = rest.slice(end + 3);
      continue;
    }
    if (rest.startsWith("</")) {
      const match = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(rest);
      const open = top();
      if (!match || stack.length === 1 || match[1] !== open.name) throw new Error(`unexpected ${rest.slice(0, 30)} in <${open.name}>`);
      stack.pop();
      rest = rest.slice(match[0].length);
      continue;
    }
    if (rest.startsWith("<")) {
      const match = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(rest);
      if (!match) throw new Error(`malformed tag: ${rest.slice(0, 60)}`);
      const element: XmlElement = { name: match[1] ?? "", attributes: {}, children: [], text: "" };
      for (const attribute of (match[2] ?? "").matchAll(/([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        const name = attribute[1] ?? "";
        if (name in element.attributes) throw new Error(`duplicate attribute ${name}`);
        // Literal white space in attribute values is normalised to spaces by parsers (references are kept).
        element.attributes[name] = decode((attribute[2] ?? attribute[3] ?? "").replace(/[\t\n\r]/g, " "), `attribute ${name}`);
      }
      if (top() === root && root.children.length > 0) throw new Error("a second root element");
      top().children.push(element);
      if (match[3] !== "/") stack.push(element);
      rest = rest.slice(match[0].length);
      continue;
    }
    const end = rest.indexOf("<");
    const raw = end < 0 ? rest : rest.slice(0, end);
    if (raw.includes("]]>")) throw new Error("]]> in character data");
    if (top() === root && raw.trim() !== "") throw new Error(`text outside the root: ${raw.slice(0, 30)}`);
    top().text += decode(raw, `<${top().name}>`);
    rest = end < 0 ? "" : rest.slice(end);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${top().name}>`);
  const document = root.children[0];
  if (!document) throw new Error("no root element");
  return document;
}

const int = (element: XmlElement, name: string): number => {
  const value = element.attributes[name];
  if (value === undefined || !/^\d+$/.test(value)) throw new Error(`<${element.name}> ${name}="${value}"`);
  return Number(value);
};

/** The JUnit document parsed back; every count attribute is checked against the elements it counts. */
function junitCounts(xml: string): { totals: Record<"tests" | "failures" | "errors" | "skipped", number>; suites: Array<{ name: string; tests: number; failures: number; errors: number; skipped: number; cases: XmlElement[] }> } {
  const root = parseXml(xml);
  expect(root.name).toBe("testsuites");
  const suites = root.children.map((suite) => {
    expect(suite.name).toBe("testsuite");
    const cases = suite.children.filter((child) => child.name === "testcase");
    const count = (name: string): number => cases.filter((testcase) => testcase.children.some((child) => child.name === name)).length;
    for (const testcase of cases) expect(testcase.children.length).toBeLessThanOrEqual(1);
    const counted = { tests: cases.length, failures: count("failure"), errors: count("error"), skipped: count("skipped") };
    expect({ tests: int(suite, "tests"), failures: int(suite, "failures"), errors: int(suite, "errors"), skipped: int(suite, "skipped") }).toEqual(counted);
    return { name: suite.attributes["name"] ?? "", ...counted, cases };
  });
  const sum = (key: "tests" | "failures" | "errors" | "skipped"): number => suites.reduce((total, suite) => total + suite[key], 0);
  const totals = { tests: int(root, "tests"), failures: int(root, "failures"), errors: int(root, "errors"), skipped: int(root, "skipped") };
  expect(totals).toEqual({ tests: sum("tests"), failures: sum("failures"), errors: sum("errors"), skipped: sum("skipped") });
  return { totals, suites };
}

/** JUnit totals equal the model's counts, fleet-wide and per host. */
function expectModelCounts(report: FleetReport, xml: string): void {
  const model = reportModel(report);
  const { totals, suites } = junitCounts(xml);
  expect(totals).toEqual({ tests: CONTROL_STATUSES.reduce((sum, status) => sum + model.counts[status], 0), failures: model.counts.fail, errors: model.counts.error, skipped: model.counts.waived + model.counts.not_applicable });
  expect(suites.map((suite) => [suite.tests, suite.failures, suite.errors, suite.skipped])).toEqual(
    model.hosts.map((host) => [CONTROL_STATUSES.reduce((sum, status) => sum + host.counts[status], 0), host.counts.fail, host.counts.error, host.counts.waived + host.counts.not_applicable]),
  );
}

const HOSTILE = ["|", "<script>alert(1)</script>", "]]>", "]]", ">", "<![CDATA[", "\n", "\r\n", "\r", "\t", "\u001b[31m", "\u001b]8;;x\u0007", "\u0000", "\u0008", "\u000b", "\u000c", "\u001f", "\ufffe", "\uffff", "\ud800", "\udfff", "😀", "&", "&amp;", "&#0;", "'", '"', "-->", "<!--", "a", " ", "é"];
const hostileString = fc.array(fc.constantFrom(...HOSTILE), { maxLength: 12 }).map((parts) => parts.join(""));
const statusMatrix = fc.integer({ min: 1, max: 5 }).chain((width) => fc.array(fc.array(fc.constantFrom(...CONTROL_STATUSES), { minLength: width, maxLength: width }), { minLength: 0, maxLength: 6 }));

function hostileReport(statuses: ControlStatus[][], strings: () => string): FleetReport {
  const report = syntheticReport(statuses, statuses.map((_, index) => (index % 2 === 0 ? `c${strings()}` : null)));
  report.playbook = strings();
  report.controls.forEach((control) => {
    control.id = `${control.id}${strings()}`;
    control.title = strings();
  });
  report.hosts.forEach((host, index) => {
    host.name = `h${index}${strings()}`;
    host.error = strings();
    host.groups = [strings()];
    host.controls.forEach((result, column) => {
      result.id = report.controls[column]?.id ?? result.id;
      result.expected = strings();
      result.actual = strings();
      result.message = strings();
      if (result.status === "waived") result.waiver = { justification: strings(), expires: strings() };
    });
  });
  return report;
}

describe("JUnit report", () => {
  it("renders the fixed synthetic report as the golden file", () => {
    expectGolden("synthetic-report.junit.xml", renderJUnit(load("synthetic-report.json")));
  });

  it("renders the (trimmed) real baseline audit of the testbed as the golden file; its counts are the model's", () => {
    const report = load("real-audit.json");
    const xml = renderJUnit(report);
    expectGolden("real-audit.junit.xml", xml);
    expectModelCounts(report, xml);
    expect(junitCounts(xml).totals).toEqual({ tests: 180, failures: report.summary.controls.fail, errors: report.summary.controls.error, skipped: report.summary.controls.waived + report.summary.controls.not_applicable });
  });

  it("a suite per host, a case per control: failure with expected/actual/message, error, skipped with the waiver's justification", () => {
    const report = load("synthetic-report.json");
    const xml = renderJUnit(report);
    expectModelCounts(report, xml);
    const { suites } = junitCounts(xml);
    expect(suites.map((suite) => suite.name)).toEqual(["web1", "lxd-a", "lxd-b", "db1", "edge1"]);
    const web1 = suites[0]?.cases ?? [];
    expect(web1.map((testcase) => [testcase.attributes["classname"], testcase.attributes["name"], testcase.children[0]?.name ?? "pass"])).toEqual([
      ["fleet.C-0", "C-0 Kernel pointer addresses are hidden", "pass"],
      ["fleet.C-1", "C-1 Containers are unprivileged", "failure"],
      ["fleet.C-2", "C-2 Daemon logs go to syslog", "error"],
      ["fleet.C-3", "C-3 The API listens on the management network only", "skipped"],
      ["fleet.C-4", "C-4 Network ACLs on bridges", "skipped"],
      ["fleet.C-5", "C-5 Short join tokens", "pass"],
    ]);
    const failure = web1[1]?.children[0];
    expect(failure?.attributes).toEqual({ message: "1 finding on 1 of 2 instances:\n- default/c2: security.privileged=true (instance config)", type: "fail" });
    expect(failure?.text).toBe("expected: no privileged containers\nactual: default/c2 security.privileged=true\n1 finding on 1 of 2 instances:\n- default/c2: security.privileged=true (instance config)");
    expect(web1[2]?.children[0]?.attributes).toEqual({ message: "lxd: command timed out after 30 s", type: "error" });
    expect(web1[3]?.children[0]?.attributes).toEqual({ message: "waived: Behind the bastion; see SEC-142 (expires 2027-03-31)" });
    expect(web1[4]?.children[0]?.attributes).toEqual({ message: "not applicable: no managed bridge" });
    const lxdA = parseXml(xml).children[1];
    expect(lxdA?.children[1]?.children[0]?.attributes["message"]).toBe("sysctl `kernel.kptr_restrict` is 0 | want 2 & <not> 1");
    expect(parseXml(xml).children[3]?.children.find((child) => child.name === "system-err")?.text).toBe("connection refused by 10.0.0.9:22");
  });

  it("escapes & < > \" ' and drops what XML 1.0 forbids (NUL, C0 controls, lone surrogates, U+FFFE), so ]]> cannot occur", () => {
    expect(xmlText("a & b < c > d ]]> \"'")).toBe("a &amp; b &lt; c &gt; d ]]&gt; \"'");
    expect(xmlAttr("a & \"b\" 'c' <d>\n\te")).toBe("a &amp; &quot;b&quot; &apos;c&apos; &lt;d&gt;&#10;&#9;e");
    expect(xmlText("x\u0000\u0008\u000b\u000c\u001f\ud800\ufffe\uffffy\u001b[31mz")).toBe("x\uFFFDy" + "z");
    expect(xmlText("keep \t, \n, é and 😀")).toBe("keep \t, \n, é and 😀");
  });

  it("an empty report is a valid document with zero totals", () => {
    const xml = renderJUnit(syntheticReport([]));
    expect(junitCounts(xml).totals).toEqual({ tests: 0, failures: 0, errors: 0, skipped: 0 });
  });

  it("property: for any matrix the JUnit totals (fleet and per host) equal the model's", () => {
    fc.assert(
      fc.property(statusMatrix, fc.array(fc.constantFrom("c1", "c2", null), { maxLength: 6 }), (matrix, clusters) => {
        const report = syntheticReport(matrix, clusters);
        expectModelCounts(report, renderJUnit(report));
      }),
    );
  });

  it("property: hostile strings (<script>, ]]>, quotes, newlines, ANSI escapes, NUL, surrogates) never break the XML, and text survives", () => {
    fc.assert(
      fc.property(statusMatrix, fc.array(hostileString, { minLength: 1, maxLength: 40 }), (matrix, pool) => {
        let next = 0;
        const report = hostileReport(matrix, () => pool[next++ % pool.length] ?? "");
        const xml = renderJUnit(report);
        expectModelCounts(report, xml);
        const suites = parseXml(xml).children;
        report.hosts.forEach((host, index) => {
          expect(suites[index]?.attributes["name"]).toBe(xmlText(host.name).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"));
        });
      }),
      { numRuns: 200 },
    );
  });
});
