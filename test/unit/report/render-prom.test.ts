// The Prometheus renderer, checked by real parsers of the text exposition format 0.0.4:
// - `promtool check metrics` (Debian package prometheus): Prometheus' own Go parser (expfmt) and
//   its linter; any parse error or lint warning fails the test;
// - the official Python client's parser (Debian package python3-prometheus-client), which gives the
//   families, label values and sample values back, to compare with what the report says.
// Both are installed by .ci/run; a missing tool fails the test, it is never skipped.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ControlStatus } from "../../../src/engine/results.js";
import { renderReport } from "../../../src/report/formats.js";
import { promHelp, promLabelValue, promValue, renderPrometheus } from "../../../src/report/render-prom.js";
import type { FleetReport } from "../../../src/report/types.js";
import { syntheticReport } from "../../support/synthetic-report.js";

const PYTHON = "/usr/bin/python3"; // Debian's, where python3-prometheus-client installs

interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface ParsedFamily {
  name: string;
  type: string;
  help: string;
  samples: ParsedSample[];
}

/** `promtool check metrics` on the text: its exit status and everything it printed. */
function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const result = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined) throw new Error(`promtool is needed (apt-get install --no-install-recommends prometheus, as .ci/run does): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const PARSE_SCRIPT = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
families = [
    {"name": f.name, "type": f.type, "help": f.documentation,
     "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]}
    for f in text_string_to_metric_families(sys.stdin.buffer.read().decode("utf-8"))
]
sys.stdout.write(json.dumps(families, allow_nan=False))
`;

/** The text parsed by prometheus_client.parser (throws on what it cannot parse). */
function parseWithPythonClient(text: string): ParsedFamily[] {
  const result = spawnSync(PYTHON, ["-c", PARSE_SCRIPT], { input: text, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (result.error !== undefined) throw new Error(`${PYTHON} is needed: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`prometheus_client could not parse the metrics (apt-get install --no-install-recommends python3-prometheus-client, as .ci/run does):\n${result.stderr}`);
  return JSON.parse(result.stdout) as ParsedFamily[];
}

/** Every sample as one comparable line: name{label="value",...} value, labels in output order. */
const sampleLines = (families: readonly ParsedFamily[]): string[] =>
  families.flatMap((family) =>
    family.samples.map(
      (sample) =>
        `${sample.name}{${Object.entries(sample.labels)
          .map(([label, value]) => `${label}=${JSON.stringify(value)}`)
          .join(",")}} ${sample.value}`,
    ),
  );

function expectValid(text: string): ParsedFamily[] {
  const checked = promtoolCheckMetrics(text);
  expect(checked.output, "promtool check metrics: no parse error, no lint warning").toBe("");
  expect(checked.status).toBe(0);
  return parseWithPythonClient(text);
}

/** h0 (cluster c1) and h1 reachable, h2 unreachable; C-0..C-3 are critical, high, medium, low. */
function knownReport(): FleetReport {
  const statuses: ControlStatus[][] = [
    ["pass", "fail", "waived", "not_applicable"],
    ["fail", "error", "pass", "pass"],
    ["error", "error", "error", "error"],
  ];
  const report = syntheticReport(statuses, ["c1", null, null]);
  const unreachable = report.hosts[2];
  if (unreachable === undefined) throw new Error("no h2");
  unreachable.status = "unreachable";
  unreachable.error = "connect ETIMEDOUT";
  report.summary.tasks = { ok: 7, changed: 1, failed: 2, skipped: 3 };
  return report;
}

const FAMILIES = [
  "fleet_audit_info",
  "fleet_audit_timestamp_seconds",
  "fleet_audit_duration_seconds",
  "fleet_audit_interrupted",
  "fleet_score",
  "fleet_hosts",
  "fleet_hosts_unreachable",
  "fleet_controls",
  "fleet_tasks",
  "fleet_cluster_score",
  "fleet_host_reachable",
  "fleet_host_score",
  "fleet_host_controls",
  "fleet_control_status",
];

describe("renderPrometheus: the series and their values", () => {
  it("gives exactly the expected series for a report of known statuses (read back by prometheus_client)", () => {
    const families = expectValid(renderPrometheus(knownReport()));
    expect(families.map((family) => family.name)).toEqual(FAMILIES);
    for (const family of families) {
      expect(family.type, family.name).toBe("gauge");
      expect(family.help, family.name).not.toBe("");
    }
    const hostControls = (host: string, cluster: string, counts: [number, number, number, number, number]): string[] =>
      (["pass", "fail", "error", "waived", "not_applicable"] as const).map((status, index) => `fleet_host_controls{host="${host}",cluster="${cluster}",status="${status}"} ${counts[index]}`);
    const status = (host: string, control: string, severity: string, cluster: string, value: string): string => `fleet_control_status{host="${host}",control="${control}",severity="${severity}",cluster="${cluster}",status="${value}"} 1`;
    expect(sampleLines(families)).toEqual([
      'fleet_audit_info{mode="audit",playbook="p.yml",shard="",schema="fleet-report/v1"} 1',
      "fleet_audit_timestamp_seconds{} 1796169601", // 2026-12-02T00:00:01Z
      "fleet_audit_duration_seconds{} 1",
      "fleet_audit_interrupted{} 0",
      // passed weight 4 (h0 C-0) + 2 + 1 (h1 C-2, C-3) over judged 7 + 10 + 10: 25.9
      "fleet_score{} 25.9",
      "fleet_hosts{} 3",
      "fleet_hosts_unreachable{} 1",
      'fleet_controls{status="pass"} 3',
      'fleet_controls{status="fail"} 2',
      'fleet_controls{status="error"} 5',
      'fleet_controls{status="waived"} 1',
      'fleet_controls{status="not_applicable"} 1',
      'fleet_tasks{status="ok"} 7',
      'fleet_tasks{status="changed"} 1',
      'fleet_tasks{status="failed"} 2',
      'fleet_tasks{status="skipped"} 3',
      'fleet_cluster_score{cluster="c1"} 57.1',
      'fleet_host_reachable{host="h0",cluster="c1"} 1',
      'fleet_host_reachable{host="h1",cluster=""} 1',
      'fleet_host_reachable{host="h2",cluster=""} 0',
      'fleet_host_score{host="h0",cluster="c1"} 57.1',
      'fleet_host_score{host="h1",cluster=""} 30',
      'fleet_host_score{host="h2",cluster=""} 0',
      ...hostControls("h0", "c1", [1, 1, 0, 1, 1]),
      ...hostControls("h1", "", [2, 1, 1, 0, 0]),
      ...hostControls("h2", "", [0, 0, 4, 0, 0]),
      status("h0", "C-0", "critical", "c1", "pass"),
      status("h0", "C-1", "high", "c1", "fail"),
      status("h0", "C-2", "medium", "c1", "waived"),
      status("h0", "C-3", "low", "c1", "not_applicable"),
      status("h1", "C-0", "critical", "", "fail"),
      status("h1", "C-1", "high", "", "error"),
      status("h1", "C-2", "medium", "", "pass"),
      status("h1", "C-3", "low", "", "pass"),
      status("h2", "C-0", "critical", "", "error"),
      status("h2", "C-1", "high", "", "error"),
      status("h2", "C-2", "medium", "", "error"),
      status("h2", "C-3", "low", "", "error"),
    ]);
  });

  it("has one fleet_control_status series per host and control, value 1, and five fleet_host_controls per host that add up", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((width) => fc.array(fc.array(fc.constantFrom<ControlStatus>("pass", "fail", "error", "waived", "not_applicable"), { minLength: width, maxLength: width }), { maxLength: 6 })),
        (matrix) => {
          const lines = renderPrometheus(syntheticReport(matrix)).split("\n");
          const statusLines = lines.filter((text) => text.startsWith("fleet_control_status{"));
          expect(statusLines).toHaveLength(matrix.flat().length);
          for (const [hostIndex, row] of matrix.entries())
            for (const [index, value] of row.entries()) expect(statusLines).toContain(`fleet_control_status{host="h${hostIndex}",control="C-${index}",severity="${["critical", "high", "medium", "low"][index % 4]}",cluster="",status="${value}"} 1`);
          expect(lines.filter((text) => text.startsWith("fleet_host_controls{"))).toHaveLength(matrix.length * 5);
          for (const [hostIndex, row] of matrix.entries()) {
            const total = lines.filter((text) => text.startsWith(`fleet_host_controls{host="h${hostIndex}",`)).reduce((sum, text) => sum + Number(text.split(" ").at(-1)), 0);
            expect(total).toBe(row.length);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("takes the timestamp and duration from finishedAt and startedAt, in seconds with milliseconds", () => {
    const report = syntheticReport([["pass"]]);
    report.startedAt = "2026-12-02T03:00:00.250+01:00";
    report.finishedAt = "2026-12-02T02:05:30.125Z";
    const samples = sampleLines(parseWithPythonClient(renderPrometheus(report)));
    expect(samples).toContain(`fleet_audit_timestamp_seconds{} ${Date.UTC(2026, 11, 2, 2, 5, 30, 125) / 1000}`);
    expect(samples).toContain("fleet_audit_duration_seconds{} 329.875");
  });

  it("marks an interrupted audit, names the shard and the mode, and leaves out times it cannot read", () => {
    const report = syntheticReport([["pass", "fail"]]);
    report.interrupted = true;
    report.mode = "run";
    report.shard = { index: 2, count: 4 };
    report.startedAt = "not a date";
    report.finishedAt = "neither";
    const families = expectValid(renderPrometheus(report));
    const samples = sampleLines(families);
    expect(samples).toContain("fleet_audit_interrupted{} 1");
    expect(samples).toContain('fleet_audit_info{mode="run",playbook="p.yml",shard="2/4",schema="fleet-report/v1"} 1');
    // absent rather than NaN, so that the staleness alert's absent() fires instead of never comparing
    expect(families.map((family) => family.name)).not.toContain("fleet_audit_timestamp_seconds");
    expect(families.map((family) => family.name)).not.toContain("fleet_audit_duration_seconds");
  });

  it("an empty report (no host) is a valid file: score 100, zero counts, no per-host series", () => {
    const families = expectValid(renderPrometheus(syntheticReport([])));
    expect(families.map((family) => family.name)).toEqual(FAMILIES);
    const samples = sampleLines(families);
    expect(samples).toContain("fleet_score{} 100");
    expect(samples).toContain("fleet_hosts{} 0");
    expect(samples).toContain('fleet_controls{status="fail"} 0');
    for (const name of ["fleet_cluster_score", "fleet_host_reachable", "fleet_host_score", "fleet_host_controls", "fleet_control_status"]) expect(families.find((family) => family.name === name)?.samples, name).toEqual([]);
  });

  it("is valid and lint-clean for a real audit report (test/fixtures/report/real-audit.json)", () => {
    const report = JSON.parse(readFileSync("test/fixtures/report/real-audit.json", "utf8")) as FleetReport;
    const families = expectValid(renderPrometheus(report));
    const statusSeries = families.find((family) => family.name === "fleet_control_status")?.samples ?? [];
    expect(statusSeries).toHaveLength(report.hosts.reduce((sum, host) => sum + host.controls.length, 0));
    const score = families.find((family) => family.name === "fleet_score")?.samples[0]?.value;
    expect(score).toBe(report.summary.score);
    for (const status of ["pass", "fail", "error", "waived", "not_applicable"] as const) expect(sampleLines(families)).toContain(`fleet_controls{status="${status}"} ${report.summary.controls[status]}`);
  });

  it("is what renderReport gives for the format prom", () => {
    const report = knownReport();
    expect(renderReport(report, "prom")).toBe(renderPrometheus(report));
  });
});

describe("renderPrometheus: order, secrets, size", () => {
  it("is deterministic: the same text whatever the order of the report's hosts and results (hosts by name, controls by id)", () => {
    const report = knownReport();
    const shuffled = structuredClone(report);
    shuffled.hosts.reverse();
    for (const host of shuffled.hosts) host.controls.reverse();
    const text = renderPrometheus(report);
    expect(renderPrometheus(shuffled)).toBe(text);
    expect(renderPrometheus(report)).toBe(text);
    expect(text.endsWith("\n") && !text.endsWith("\n\n")).toBe(true);
  });

  it("exports ids and labels only: no message, expected or actual value, host error, waiver justification, task or group", () => {
    const report = knownReport();
    const secret = "SENTINEL-not-exported";
    for (const host of report.hosts) {
      host.error = `${secret} error`;
      host.groups = [`${secret}-group`];
      host.tasks = [{ name: `${secret} task`, module: "command", control: null, status: "ok", diff: null, message: secret, delegatedTo: null }];
      for (const result of host.controls) {
        result.message = `${secret} message`;
        result.expected = `${secret} expected`;
        result.actual = `${secret} actual`;
        if (result.status === "waived") result.waiver = { justification: `${secret} justification`, expires: "2099-01-01" };
      }
    }
    for (const control of report.controls) {
      control.title = `${secret} title`;
      control.remediation = `${secret} remediation`;
    }
    expect(renderPrometheus(report)).not.toContain(secret);
  });

  it("1,000 hosts × 40 controls: 40,000 fleet_control_status series and 5,000 fleet_host_controls, valid for promtool", () => {
    const statuses: ControlStatus[] = ["pass", "fail", "error", "waived", "not_applicable"];
    const matrix = Array.from({ length: 1000 }, (_, host) => Array.from({ length: 40 }, (_, control) => statuses[(host * 7 + control) % 5] ?? "pass"));
    const text = renderPrometheus(syntheticReport(matrix));
    const lines = text.split("\n");
    expect(lines.filter((entry) => entry.startsWith("fleet_control_status{"))).toHaveLength(40_000);
    expect(lines.filter((entry) => entry.startsWith("fleet_host_controls{"))).toHaveLength(5_000);
    expect(lines.filter((entry) => entry !== "" && !entry.startsWith("#"))).toHaveLength(40_000 + 5_000 + 1000 * 2 /* reachable, score */ + 7 /* fleet-wide single series */ + 5 + 4 /* controls, tasks by status */);
    const checked = promtoolCheckMetrics(text);
    expect(checked.output).toBe("");
    expect(checked.status).toBe(0);
  });
});

describe("renderPrometheus: escaping", () => {
  it("escapes backslash, double quote and line feed in label values, and backslash and line feed in HELP", () => {
    expect(promLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(promLabelValue("\\n")).toBe("\\\\n"); // a backslash then n, not a line feed
    expect(promLabelValue("tab\tcr\rnul\u0000 é 😀")).toBe("tab\tcr\rnul\u0000 é 😀");
    expect(promHelp("a\\b\nc")).toBe("a\\\\b\\nc");
    expect([1, 25.9, 0, 1796169601.055, Number.NaN, Infinity, -Infinity].map(promValue)).toEqual(["1", "25.9", "0", "1796169601.055", "NaN", "+Inf", "-Inf"]);
  });

  const HOSTILE = ['"', "\\", "\n", "\\n", '\\"', "\r", "\t", "\u0000", "{", "}", ",", "=", " ", "#", "é", "😀", "\u202e", "e\u0301", "漢字", "\u2028", "\ufeff", "a"];
  const hostileText = fc.string({ unit: fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 12 });

  it("hostile host, cluster, control and playbook names round-trip through promtool and prometheus_client", () => {
    fc.assert(
      fc.property(fc.uniqueArray(hostileText, { minLength: 1, maxLength: 25 }), hostileText, hostileText, hostileText, (hosts, cluster, control, playbook) => {
        const report = syntheticReport(hosts.map(() => ["fail"]), hosts.map((_, index) => (index % 2 === 0 ? cluster : null)));
        report.playbook = playbook;
        const [catalogue] = report.controls;
        if (catalogue !== undefined) catalogue.id = control;
        for (const [index, host] of report.hosts.entries()) {
          host.name = hosts[index] ?? "";
          for (const result of host.controls) result.id = control;
        }
        const families = expectValid(renderPrometheus(report));
        expect(families.find((family) => family.name === "fleet_audit_info")?.samples[0]?.labels["playbook"]).toBe(playbook);
        const series = families.find((family) => family.name === "fleet_control_status")?.samples ?? [];
        const byName = [...hosts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        expect(series.map((sample) => sample.labels)).toEqual(
          byName.map((name) => ({ host: name, control, severity: "critical", cluster: hosts.indexOf(name) % 2 === 0 ? cluster : "", status: "fail" })),
        );
      }),
      { numRuns: 12 },
    );
  });

  it("a lone surrogate (not UTF-8) is written as U+FFFD and the file stays valid", () => {
    const report = syntheticReport([["pass"]]);
    const [host] = report.hosts;
    if (host === undefined) throw new Error("no host");
    host.name = "bad\ud800name";
    const families = expectValid(renderPrometheus(report));
    expect(families.find((family) => family.name === "fleet_host_score")?.samples[0]?.labels["host"]).toBe("bad\ufffdname");
  });

  it("the checks are not vacuous: promtool and prometheus_client refuse a broken escape and an unescaped line feed", () => {
    const broken = '# HELP fleet_x x\n# TYPE fleet_x gauge\nfleet_x{host="a\\qb"} 1\n';
    expect(promtoolCheckMetrics(broken).status).not.toBe(0);
    expect(promtoolCheckMetrics('# HELP fleet_x x\n# TYPE fleet_x gauge\nfleet_x{host="a\nb"} 1\n').output).toMatch(/unescaped new-line/);
    expect(promtoolCheckMetrics("# TYPE fleet_x_total gauge\nfleet_x_total 1\n").output).toMatch(/no help text|_total/);
    expect(() => parseWithPythonClient('fleet_x{host="a} 1\n')).toThrow(/could not parse/);
  });
});
