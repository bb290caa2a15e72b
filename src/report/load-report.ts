import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { z } from "zod";
import { FleetError, InputFileError, messageOf, type SourceLocation } from "../errors.js";
import { errorCode } from "../inventory/fs-util.js";
import { jsonSyntaxErrorOffset } from "./json-syntax.js";
import type { FleetReport } from "./types.js";

/** Stable codes of report-file problems; every one is category "parse" (exit 4). */
export const ReportFileCode = {
  notFound: "REPORT_NOT_FOUND",
  unreadable: "REPORT_UNREADABLE",
  json: "REPORT_JSON",
  schema: "REPORT_SCHEMA",
  invalid: "REPORT_INVALID",
} as const;

type ReportFileCodeValue = (typeof ReportFileCode)[keyof typeof ReportFileCode];

const SCHEMA = "fleet-report/v1";
const notAReportHint = "give the JSON report written by `fleet audit|run --report FILE.json` (Markdown, HTML and JUnit reports cannot be read back)";
const invalidHint = `the file does not follow ${SCHEMA} (CONTRACTS.md); write it again with \`fleet audit --report FILE.json\` instead of editing it`;
const MAX_PROBLEMS = 20;

function reportProblem(code: ReportFileCodeValue, message: string, location: SourceLocation, hint: string): FleetError {
  return new FleetError(code, message, { category: "parse", hint, location });
}

const count = z.number().int().nonnegative();
const controlStatus = z.enum(["pass", "fail", "error", "waived", "not_applicable"]);
const taskStatus = z.enum(["ok", "changed", "failed", "skipped"]);
const timestamp = z.iso.datetime({ offset: true });

/**
 * fleet-report/v1. The fields CONTRACTS.md requires must be there; those fleet added since
 * (groups, execs, durationMs, interrupted, the task totals, delegatedTo, a control's section,
 * rationale, fix and fixVar) take their empty value when absent. Unknown fields are dropped.
 */
const reportSchema = z.object({
  schema: z.literal(SCHEMA),
  mode: z.enum(["audit", "run"]),
  playbook: z.string(),
  startedAt: timestamp,
  finishedAt: timestamp,
  interrupted: z.boolean().default(false),
  shard: z
    .object({ index: z.number().int().min(1), count: z.number().int().min(1) })
    .refine((shard) => shard.index <= shard.count, { message: "shard index must be between 1 and count" })
    .optional(),
  summary: z.object({
    hosts: count,
    unreachable: count,
    changed: count,
    failed: count,
    tasks: z.object({ ok: count, changed: count, failed: count, skipped: count }).optional(),
    controls: z.object({ pass: count, fail: count, error: count, waived: count, not_applicable: count }),
    score: z.number().min(0).max(100),
  }),
  hosts: z.array(
    z.object({
      name: z.string().min(1),
      cluster: z.string().nullable(),
      groups: z.array(z.string()).default([]),
      status: z.enum(["ok", "changed", "failed", "unreachable"]),
      error: z.string().nullable(),
      interrupted: z.boolean().default(false),
      execs: count.default(0),
      durationMs: z.number().nonnegative().default(0),
      tasks: z.array(
        z.object({
          name: z.string(),
          module: z.string(),
          control: z.string().nullable(),
          status: taskStatus,
          diff: z.object({ before: z.string(), after: z.string() }).nullable(),
          message: z.string(),
          delegatedTo: z.string().nullable().default(null),
        }),
      ),
      controls: z.array(
        z.object({
          id: z.string().min(1),
          status: controlStatus,
          expected: z.string().nullable(),
          actual: z.string().nullable(),
          message: z.string(),
          waiver: z.object({ justification: z.string(), expires: z.string().nullable() }).optional(),
        }),
      ),
    }),
  ),
  controls: z.array(
    z.object({
      id: z.string().min(1),
      title: z.string(),
      severity: z.enum(["low", "medium", "high", "critical"]),
      scope: z.enum(["host", "cluster", "instance"]),
      remediation: z.string(),
      section: z.string().nullable().default(null),
      rationale: z.string().nullable().default(null),
      fix: z.enum(["auto", "opt-in", "audit", "manual"]).nullable().default(null),
      fixVar: z.string().nullable().default(null),
    }),
  ),
});

/**
 * Reads a fleet-report/v1 JSON document. A file that is missing, not JSON, not a fleet report,
 * of another schema or not following the schema is an InputFileError (category parse, exit 4)
 * whose problems point at file:line:column.
 */
export async function loadReport(file: string, options: { cwd?: string } = {}): Promise<FleetReport> {
  let text: string;
  try {
    text = await readFile(resolve(options.cwd ?? process.cwd(), file), "utf8");
  } catch (error) {
    const missing = errorCode(error) === "ENOENT";
    throw new InputFileError([
      reportProblem(missing ? ReportFileCode.notFound : ReportFileCode.unreadable, missing ? `report ${file} not found` : `cannot read report ${file}: ${messageOf(error)}`, { file }, missing ? "check the path of the JSON report" : "check that the path names a readable file"),
    ]);
  }
  return parseReport(text, file);
}

