/**
 * A directory laid out like the fleet image's /app (or a checkout on a CI runner), in which the
 * recipes' own shell scripts run unchanged: deploy/shard-audit.sh and deploy/compliance-gate.mjs
 * are the real files, `node dist/cli/main.js` is either a stub fleet (exit codes and reports on
 * demand, every call logged) or the real fleet CLI from src/ (through tsx).
 */
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const require = createRequire(import.meta.url);

/** One call of `node dist/cli/main.js` in a sandbox. */
export interface FleetCall {
  argv: string[];
  cwd: string;
  /** The secrets fleet received from the environment (null: not set). */
  becomePassword: string | null;
  sshPassphrase: string | null;
}

export interface Sandbox {
  dir: string;
  /** Every fleet call so far, in order. */
  calls(): FleetCall[];
  /** The environment a job engine would give: PATH with node and sh, HOME, the call log. */
  env(extra?: Record<string, string>): Record<string, string>;
}

/** The stub: behaviour from STUB_* variables (see the code), every call appended to FLEET_CALLS. */
const STUB = String.raw`"use strict";
const fs = require("node:fs");
const argv = process.argv.slice(2);
const env = process.env;
if (env.FLEET_CALLS) fs.appendFileSync(env.FLEET_CALLS, JSON.stringify({ argv, cwd: process.cwd(), becomePassword: env.FLEET_BECOME_PASSWORD ?? null, sshPassphrase: env.FLEET_SSH_PASSPHRASE ?? null }) + "\n");
const value = (flag) => { const index = argv.indexOf(flag); return index >= 0 ? argv[index + 1] : undefined; };
const report = (extra) => JSON.stringify({ schema: "fleet-report/v1", mode: "audit", ...extra }, null, 2) + "\n";
if (argv[0] === "audit") {
  const file = value("--report");
  if (env.STUB_HANG === "1") {
    process.on("SIGTERM", () => { if (file) fs.writeFileSync(file, report({ interrupted: true })); process.exit(99); });
    setTimeout(() => process.exit(0), 30000);
    if (env.STUB_READY) fs.writeFileSync(env.STUB_READY, "ready");
    return;
  }
  if (file && env.STUB_REPORT !== "none") fs.writeFileSync(file, env.STUB_REPORT === "garbage" ? "<html></html>\n" : report({ shard: value("--shard") }));
  process.exit(Number(env.STUB_EXIT || "0"));
}
if (argv[0] === "report" && argv[1] === "merge") {
  const out = value("-o");
  const parts = argv.slice(2, argv.indexOf("-o"));
  for (const part of parts) if (!fs.existsSync(part)) { console.error("fleet: " + part + " not found [REPORT_NOT_FOUND]"); process.exit(4); }
  const summary = env.STUB_SUMMARY ? JSON.parse(env.STUB_SUMMARY) : { hosts: 3, unreachable: 0, controls: { pass: 3, fail: 0, error: 0, waived: 0, not_applicable: 0 }, score: 100 };
  fs.writeFileSync(out, report({ summary }));
  process.exit(0);
}
if (argv[0] === "report" && argv[1] === "render") {
  const bytes = Number(env.STUB_RENDER_BYTES || "0");
  fs.writeFileSync(value("-o"), bytes > 0 ? "x".repeat(bytes) : "rendered " + value("--format") + " of " + argv[2] + "\n");
  process.exit(0);
}
console.error("stub fleet: unexpected arguments: " + argv.join(" "));
process.exit(1);
`;

/** The real fleet: src/cli/main.ts through tsx, in the caller's working directory. */
function realFleet(): string {
  const tsx = pathToFileURL(require.resolve("tsx")).href;
  const main = path.join(REPO, "src/cli/main.ts");
  return String.raw`"use strict";
const fs = require("node:fs");
const { spawnSync } = require("node:child_process");
const argv = process.argv.slice(2);
const env = process.env;
if (env.FLEET_CALLS) fs.appendFileSync(env.FLEET_CALLS, JSON.stringify({ argv, cwd: process.cwd(), becomePassword: env.FLEET_BECOME_PASSWORD ?? null, sshPassphrase: env.FLEET_SSH_PASSPHRASE ?? null }) + "\n");
const result = spawnSync(process.execPath, ["--import", ${JSON.stringify(tsx)}, ${JSON.stringify(main)}, ...argv], { stdio: "inherit" });
process.exit(result.status === null ? 1 : result.status);
`;
}

const made: string[] = [];

/** Removes every sandbox made so far (call it from afterEach / afterAll). */
export function removeSandboxes(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function makeSandbox(fleet: "stub" | "real"): Sandbox {
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-deploy-"));
  made.push(dir);
  writeFileSync(path.join(dir, "package.json"), '{ "type": "commonjs" }\n');
  mkdirSync(path.join(dir, "deploy"));
  for (const file of ["shard-audit.sh", "compliance-gate.mjs"]) copyFileSync(path.join(REPO, "deploy", file), path.join(dir, "deploy", file));
  mkdirSync(path.join(dir, "dist/cli"), { recursive: true });
  writeFileSync(path.join(dir, "dist/cli/main.js"), fleet === "stub" ? STUB : realFleet());
  const log = path.join(dir, "fleet-calls.jsonl");
  return {
    dir,
    calls: () =>
      existsSync(log)
        ? readFileSync(log, "utf8")
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => JSON.parse(line) as FleetCall)
        : [],
    env: (extra = {}) => ({
      PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
      HOME: dir,
      LANG: "C.UTF-8",
      FLEET_CALLS: log,
      ...extra,
    }),
  };
}

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const asRun = (result: SpawnSyncReturns<string>): Run => ({ status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr });

/** Runs a command (argv) in the sandbox, to the end. */
export function runIn(sandbox: Sandbox, argv: readonly string[], env: Record<string, string>, timeoutMs = 60_000): Run {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error("no command");
  return asRun(spawnSync(command, args, { cwd: sandbox.dir, env, encoding: "utf8", timeout: timeoutMs }));
}

/**
 * Starts a command in the sandbox, waits until `readyFile` exists (the stub writes it once it
 * listens for SIGTERM), sends `signal` to the started process, and returns how it ended.
 */
export async function runAndSignal(sandbox: Sandbox, argv: readonly string[], env: Record<string, string>, readyFile: string, signal: NodeJS.Signals): Promise<Run> {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error("no command");
  const child = spawn(command, args, { cwd: sandbox.dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const ended = new Promise<Run>((resolve) => child.on("close", (status, endSignal) => resolve({ status, signal: endSignal, stdout, stderr })));
  const deadline = Date.now() + 20_000;
  while (!existsSync(readyFile)) {
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the stub never got ready: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const run = await ended;
  clearTimeout(timer);
  return run;
}
