/**
 * A fleet report as Prometheus metrics, in the text exposition format 0.0.4, for node_exporter's
 * textfile collector (docs/monitoring.md). Pure.
 *
 * Every family is a gauge (each file is a snapshot of one audit, nothing accumulates), has HELP
 * and TYPE lines, and the same label names on all its series. Samples carry no timestamp (the
 * textfile collector refuses a file that has one). Only ids and labels are exported: no message,
 * expected/actual value or waiver justification (reports are masked already; this keeps the
 * series few and free of free text). Series are sorted (hosts by name, then controls by id), so
 * the output depends on the results only, not on the order of the report's hosts.
 */
import type { ControlStatus } from "../engine/results.js";
import { CONTROL_STATUSES, reportModel, type HostView } from "./model.js";
import type { FleetReport } from "./types.js";

type Labels = ReadonlyArray<readonly [string, string]>;

interface Sample {
  labels: Labels;
  value: number;
}

interface Family {
  name: string;
  help: string;
  samples: Sample[];
}

/** A label value: backslash, double quote and line feed escaped, as the format requires; anything else is UTF-8 as is. */
export function promLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A HELP text: backslash and line feed escaped. */
export function promHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value as Go's strconv.ParseFloat reads it (integers without a fraction; NaN and ±Inf spelt as Prometheus spells them). */
export function promValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

const line = (name: string, { labels, value }: Sample): string => {
  const rendered = labels.length === 0 ? "" : `{${labels.map(([label, text]) => `${label}="${promLabelValue(text)}"`).join(",")}}`;
  return `${name}${rendered} ${promValue(value)}`;
};

function renderFamily({ name, help, samples }: Family): string {
  return [`# HELP ${name} ${promHelp(help)}`, `# TYPE ${name} gauge`, ...samples.map((sample) => line(name, sample))].join("\n");
}

/** Code-unit order, the same on every machine and locale. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Unix seconds (with milliseconds) of an ISO date, or undefined when it is not one. */
function unixSeconds(iso: string): number | undefined {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

const statusSamples = (labels: Labels, counts: Record<ControlStatus, number>): Sample[] => CONTROL_STATUSES.map((status) => ({ labels: [...labels, ["status", status]], value: counts[status] }));

/** The metric families, in output order. */
function families(report: FleetReport): Family[] {
  const model = reportModel(report);
  const severity = new Map(report.controls.map((control) => [control.id, control.severity]));
  const hosts: HostView[] = [...model.hosts].sort((a, b) => byText(a.host.name, b.host.name));
  const hostLabels = ({ host }: HostView): Labels => [
    ["host", host.name],
    ["cluster", host.cluster ?? ""],
  ];
  const finished = unixSeconds(report.finishedAt);
  const started = unixSeconds(report.startedAt);
  const unreachable = report.hosts.filter((host) => host.status === "unreachable").length;
  const tasks = report.summary.tasks;

  const timing: Family[] = [];
  if (finished !== undefined) {
    timing.push({ name: "fleet_audit_timestamp_seconds", help: "When the audit (or run) finished, in Unix seconds (the report's finishedAt).", samples: [{ labels: [], value: finished }] });
    if (started !== undefined) timing.push({ name: "fleet_audit_duration_seconds", help: "How long the audit (or run) took, from startedAt to finishedAt, in seconds.", samples: [{ labels: [], value: Math.max(0, Math.round((finished - started) * 1000) / 1000) }] });
  }

  return [
    {
      name: "fleet_audit_info",
      help: "Always 1: what produced these metrics, as labels (mode audit or run, the playbook as given on the command line, the shard I/N or empty, the report schema).",
      samples: [
        {
          labels: [
            ["mode", report.mode],
            ["playbook", report.playbook],
            ["shard", report.shard === undefined ? "" : `${report.shard.index}/${report.shard.count}`],
            ["schema", report.schema],
          ],
          value: 1,
        },
      ],
    },
    ...timing,
    { name: "fleet_audit_interrupted", help: "1 when the audit was interrupted (Ctrl-C, SIGTERM, SIGHUP) before every host finished, else 0.", samples: [{ labels: [], value: report.interrupted ? 1 : 0 }] },
    { name: "fleet_score", help: "The fleet's compliance score, 0 to 100: passed weight over judged weight (pass, fail, error), severities weighted low 1, medium 2, high 3, critical 4.", samples: [{ labels: [], value: model.score }] },
    { name: "fleet_hosts", help: "Hosts in the report.", samples: [{ labels: [], value: report.hosts.length }] },
    { name: "fleet_hosts_unreachable", help: "Hosts that could not be reached.", samples: [{ labels: [], value: unreachable }] },
    { name: "fleet_controls", help: "Control results of the whole fleet (one per host and control) by status.", samples: statusSamples([], model.counts) },
    {
      name: "fleet_tasks",
      help: "Task results of the whole fleet by status (the report's summary).",
      samples: (["ok", "changed", "failed", "skipped"] as const).map((status) => ({ labels: [["status", status]], value: tasks[status] })),
    },
    {
      name: "fleet_cluster_score",
      help: "The compliance score, 0 to 100, of each LXD cluster (all results of its members).",
      samples: [...model.clusters].sort((a, b) => byText(a.name, b.name)).map((cluster) => ({ labels: [["cluster", cluster.name]], value: cluster.score })),
    },
    { name: "fleet_host_reachable", help: "1 when the host was reached, 0 when it was unreachable.", samples: hosts.map((view) => ({ labels: hostLabels(view), value: view.host.status === "unreachable" ? 0 : 1 })) },
    { name: "fleet_host_score", help: "The compliance score, 0 to 100, of each host.", samples: hosts.map((view) => ({ labels: hostLabels(view), value: view.score })) },
    { name: "fleet_host_controls", help: "Control results of each host by status (all five statuses, zeros included).", samples: hosts.flatMap((view) => statusSamples(hostLabels(view), view.counts)) },
    {
      name: "fleet_control_status",
      help: "One series per host and control, value 1, whose status label is the control's status on that host (pass, fail, error, waived, not_applicable).",
      samples: hosts.flatMap((view) =>
        [...view.host.controls]
          .sort((a, b) => byText(a.id, b.id))
          .map((result) => ({
            labels: [
              ["host", view.host.name],
              ["control", result.id],
              ["severity", severity.get(result.id) ?? "medium"],
              ["cluster", view.host.cluster ?? ""],
              ["status", result.status],
            ] as const,
            value: 1,
          })),
      ),
    },
  ];
}

/**
 * The report as Prometheus text exposition format 0.0.4 (Content-Type `text/plain; version=0.0.4`),
 * ending with a line feed. An empty report (no host) is a valid file with the fleet-wide metrics.
 */
export function renderPrometheus(report: FleetReport): string {
  return `${families(report).map(renderFamily).join("\n")}\n`;
}
