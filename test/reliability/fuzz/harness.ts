/**
 * What every fuzz category shares: how many inputs to run (FLEET_FUZZ_RUNS*), the fixed seeds,
 * a fleet that runs in a worker thread with a time bound per input, and the checks every outcome
 * must pass. A category's test runs its inputs, collects every violation (each with the input
 * that caused it, saved to a directory for replay) and fails listing them all.
 *
 * Environment:
 *   FLEET_FUZZ_RUNS=N               inputs per category (default: each category's own, ~60 s in all)
 *   FLEET_FUZZ_RUNS_<CATEGORY>=N    for one category: INVENTORY, PLAYBOOK, VARS, ARGV
 *   FLEET_FUZZ_SEED=N               another base seed (default 20261203)
 *   FLEET_FUZZ_TIMEOUT_MS=N         the bound per input (default 10000)
 *   FLEET_FUZZ_STRICT=1             stop at the first violation and let fast-check shrink it
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { FleetRequest, WorkerMessage } from "./fleet-worker.js";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

// ---- sizes and seeds

export type Category = "INVENTORY" | "PLAYBOOK" | "VARS" | "ARGV";

/** Inputs of a category: FLEET_FUZZ_RUNS_<CATEGORY>, else FLEET_FUZZ_RUNS, else the default. */
export function runsFor(category: Category, defaultRuns: number): number {
  for (const name of [`FLEET_FUZZ_RUNS_${category}`, "FLEET_FUZZ_RUNS"]) {
    const text = process.env[name];
    if (text !== undefined && text.trim() !== "") {
      const value = Number(text);
      if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, not "${text}"`);
      return value;
    }
  }
  return defaultRuns;
}

/** Splits a category's inputs among its properties by weight (each gets at least 1). */
export function share(total: number, weight: number, weights: number): number {
  return Math.max(1, Math.round((total * weight) / weights));
}

const BASE_SEED = Number(process.env["FLEET_FUZZ_SEED"] ?? 20261203);

/** A fixed seed per property, so that CI runs the same inputs every time. */
export function seedOf(property: string): number {
  let hash = BASE_SEED | 0;
  for (const char of property) hash = (Math.imul(hash, 31) + (char.codePointAt(0) ?? 0)) | 0;
  return hash;
}

export const INPUT_TIMEOUT_MS = Number(process.env["FLEET_FUZZ_TIMEOUT_MS"] ?? 10_000);
export const STRICT = process.env["FLEET_FUZZ_STRICT"] === "1";

/** A vitest timeout for a property of `runs` inputs: generous, the inputs are bounded one by one. */
export function testTimeout(runs: number): number {
  return 120_000 + runs * 2_000;
}

// ---- fleet in a worker thread

export type Outcome =
  | { kind: "exit"; code: number; stdout: string; stdoutBytes: number; stdoutIsJson: boolean | undefined; stderr: string; ms: number; stray: string[] }
  | { kind: "timeout"; ms: number }
  | { kind: "crash"; message: string };

/** The thread's memory: an input that needs more is a bug (the real CLI would need as much). */
const WORKER_HEAP_MB = 1536;
/** The main thread's default stack (984 KB): a worker's default is 4 MB, which would hide stack overflows. */
const WORKER_STACK_MB = 0.96;

export class FleetWorker {
  private worker: Worker | undefined;
  private nextId = 0;
  private pending: { id: number; resolve: (outcome: Outcome) => void; stray: string[] } | undefined;
  private lastStray: string[] = [];
  /** Inputs run, and the time they took. */
  inputs = 0;
  restarts = 0;

  async start(): Promise<void> {
    // tsx compiles the TypeScript sources in the thread, as vitest does in this one: its ESM API
    // (the .mjs beside the CommonJS entry that require resolves)
    const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;
    const entry = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), "fleet-worker.ts")).href;
    const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
    const worker = new Worker(bootstrap, {
      eval: true,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, stackSizeMb: WORKER_STACK_MB },
      stdout: false,
      stderr: false,
    });
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: WorkerMessage): void => {
        if (message.type !== "ready") return;
        worker.off("message", onMessage);
        worker.off("error", onError);
        resolve();
      };
      const onError = (error: Error): void => reject(error);
      worker.on("message", onMessage);
      worker.once("error", onError);
    });
    worker.on("message", (message: WorkerMessage) => this.onMessage(message));
    worker.on("error", (error: Error & { code?: string }) => this.finish({ kind: "crash", message: `${error.code ?? error.name}: ${error.message}` }));
    worker.on("exit", (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.finish({ kind: "crash", message: `the worker thread exited with code ${code}` });
    });
  }

  private onMessage(message: WorkerMessage): void {
    if (message.type === "stray") {
      if (this.pending !== undefined) this.pending.stray.push(message.message);
      else this.lastStray.push(message.message);
      return;
    }
    if (message.type !== "result" || this.pending?.id !== message.id) return;
    const { code, stdout, stdoutBytes, stdoutIsJson, stderr, ms } = message;
    this.finish({ kind: "exit", code, stdout, stdoutBytes, stdoutIsJson, stderr, ms, stray: this.pending.stray });
  }

  private finish(outcome: Outcome): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    pending.resolve(outcome);
  }

  /** One fleet command line; the outcome within `timeoutMs`, or "timeout" (and a fresh worker for the next). */
  async run(argv: readonly string[], options: { env?: Record<string, string>; jsonStdout?: boolean; timeoutMs?: number } = {}): Promise<Outcome> {
    if (this.worker === undefined) {
      this.restarts++;
      await this.start();
    }
    const worker = this.worker as Worker;
    const id = ++this.nextId;
    this.inputs++;
    const timeoutMs = options.timeoutMs ?? INPUT_TIMEOUT_MS;
    const begun = Date.now();
    // a rejection reported after the previous input had its result belongs to that input's run
    const stray = this.lastStray;
    this.lastStray = [];
    const outcome = await new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => this.finish({ kind: "timeout", ms: Date.now() - begun }), timeoutMs);
      const done = (value: Outcome): void => {
        clearTimeout(timer);
        resolve(value);
      };
      this.pending = { id, resolve: done, stray };
      const request: FleetRequest = { id, argv: [...argv], env: options.env ?? {}, jsonStdout: options.jsonStdout === true };
      worker.postMessage(request);
    });
    if (outcome.kind !== "exit") await this.discard();
    return outcome;
  }

  /** A worker that timed out or crashed is replaced before the next input. */
  private async discard(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  async close(): Promise<void> {
    await this.discard();
  }
}

// ---- what every outcome must satisfy

export interface Expectation {
  /** The exit codes this input may end with. */
  codes: readonly number[];
  /** Files (or directories) the input consists of: an input error must name one of them. */
  files: readonly string[];
  /** Directories whose every file is input (group_vars/, a playbook's vars/). */
  roots?: readonly string[];
  /** The current directory relative paths in messages start from. */
  cwd?: string;
  /** -e values were given: a problem of a template in one is located at "-e". */
  extraVars?: boolean;
  /**
   * Output paths were given: writing one may fail (a directory, a full disk), which is a runtime
   * error, exit 1, as one `... [IO_ERROR]` line that names the path.
   */
  outputs?: boolean;
}

const STACK_TRACE = /^\s+at .+(:\d+:\d+|\(native\))/m;
const RAW_ERRORS = /\b(?:TypeError|RangeError|ReferenceError|EvalError|URIError|AggregateError)\b|SyntaxError:|internal error/;
/** A problem as FleetError.describe prints it: `[file:line:column: ]message [CODE]`. */
const PROBLEM_HEAD = /\[[A-Z][A-Z0-9_]*\]\s*$/;
const LOCATION = /^(.+?):(\d+)(?::(\d+))?: /s;

/** Every way the outcome breaks the rules; empty when it is fine. */
export function violations(outcome: Outcome, expect: Expectation): string[] {
  if (outcome.kind === "timeout") return [`no result within ${outcome.ms} ms (the bound per input): a hang or a runaway computation`];
  if (outcome.kind === "crash") return [`fleet's thread died: ${outcome.message} (out of memory?)`];
  const problems: string[] = [];
  const { code, stderr, stdout } = outcome;
  const ioError = expect.outputs === true && code === 1 && /^fleet: .+ \[IO_ERROR\]$/m.test(stderr);
  if (!expect.codes.includes(code) && !ioError) problems.push(`exit ${code}, expected one of ${expect.codes.join(", ")}`);
  if (STACK_TRACE.test(stderr)) problems.push("a stack trace on stderr");
  const raw = RAW_ERRORS.exec(stderr);
  if (raw !== null) problems.push(`a raw JavaScript error on stderr (${raw[0]})`);
  if (stderr.includes("[object Object]") || stdout.includes("[object Object]")) problems.push("[object Object] in the output");
  for (const stray of outcome.stray) problems.push(`after the run: ${stray.split("\n")[0] ?? stray}`);
  if (code === 0 && outcome.stdoutIsJson === false) problems.push("exit 0, but standard output is not one JSON document");

  const heads = stderr
    .split("\n")
    .filter((line) => PROBLEM_HEAD.test(line))
    .map((line) => line.replace(/^fleet: /, ""));
  for (const head of heads) {
    const message = head.replace(LOCATION, "").replace(PROBLEM_HEAD, "").trim();
    if (/^(?:undefined|null|NaN)?$/.test(message) || /: undefined$/.test(message)) problems.push(`a message that says nothing: ${JSON.stringify(head)}`);
  }
  if (code === 4) {
    if (heads.length === 0) problems.push("exit 4 without a problem `file:line:column: message [CODE]` on stderr");
    for (const head of heads) {
      const trouble = unlocated(head, expect);
      if (trouble !== undefined) problems.push(trouble);
    }
  }
  return problems;
}

/** Why an input problem does not say where it is, or undefined when it does. */
function unlocated(head: string, expect: Expectation): string | undefined {
  const cwd = expect.cwd ?? process.cwd();
  const known = (file: string): boolean => {
    const absolute = path.resolve(cwd, file);
    return expect.files.some((input) => path.resolve(cwd, input) === absolute) || (expect.roots ?? []).some((root) => absolute.startsWith(path.resolve(cwd, root) + path.sep));
  };
  const location = LOCATION.exec(head);
  if (location !== null && known(location[1] as string)) return undefined;
  // a template in an -e value is rendered where a task reads it; its problems point at "-e"
  if (expect.extraVars === true && head.startsWith("-e: ")) return undefined;
  // `file: message` (no line): only for what is about the whole file (not found, unreadable, empty, a directory)
  const fileOnly = /^(.+?): /s.exec(head);
  if (fileOnly !== null && known(fileOnly[1] as string) && !hasLines(path.resolve(cwd, fileOnly[1] as string))) return undefined;
  if (fileOnly !== null && known(fileOnly[1] as string)) return `an input error without a line: ${JSON.stringify(head)}`;
  // a file that is not there or cannot be read is named in the message (as the user gave it)
  if (/not found|does not exist|cannot read|not a directory|unreadable/i.test(head)) return undefined;
  return `an input error that does not say which file and line: ${JSON.stringify(head)}`;
}

/** A file with text in it, whose problems can be put on a line. */
function hasLines(file: string): boolean {
  try {
    const stats = statSync(file);
    return stats.isFile() && stats.size > 0;
  } catch {
    return false;
  }
}

// ---- collecting violations

export interface FuzzInput {
  /** What kind of input it is (a fixture and its mutations, a generator), for the failure message. */
  label: string;
  /** What was run, for the failure message. */
  argv: readonly string[];
  /** The files written for this input: name → content. */
  files: Record<string, string>;
  /** Where they were written. */
  dir: string;
}

const FAILURES_ROOT = path.join(tmpdir(), "fleet-fuzz-failures");

/** Violations of one category, each saved with its input for replay. */
export class FailureLog {
  readonly failures: string[] = [];
  private readonly signatures = new Set<string>();
  private readonly started = Date.now();

  constructor(private readonly category: string) {}

  /** The slowest inputs so far, for the summary (slow is where the next hang hides). */
  readonly slowest: Array<{ ms: number; what: string }> = [];

  /** Records the outcome's violations; returns whether there were none. */
  check(input: FuzzInput, outcome: Outcome, expect: Expectation): boolean {
    if (outcome.kind === "exit") {
      this.slowest.push({ ms: outcome.ms, what: `[${input.label.slice(0, 120)}] exit ${outcome.code}, ${Object.values(input.files).reduce((total, content) => total + content.length, 0)} characters of input` });
      this.slowest.sort((a, b) => b.ms - a.ms);
      this.slowest.length = Math.min(this.slowest.length, 5);
    }
    const found = violations(outcome, expect);
    if (found.length === 0) return true;
    // the same violation from another input is listed once (with its first input)
    const signature = found.map((text) => text.replace(/\/[^\s"':]*/g, "PATH").replace(/\d+/g, "N")).join("|");
    if (this.signatures.has(signature)) return false;
    this.signatures.add(signature);
    const saved = path.join(FAILURES_ROOT, `${this.category}-${process.pid}-${this.failures.length + 1}`);
    mkdirSync(saved, { recursive: true });
    for (const [name, content] of Object.entries(input.files)) {
      mkdirSync(path.dirname(path.join(saved, name)), { recursive: true });
      writeFileSync(path.join(saved, name), content);
    }
    writeFileSync(path.join(saved, "argv.json"), `${JSON.stringify({ argv: input.argv, dir: input.dir }, null, 2)}\n`);
    const shown = Object.entries(input.files)
      .map(([name, content]) => `--- ${name} (${content.length} characters)\n${preview(content)}`)
      .join("\n");
    const result = outcome.kind === "exit" ? `exit ${outcome.code} in ${outcome.ms} ms\nstderr:\n${preview(outcome.stderr)}` : outcome.kind;
    this.failures.push(`[${input.label}] ${found.join("; ")}\n  fleet ${input.argv.map((arg) => JSON.stringify(arg)).join(" ")}\n  input saved in ${saved}\n${shown}\n${result}`);
    return false;
  }

  /** Fails the test listing every violation found since `from` (an earlier length of `failures`). */
  assertNone(from = 0): void {
    const found = this.failures.slice(from);
    if (found.length === 0) return;
    throw new Error(`${found.length} distinct violation(s) in ${this.category}:\n\n${found.join("\n\n")}`);
  }

  elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }
}

/** Text as it can be read in a failure message: control characters and odd spaces as \xNN / \uNNNN. */
function preview(text: string): string {
  const shown = text.length > 1_500 ? `${text.slice(0, 1_200)}\n… ${text.length - 1_200} more characters` : text;
  return shown.replace(/[^\n\x20-\x7e\u00a1-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffc]/gu, (char) => {
    const code = char.codePointAt(0) ?? 0;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

// ---- a directory per run and per input

export class Sandbox {
  readonly root: string;
  private cases = 0;

  constructor(category: string) {
    this.root = mkdtempSync(path.join(tmpdir(), `fleet-fuzz-${category}-`));
  }

  /** A fresh directory for one input, with its files written. */
  input(files: Record<string, string | Buffer>): string {
    const dir = path.join(this.root, `case-${++this.cases}`);
    mkdirSync(dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(dir, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    return dir;
  }

  /** Inputs are removed once checked (the failing ones are saved by the FailureLog). */
  drop(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

// ---- hosts that cannot be reached

/**
 * A TCP port on 127.0.0.1 nothing listens on (connecting is refused): the only address the
 * playbook, vars and exec inputs may name, so that no fuzzed playbook ever runs anywhere.
 */
export async function closedPort(): Promise<number> {
  for (const port of [9, 1, 7, 47, 61999, 62999]) if (await refused(port)) return port;
  throw new Error("no closed port found on 127.0.0.1 among 9, 1, 7, 47, 61999, 62999");
}

export function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(2_000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

/** An inventory of one host that cannot be reached and cannot be harmed: 127.0.0.1 on a closed port, over SSH. */
export function unreachableInventory(port: number): string {
  return [
    "# fuzz target: nothing listens here, so no task of a fuzzed playbook ever runs",
    "all:",
    "  hosts:",
    "    target:",
    "      ansible_host: 127.0.0.1",
    `      ansible_port: ${port}`,
    "      ansible_connection: ssh",
    // a long name, for the patterns that backtrack on one (`*a*a*a*a*a*a*a*a*a*a*a*b`)
    `    target-${"a".repeat(60)}:`,
    "      ansible_host: 127.0.0.1",
    `      ansible_port: ${port}`,
    "      ansible_connection: ssh",
    "",
  ].join("\n");
}

/** Reads a fixture (or any repository file) as text. */
export function repoFile(relative: string): string {
  return readFileSync(path.join(REPO, relative), "utf8");
}

/** One line for the suite's log: how many inputs, how long. */
export function summary(category: string, inputs: number, log: FailureLog, worker: FleetWorker): string {
  const slowest = log.slowest.map(({ ms, what }) => `\n  ${ms} ms: ${what}`).join("");
  return `fuzz ${category}: ${inputs} inputs in ${log.elapsedSeconds().toFixed(1)} s (${worker.restarts} worker restarts), ${log.failures.length} distinct violations; slowest:${slowest}`;
}
