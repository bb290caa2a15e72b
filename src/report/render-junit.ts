/**
 * A fleet report as JUnit XML for CI: a <testsuite> per host, a <testcase> per control judged
 * there; fail → <failure>, error → <error>, waived and not_applicable → <skipped>. Pure.
 */
import { reportModel, type ControlView, type HostView } from "./model.js";
import { formatScore, plain } from "./render-common-text.js";
import type { FleetReport, ReportControlResult } from "./types.js";

export interface JUnitOptions {
  /** The <testsuites name>; default `fleet MODE PLAYBOOK`. */
  name?: string;
}

// Characters XML 1.0 does not allow at all (not even as references): C0 controls but tab, LF and
// CR; lone surrogates; U+FFFE and U+FFFF. With the u flag a lone surrogate is its own code point.
const ILLEGAL_XML = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Character data: illegal characters and terminal escapes removed, & < > escaped (so `]]>` cannot occur). */
export function xmlText(value: string): string {
  return plain(value).replace(ILLEGAL_XML, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** An attribute value (for double quotes, ' escaped too); tab and line breaks as references, which parsers keep. */
export function xmlAttr(value: string): string {
  return xmlText(value).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\t/g, "&#9;").replace(/\n/g, "&#10;");
}

const attrs = (pairs: Record<string, string | number>): string =>
  Object.entries(pairs)
    .map(([key, value]) => ` ${key}="${xmlAttr(String(value))}"`)
    .join("");

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

function testcase(result: ReportControlResult, control: ControlView | undefined): string {
  const title = control?.title ?? "";
  const open = `    <testcase${attrs({ classname: `fleet.${result.id}`, name: title === "" ? result.id : `${result.id} ${title}` })}`;
  const message = result.message.trimEnd();
  // A failure always says what was expected and found; an error only what it has (often nothing: not judged).
  const details = (always: boolean): string =>
    [
      ...(always || result.expected !== null ? [`expected: ${result.expected ?? "(not recorded)"}`] : []),
      ...(always || result.actual !== null ? [`actual: ${result.actual ?? "(not recorded)"}`] : []),
      ...(message === "" ? [] : [message]),
    ].join("\n");
  switch (result.status) {
    case "pass":
      return `${open}/>`;
    case "fail":
      return `${open}>\n      <failure${attrs({ message, type: "fail" })}>${xmlText(details(true))}</failure>\n    </testcase>`;
    case "error":
      return `${open}>\n      <error${attrs({ message, type: "error" })}>${xmlText(details(false))}</error>\n    </testcase>`;
    case "waived": {
      const expires = result.waiver?.expires ? ` (expires ${result.waiver.expires})` : "";
      return `${open}>\n      <skipped${attrs({ message: `waived: ${result.waiver?.justification ?? "no justification recorded"}${expires}` })}/>\n    </testcase>`;
    }
    case "not_applicable":
      return `${open}>\n      <skipped${attrs({ message: /^not applicable\b/i.test(message) ? message : `not applicable: ${message}` })}/>\n    </testcase>`;
  }
}

function testsuite(view: HostView, catalogue: ReadonlyMap<string, ControlView>, timestamp: string): string {
  const { host, counts } = view;
  const pairs: Array<[string, string]> = [
    ...(host.cluster === null ? [] : [["cluster", host.cluster] as [string, string]]),
    ["status", host.status],
    ["score", formatScore(view.score)],
    ["groups", host.groups.join(",")],
  ];
  const properties = pairs.map(([name, value]) => `      <property${attrs({ name, value })}/>`).join("\n");
  const head = `  <testsuite${attrs({ name: host.name, tests: host.controls.length, failures: counts.fail, errors: counts.error, skipped: counts.waived + counts.not_applicable, time: seconds(host.durationMs), timestamp, hostname: host.name })}>`;
  const cases = host.controls.map((result) => testcase(result, catalogue.get(result.id)));
  const systemErr = host.error === null ? [] : [`    <system-err>${xmlText(host.error)}</system-err>`];
  return [head, "    <properties>", properties, "    </properties>", ...cases, ...systemErr, "  </testsuite>"].join("\n");
}

/**
 * The report as JUnit XML: <testsuites> with the fleet's totals, one <testsuite> per host (its
 * name) and one <testcase classname="fleet.ID" name="ID title"> per control judged on it.
 * Every string is escaped and stripped of characters XML 1.0 forbids.
 */
export function renderJUnit(report: FleetReport, options: JUnitOptions = {}): string {
  const model = reportModel(report);
  const catalogue = new Map(model.controls.map((control) => [control.id, control]));
  const tests = model.hosts.reduce((sum, view) => sum + view.host.controls.length, 0);
  const elapsed = new Date(report.finishedAt).getTime() - new Date(report.startedAt).getTime();
  const root = `<testsuites${attrs({
    name: options.name ?? `fleet ${report.mode} ${report.playbook}`,
    tests,
    failures: model.counts.fail,
    errors: model.counts.error,
    skipped: model.counts.waived + model.counts.not_applicable,
    time: seconds(Number.isFinite(elapsed) ? elapsed : 0),
  })}>`;
  const suites = model.hosts.map((view) => testsuite(view, catalogue, report.startedAt));
  return ['<?xml version="1.0" encoding="UTF-8"?>', root, ...suites, "</testsuites>", ""].join("\n");
}
