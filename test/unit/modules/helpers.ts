import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { changeBody } from "../../../src/engine/apply.js";
import type { FileStat } from "../../../src/facts/file.js";
import type { Session } from "../../../src/facts/session.js";
import { factKey, type FactValue } from "../../../src/facts/types.js";
import type { Module, Plan, PlanContext } from "../../../src/modules/types.js";
import { planModule } from "../../support/plan-module.js";

/** Shared fixtures and runners of the file-module tests. */

export type Facts = Record<string, FactValue>;
type Change = Extract<Plan, { kind: "change" }>;

export const SESSION: Session = { user: "root", group: "root", umask: "0022" };
export const SESSION_FACTS: Facts = { "session:": SESSION };

export const absent: FileStat = { exists: false };
export const regular = (mode: string, owner = "root", group = "root", size = 0): FileStat => ({ exists: true, type: "file", mode, owner, group, size });
export const directory = (mode: string, owner = "root", group = "root"): FileStat => ({ exists: true, type: "directory", mode, owner, group, size: 4096 });

/** The issues of a rejected argument set, as "dot.path: message". */
export function argIssues<Args>(module: Module<Args>, raw: unknown): string[] {
  const result = module.args.safeParse(raw);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

export function expectChange(plan: Plan): Change {
  if (plan.kind !== "change") throw new Error(`expected a change plan, got ${JSON.stringify(plan)}`);
  return plan;
}

/** The facts after a change, as its effects predict them. */
export function afterEffects(facts: Facts, plan: Change): Facts {
  const after = { ...facts };
  for (const predicted of plan.effects) after[factKey(predicted.request)] = predicted.value;
  return after;
}

/** Plans, applies the predicted effects and plans again: the second plan must be ok. */
export function expectIdempotent<Args>(module: Module<Args>, rawArgs: unknown, facts: Facts, context: Partial<PlanContext> = {}): { first: Change; second: Plan } {
  const first = expectChange(planModule(module, rawArgs, facts, context).plan);
  const second = planModule(module, rawArgs, afterEffects(facts, first), context).plan;
  expect(second, `re-plan after ${first.summary}`).toMatchObject({ kind: "ok" });
  return { first, second };
}

/** The script the engine runs for a plan: its section body (the commands under set -e), in a subshell with stdin closed. */
export function applyScript(plan: Change): string {
  return `(\n${changeBody({ commands: plan.commands, continueOnFailure: false, timeoutSeconds: undefined })}\n) </dev/null`;
}

/** Runs a plan's commands with /bin/sh on this machine. */
export function apply(plan: Change): { status: number | null; stderr: string } {
  const run = spawnSync("/bin/sh", ["-c", applyScript(plan)], { encoding: "utf8" });
  return { status: run.status, stderr: run.stderr };
}

/** Reads the facts a module declares, by running their probes with /bin/sh here. */
export function gatherFacts<Args>(module: Module<Args>, rawArgs: unknown): Facts {
  const facts: Facts = {};
  for (const request of module.facts(module.args.parse(rawArgs))) facts[factKey(request)] = probe(request.kind, request.arg);
  return facts;
}

export function probe(kind: { probe(arg: string): string; parse(raw: { stdout: string; stderr: string; exitCode: number }, arg: string): FactValue }, arg: string): FactValue {
  const run = spawnSync("/bin/sh", ["-c", kind.probe(arg)], { encoding: "utf8" });
  return kind.parse({ stdout: run.stdout, stderr: run.stderr, exitCode: run.status ?? -1 }, arg);
}

/** Plans from the real facts of this machine. */
export function planHere<Args>(module: Module<Args>, rawArgs: unknown, context: Partial<PlanContext> = {}): Plan {
  return planModule(module, rawArgs, gatherFacts(module, rawArgs), context).plan;
}

/** Each effect of a plan equals what its probe reads now (after applying the plan). */
export function expectEffectsHold(plan: Change): void {
  for (const predicted of plan.effects) expect(probe(predicted.request.kind, predicted.request.arg), factKey(predicted.request)).toEqual(predicted.value);
}

/** A fresh directory under the system temp dir, removed (immutable bits cleared first) by the returned cleanup. */
export function scratchDirectory(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "fleet-modules-"));
  return {
    dir,
    cleanup: () => {
      spawnSync("chattr", ["-R", "-i", dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Entries of a directory left by an atomic write that failed (none expected). */
export const tempLeftovers = (dir: string): string[] => readdirSync(dir).filter((name) => name.startsWith(".fleet-tmp."));

/** `stat -c '%a %U %G'` of a path. */
export const modeOwnerGroup = (path: string): string => execFileSync("stat", ["-L", "-c", "%a %U %G", path], { encoding: "utf8" }).trim();

/** Whether this process may set the immutable attribute in the temp dir (root on ext4 and the like). */
export function canMakeImmutable(): boolean {
  const { dir, cleanup } = scratchDirectory();
  try {
    return spawnSync("/bin/sh", ["-c", `: > "$1/f" && chattr +i "$1/f" && chattr -i "$1/f"`, "sh", dir]).status === 0;
  } finally {
    cleanup();
  }
}

/** What a path holds in a fixture: a text, raw bytes, or nothing. */
export type FixtureFile = { text: string } | { bytes: Buffer } | null;

/**
 * The facts fileWriteFacts(path) reads, consistent with one another: stat, content (decoded as
 * fileContent does), digest of the bytes, the parent directory and the session.
 */
export function writeFacts(path: string, file: FixtureFile, attributes: { mode?: string; owner?: string; group?: string } = {}, parent: FileStat = directory("0755")): Facts {
  const dir = path.slice(0, path.lastIndexOf("/")) || "/";
  if (file === null) return { [`file:${path}`]: absent, [`file_content:${path}`]: { state: "absent" }, [`file_sha256:${path}`]: { state: "absent" }, [`file:${dir}`]: parent, ...SESSION_FACTS };
  const bytes = "text" in file ? Buffer.from(file.text, "utf8") : file.bytes;
  return {
    [`file:${path}`]: regular(attributes.mode ?? "0644", attributes.owner ?? "root", attributes.group ?? "root", bytes.length),
    [`file_content:${path}`]: { state: "file", content: bytes.toString("utf8") },
    [`file_sha256:${path}`]: { state: "file", sha256: createHash("sha256").update(bytes).digest("hex") },
    [`file:${dir}`]: parent,
    ...SESSION_FACTS,
  };
}

/** The commands' scripts of a plan. */
export const scripts = (plan: Plan): string[] => expectChange(plan).commands.map((command) => command.script);
