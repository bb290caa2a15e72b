import { spawnSync } from "node:child_process";
import { changeBody } from "../../../src/engine/apply.js";
import { factKey, type FactValue, type RawProbe } from "../../../src/facts/types.js";
import type { Module, PlannedCommand } from "../../../src/modules/types.js";

/**
 * This machine as a host, for the tests that run generated probes and scripts for real: each
 * probe in its own /bin/sh, a change's commands as the engine's apply section runs them (one
 * `set -e` shell, see engine/apply.ts changeBody).
 */
export const isRoot = process.getuid?.() === 0;

export function sh(script: string, env: NodeJS.ProcessEnv = process.env): RawProbe {
  const result = spawnSync("/bin/sh", ["-c", script], { encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] });
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.status ?? -1 };
}

/** Every fact the module declares for these args, probed here and parsed, by key. */
export function gatherHere<Args>(module: Module<Args>, rawArgs: unknown, env?: NodeJS.ProcessEnv): Record<string, FactValue> {
  const requests = module.facts(module.args.parse(rawArgs));
  return Object.fromEntries(requests.map((request) => [factKey(request), request.kind.parse(sh(request.kind.probe(request.arg), env), request.arg)]));
}

export function applyHere(commands: readonly PlannedCommand[], env?: NodeJS.ProcessEnv): RawProbe {
  return sh(changeBody({ commands, continueOnFailure: false, timeoutSeconds: undefined }), env);
}