/** loadReport on text already read; `file` is the name locations use. */
export function parseReport(text: string, file: string): FleetReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const offset = jsonErrorOffset(text, messageOf(error));
    const location = offset === undefined ? { file } : offsetLocation(text, file, offset);
    throw new InputFileError([reportProblem(ReportFileCode.json, `not JSON: ${messageOf(error)}`, location, notAReportHint)]);
  }
  const start = offsetLocation(text, file, Math.max(0, text.search(/\S/)));
  if (typeof data !== "object" || data === null || Array.isArray(data) || !("schema" in data)) {
    throw new InputFileError([reportProblem(ReportFileCode.schema, `not a fleet report: the JSON has no "schema" field`, start, notAReportHint)]);
  }
  if (data.schema !== SCHEMA) {
    const locator = new JsonLocator(text, file);
    throw new InputFileError([reportProblem(ReportFileCode.schema, `schema ${JSON.stringify(data.schema)} is not ${SCHEMA}`, locator.at(["schema"]), `this fleet reads ${SCHEMA} reports; read the file with the fleet version that wrote it`)]);
  }
  const parsed = reportSchema.safeParse(data);
  if (!parsed.success) {
    const locator = new JsonLocator(text, file);
    const problems = parsed.error.issues.slice(0, MAX_PROBLEMS).map((issue) => reportProblem(ReportFileCode.invalid, `${pathText(issue.path)}: ${issue.message}`, locator.at(issue.path), invalidHint));
    if (parsed.error.issues.length > MAX_PROBLEMS) problems.push(reportProblem(ReportFileCode.invalid, `and ${parsed.error.issues.length - MAX_PROBLEMS} more problems`, start, invalidHint));
    throw new InputFileError(problems);
  }
  const { summary, ...rest } = parsed.data;
  const report: FleetReport = { ...rest, summary: { ...summary, tasks: summary.tasks ?? taskTotals(rest.hosts) } };
  const problems = consistencyProblems(report);
  if (problems.length > 0) {
    const locator = new JsonLocator(text, file);
    throw new InputFileError(problems.slice(0, MAX_PROBLEMS).map(({ path, message }) => reportProblem(ReportFileCode.invalid, `${pathText(path)}: ${message}`, locator.at(path), invalidHint)));
  }
  return report;
}

function taskTotals(hosts: FleetReport["hosts"]): FleetReport["summary"]["tasks"] {
  const totals = { ok: 0, changed: 0, failed: 0, skipped: 0 };
  for (const host of hosts) for (const task of host.tasks) totals[task.status] += 1;
  return totals;
}

/** What diff, merge and the renderers rely on: host names and control ids unique, every result of a listed control. */
function consistencyProblems(report: FleetReport): Array<{ path: PropertyKey[]; message: string }> {
  const problems: Array<{ path: PropertyKey[]; message: string }> = [];
  const hostNames = new Set<string>();
  report.hosts.forEach((host, index) => {
    if (hostNames.has(host.name)) problems.push({ path: ["hosts", index, "name"], message: `host ${host.name} is listed twice` });
    hostNames.add(host.name);
  });
  const controlIds = new Set<string>();
  report.controls.forEach((control, index) => {
    if (controlIds.has(control.id)) problems.push({ path: ["controls", index, "id"], message: `control ${control.id} is listed twice` });
    controlIds.add(control.id);
  });
  report.hosts.forEach((host, hostIndex) => {
    const seen = new Set<string>();
    host.controls.forEach((result, index) => {
      if (!controlIds.has(result.id)) problems.push({ path: ["hosts", hostIndex, "controls", index, "id"], message: `control ${result.id} is not among the report's controls` });
      if (seen.has(result.id)) problems.push({ path: ["hosts", hostIndex, "controls", index, "id"], message: `host ${host.name} has two results for control ${result.id}` });
      seen.add(result.id);
    });
  });
  return problems;
}

function pathText(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "the report";
  return path.map((part, index) => (typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`)).join("");
}

/**
 * Where JSON.parse stopped: V8 gives the position for most errors; for an unexpected token it
 * gives none, which is found when the file does not start as JSON (an HTML or Markdown report).
 */
export function jsonErrorOffset(text: string, message: string): number | undefined {
  const position = /at position ([0-9]+)/.exec(message)?.[1];
  if (position !== undefined) return Number(position);
  if (/end of JSON input/.test(message)) return text.length;
  return jsonSyntaxErrorOffset(text);
}

export function offsetLocation(text: string, file: string, offset: number): SourceLocation {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < Math.min(offset, text.length); index++) {
    if (text[index] === "\n") {
      line++;
      lineStart = index + 1;
    }
  }
  return { file, line, column: offset - lineStart + 1 };
}

/**
 * Positions of JSON values by path, read with the yaml parser (JSON is YAML) only when a problem
 * must be located. A path that does not exist (a missing field) points at the nearest value that does.
 */
export class JsonLocator {
  private readonly lines = new LineCounter();
  private readonly root: Node | null;

  constructor(
    text: string,
    private readonly file: string,
  ) {
    const doc = parseDocument(text, { lineCounter: this.lines, uniqueKeys: false });
    this.root = doc.contents;
  }

  at(path: readonly PropertyKey[]): SourceLocation {
    let node = this.root;
    let located = node;
    for (const part of path) {
      node = child(node, part);
      if (node === null) break;
      located = node;
    }
    const offset = located?.range?.[0];
    if (offset === undefined) return { file: this.file };
    const position = this.lines.linePos(offset);
    return { file: this.file, line: position.line, column: position.col };
  }
}

function child(node: Node | null, part: PropertyKey): Node | null {
  if (isSeq(node) && typeof part === "number") return (node.items[part] as Node | undefined) ?? null;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isScalar(pair.key) && pair.key.value === part) return (pair.value as Node | null) ?? null;
    }
  }
  return null;
}
