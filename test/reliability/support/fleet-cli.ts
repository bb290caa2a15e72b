/**
 * Running fleet from a fault test: in-process through runCli (as the integration tests do), or as
 * real processes from a private build (src compiled into node_modules/.cache, so the shared dist/
 * is left alone).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import type { FleetReport } from "../../../src/report/types.js";
import { captureIo } from "../../support/capture-io.js";
import { FAULTS_ROOT } from "./throwaway-sshd.js";

export interface FleetOutcome {
  code: number;
  stdout: string;
  stderr: string;
  /** The --report JSON, when the run wrote one. */
  report: FleetReport | undefined;
  durationMs: number;
}

/** A path that is no file: fleet then reads no ~/.ssh/config. */
export const NO_SSH_CONFIG = path.join(FAULTS_ROOT, "no-ssh-config");

let reports = 0;

/** args with options added before a `--` (fleet exec's command follows it). */
function withOptions(args: readonly string[], options: readonly string[]): string[] {
  const end = args.indexOf("--");
  return end < 0 ? [...args, ...options] : [...args.slice(0, end), ...options, ...args.slice(end)];
}

/** `fleet ARGS --ssh-config NONE --report FILE.json` in this process. */
export async function fleet(args: readonly string[], options: { report?: boolean; dir?: string } = {}): Promise<FleetOutcome> {
  const reportFile = path.join(options.dir ?? FAULTS_ROOT, `report-${process.pid}-${++reports}.json`);
  const withReport = options.report !== false;
  const { io, stdout, stderr } = captureIo();
  const begun = Date.now();
  const code = await runCli(withOptions(args, ["--ssh-config", NO_SSH_CONFIG, ...(withReport ? ["--report", reportFile] : [])]), io);
  const durationMs = Date.now() - begun;
  let report: FleetReport | undefined;
  if (withReport && existsSync(reportFile)) {
    report = JSON.parse(readFileSync(reportFile, "utf8")) as FleetReport;
    rmSync(reportFile, { force: true });
  }
  return { code, stdout: stdout(), stderr: stderr(), report, durationMs };
}

export const hostOf = (report: FleetReport | undefined, name: string) => {
  const host = report?.hosts.find((entry) => entry.name === name);
  if (host === undefined) throw new Error(`the report has no host ${name}`);
  return host;
};

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../..");
/** A package directory of our own: dist/ beside a package.json (cli/version.js reads ../package.json). */
const PRIVATE_PACKAGE = path.join(REPO, "node_modules", ".cache", "fleet-reliability");

/** Compiles src into a private dist once per test process; returns the path of its cli/main.js. */
export function privateBuild(): string {
  const main = path.join(PRIVATE_PACKAGE, "dist", "cli", "main.js");
  mkdirSync(PRIVATE_PACKAGE, { recursive: true });
  copyFileSync(path.join(REPO, "package.json"), path.join(PRIVATE_PACKAGE, "package.json"));
  execFileSync(path.join(REPO, "node_modules", ".bin", "tsc"), ["-p", path.join(REPO, "tsconfig.build.json"), "--outDir", path.join(PRIVATE_PACKAGE, "dist")], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  return main;
}

export interface ProcessOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `node MAIN ARGS` as a real process; HOME is a directory of the test's (no ~/.ssh). */
export function spawnFleet(main: string, args: readonly string[], home: string): { child: ChildProcess; done: Promise<ProcessOutcome> } {
  const child = spawn(process.execPath, [main, ...withOptions(args, ["--ssh-config", NO_SSH_CONFIG])], {
    cwd: REPO,
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: home, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<ProcessOutcome>((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}
