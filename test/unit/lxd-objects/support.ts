import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { hostTime } from "../../../src/facts/lxd/objects-clock.js";
import { lxdQuery, type LxdQueryResult } from "../../../src/facts/lxd/query.js";
import { lxdServer, type LxdServer } from "../../../src/facts/lxd/server.js";
import { factKey, type FactValue, type RawProbe } from "../../../src/facts/types.js";
import type { Module, Plan } from "../../../src/modules/types.js";
import { planModule } from "../../support/plan-module.js";

/** Fixtures and helpers of the LXD object tests (facts captured on the testbed by test/fixtures/lxd/objects/capture.ts). */

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/lxd/objects");

export type Facts = Record<string, FactValue>;
export type Change = Extract<Plan, { kind: "change" }>;

interface Capture {
  note: string;
  probes: Record<string, RawProbe>;
}

export const tb3 = JSON.parse(readFileSync(path.join(fixtures, "tb3-scenario.json"), "utf8")) as Capture & { version: string; noLxd: RawProbe; hostTime: RawProbe };
export const cluster = JSON.parse(readFileSync(path.join(fixtures, "tbc-cluster.json"), "utf8")) as Capture;
export const documented = JSON.parse(readFileSync(path.join(fixtures, "documented-5.21.json"), "utf8")) as { note: string; probes: Record<string, RawProbe> };

export interface RoundTrip {
  module: string;
  args: unknown;
  before: Record<string, RawProbe>;
  commands: string[];
  after: Record<string, RawProbe>;
}
export const roundTrips = (JSON.parse(readFileSync(path.join(fixtures, "tb3-round-trips.json"), "utf8")) as { roundTrips: RoundTrip[] }).roundTrips;

export const certificatePem = (name: string): string => readFileSync(path.join(fixtures, "certs", `${name}.crt`), "utf8");

/** The lxdQuery value of a captured API path. */
export function query(capture: { probes: Record<string, RawProbe> }, apiPath: string): LxdQueryResult {
  const raw = capture.probes[apiPath];
  if (raw === undefined) throw new Error(`no capture of ${apiPath}`);
  return lxdQuery.parse(raw, apiPath);
}

/** The JSON value of a captured API path (which must have succeeded). */
export function json(capture: { probes: Record<string, RawProbe> }, apiPath: string): FactValue {
  const result = query(capture, apiPath);
  if (!result.ok) throw new Error(`${apiPath} failed: ${result.message}`);
  return result.value;
}

/** The lxd_server fact of a capture (its /1.0 probe). */
export function server(capture: { probes: Record<string, RawProbe> }): LxdServer {
  const raw = capture.probes["/1.0"];
  if (raw === undefined) throw new Error("no capture of /1.0");
  return lxdServer.parse(raw, "");
}

/** Facts by key from captured probes: every lxdQuery path, the lxd_server fact of /1.0, and extras (the host clock). */
export function factsOf(capture: { probes: Record<string, RawProbe> }, extra: Facts = {}): Facts {
  const facts: Facts = {};
  for (const apiPath of Object.keys(capture.probes)) facts[`lxd_query:${apiPath}`] = query(capture, apiPath);
  if (capture.probes["/1.0"] !== undefined) facts["lxd_server:"] = server(capture);
  return { ...facts, ...extra };
}

/** Every fact of a set as a host without LXD gives it. */
export function withoutLxd(facts: Facts): Facts {
  return Object.fromEntries(
    Object.keys(facts).map((key): [string, FactValue] => {
      if (key === "lxd_server:") return [key, NO_LXD_SERVER];
      if (key.startsWith("lxd_query:")) return [key, NO_LXD];
      return [key, facts[key] ?? null];
    }),
  );
}

/** Parsed facts of raw probes keyed by fact key (as the round trips store them). */
export function parseKeyed(raw: Record<string, RawProbe>): Facts {
  return Object.fromEntries(
    Object.entries(raw).map(([key, probe]) => {
      if (key.startsWith("lxd_query:")) return [key, lxdQuery.parse(probe, key.slice("lxd_query:".length))];
      if (key === "lxd_server:") return [key, lxdServer.parse(probe, "")];
      if (key.startsWith("host_time:")) return [key, hostTime.parse(probe, "")];
      throw new Error(`unknown fact kind in ${key}`);
    }),
  );
}

export const ok = (value: FactValue): LxdQueryResult => ({ ok: true, value });
export const NO_LXD: LxdQueryResult = { ok: false, reason: "no-lxd", message: "lxc is not installed" };
export const NO_LXD_SERVER: LxdServer = { state: "no_lxd", message: "lxc is not installed" };
export const NOT_FOUND: LxdQueryResult = { ok: false, reason: "error", message: "not found" };

/** Replaces some objects of a captured list (by name) or adds them. */
export function withObjects(list: FactValue, ...objects: Record<string, FactValue>[]): LxdQueryResult {
  if (!Array.isArray(list)) throw new Error("not a list");
  const names = new Set(objects.map((object) => object["name"]));
  return ok([...list.filter((item) => !(typeof item === "object" && item !== null && !Array.isArray(item) && names.has(item["name"] as string))), ...objects]);
}

export function expectChange(plan: Plan): Change {
  if (plan.kind !== "change") throw new Error(`expected a change plan, got ${JSON.stringify(plan, null, 2)}`);
  return plan;
}

export function expectFail(plan: Plan): Extract<Plan, { kind: "fail" }> {
  if (plan.kind !== "fail") throw new Error(`expected a fail plan, got ${JSON.stringify(plan, null, 2)}`);
  return plan;
}

/** The facts after a change, as its effects predict them. */
export function afterEffects(facts: Facts, plan: Change): Facts {
  const after = { ...facts };
  for (const predicted of plan.effects) after[factKey(predicted.request)] = predicted.value;
  return after;
}

/** The engine's idempotence check on data: plan, apply the predicted effects, plan again: ok. */
export function expectIdempotent<Args>(module: Module<Args>, rawArgs: unknown, facts: Facts): { first: Change; second: Plan } {
  const first = expectChange(planModule(module, rawArgs, facts).plan);
  const second = planModule(module, rawArgs, afterEffects(facts, first)).plan;
  expect(second, `re-plan after ${first.summary}`).toMatchObject({ kind: "ok" });
  return { first, second };
}

/** The issues of rejected arguments, as "dot.path: message". */
export function argIssues<Args>(module: Module<Args>, raw: unknown): string[] {
  const result = module.args.safeParse(raw);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}
