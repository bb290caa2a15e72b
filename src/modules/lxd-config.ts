import { z } from "zod";
import {
  closestServerKey,
  describeReleases,
  durationProblem,
  isHidden,
  keyAvailability,
  keyDefault,
  lxdBoolean,
  monthsWarning,
  serverKeySpec,
  type ServerKeySpec,
} from "../facts/lxd/config-keys.js";
import { LXC } from "../facts/lxd/query.js";
import { LXD_SERVER_ARG, lxdServer, secretDigest, type LxdServer, type LxdServerInfo } from "../facts/lxd/server.js";
import { fact, type FactRequest } from "../facts/types.js";
import { shellQuote } from "../transport/shell-quote.js";
import { argsObject } from "./support/args.js";
import { ok, type Module, type Plan, type PlannedCommand } from "./types.js";

export interface LxdConfigArgs {
  /** Server key → value in LXD's string form ("" = unset, i.e. the default). */
  config: Record<string, string>;
  /** Accept keys the table does not know (a newer LXD's); they are compared as plain strings, default "". */
  allow_unknown: boolean;
}

const rawValue = z.union([z.string(), z.number(), z.boolean()], { error: "must be a string, number or boolean" });

/** LXD's string form of a YAML value: true → "true", 15 → "15". */
const valueText = (value: string | number | boolean): string => (typeof value === "string" ? value : String(value));

/** Keys whose value is a PEM document: the only ones that may hold newlines. */
const MULTILINE_KEY = /(_cert|_key|\.ca_cert)$/;

export const lxdConfigArgs: z.ZodType<LxdConfigArgs, unknown> = argsObject("lxd_config", {
  config: z.record(z.string(), rawValue),
  allow_unknown: z.boolean().default(false),
})
  .superRefine((args, context) => {
    const entries = Object.entries(args.config);
    if (entries.length === 0) context.addIssue({ code: "custom", path: ["config"], message: "give at least one server key, e.g. cluster.join_token_expiry: 15M" });
    for (const [name, value] of entries) {
      const path = ["config", name];
      const spec = serverKeySpec(name);
      if (spec === undefined && !args.allow_unknown) {
        const closest = closestServerKey(name);
        const hint = closest === undefined ? "" : `; did you mean "${closest}"?`;
        context.addIssue({ code: "custom", path, message: `unknown LXD server key "${name}"${hint} (LXD would take a misspelled key silently and print "" for it; set allow_unknown: true for a key of a newer LXD)` });
        continue;
      }
      if (spec === undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/.test(name)) {
        // it reaches lxc as KEY=VALUE: a key beginning with "-" would be read as an option
        context.addIssue({ code: "custom", path, message: `"${name}" is not an LXD server key: letters, digits and . _ : -, starting with a letter, digit or _` });
        continue;
      }
      const problem = valueProblem(spec, name, value);
      if (problem !== undefined) context.addIssue({ code: "custom", path, message: problem });
    }
  })
  .transform((args) => ({ config: Object.fromEntries(Object.entries(args.config).map(([name, value]) => [name, valueText(value)])), allow_unknown: args.allow_unknown }));

function valueProblem(spec: ServerKeySpec | undefined, name: string, value: string | number | boolean): string | undefined {
  if (typeof value === "number" && !Number.isFinite(value)) return "must be a finite number";
  const text = valueText(value);
  if (/[\0]/.test(text) || (/[\n\r]/.test(text) && !MULTILINE_KEY.test(name))) return "must be one line";
  if (text === "" || spec === undefined) return undefined;
  switch (spec.type) {
    case "bool":
      return lxdBoolean(text) === undefined ? `${name} is a boolean: true/false (also 1/0, yes/no, on/off); got ${JSON.stringify(text)}` : undefined;
    case "int":
      return /^-?\d+$/.test(text) ? undefined : `${name} is an integer; got ${JSON.stringify(text)}`;
    case "duration":
      return durationProblem(text);
    case "string":
      return undefined;
  }
}

const serverRequest = (): FactRequest<LxdServer> => fact(lxdServer, LXD_SERVER_ARG);

/** A key the table does not know (allow_unknown): a plain string without a default, any release. */
const unknownKey = (name: string): ServerKeySpec => ({ name, scope: "global", type: "string", default: "", in: [{ from: "0.0" }] });

/** One key of the task, judged against the server. */
type Judged =
  | { key: string; spec: ServerKeySpec; action: "keep"; note: string }
  | { key: string; spec: ServerKeySpec; action: "set"; value: string; before: string }
  | { key: string; spec: ServerKeySpec; action: "unset"; before: string };

/**
 * Server settings (`lxc config set`), judged on `lxc query /1.0`. A key that is unset, or set to
 * its default, is absent from what LXD reports, so "" and an absent key mean the documented
 * default (config-keys.ts), and a wanted default unsets the key rather than writing the default.
 * Keys a release lacks: wanting the default is nothing to do there; anything else fails.
 */
export const lxdConfigModule: Module<LxdConfigArgs> = {
  name: "lxd_config",
  description: "Set LXD server configuration keys (lxc config set / unset), judged against their documented defaults",
  args: lxdConfigArgs,
  verifiable: true,
  facts: () => [serverRequest()],
  plan: (args, facts) => {
    const server = facts.get(serverRequest());
    if (server.state === "no_lxd") return { kind: "not_applicable", reason: "LXD is not installed" };
    if (server.state === "error") return { kind: "error", message: `cannot read the LXD server configuration (lxc query /1.0): ${server.message}` };
    if (!server.trusted) return { kind: "fail", message: "LXD does not trust this client, so it shows no server configuration: run the task as root (become) or as a member of the LXD group" };
    return planConfig(args, server);
  },
};

function planConfig(args: LxdConfigArgs, server: LxdServerInfo): Plan {
  const judged: Judged[] = [];
  const absent: string[] = [];
  const unsupported: string[] = [];
  for (const [key, wanted] of Object.entries(args.config)) {
    const spec = serverKeySpec(key) ?? unknownKey(key);
    const fallback = keyDefault(spec, server.version);
    const wantsDefault = wanted === "" || sameValue(spec, wanted, fallback);
    if (keyAvailability(spec, server.version) === "no") {
      if (wantsDefault) absent.push(key);
      else unsupported.push(`${key} (LXD ${describeReleases(spec)})`);
      continue;
    }
    judged.push(judge(key, spec, wanted, wantsDefault, server));
  }
  const warnings = Object.entries(args.config)
    .filter(([key]) => serverKeySpec(key)?.type === "duration")
    .map(([, value]) => monthsWarning(value))
    .filter((warning): warning is string => warning !== undefined)
    .map((warning) => `warning: ${warning}`);
  const absentNote = absent.length === 0 ? [] : [`${absent.join(", ")} ${absent.length === 1 ? "does" : "do"} not exist in LXD ${server.version} (nothing to check)`];

  if (unsupported.length > 0) {
    return { kind: "fail", message: `LXD ${server.version} has no ${unsupported.join(", ")}: upgrade LXD or drop the key for this host`, expected: expectedText(args, server), actual: `LXD ${server.version}` };
  }
  if (judged.length === 0) return { kind: "not_applicable", reason: [...absentNote, ...warnings].join("; ") };

  const changes = judged.filter((item): item is Exclude<Judged, { action: "keep" }> => item.action !== "keep");
  const actual = judged.map((item) => `${item.key}=${item.action === "keep" ? currentText(item.key, item.spec, server) : item.before}`).join(", ");
  if (changes.length === 0) {
    const notes = judged.map((item) => (item.action === "keep" ? item.note : ""));
    return ok([...notes, ...absentNote, ...warnings].join("; "), actual);
  }

  const sets = changes.filter((item): item is Extract<Judged, { action: "set" }> => item.action === "set");
  const unsets = changes.filter((item): item is Extract<Judged, { action: "unset" }> => item.action === "unset");
  const commands: PlannedCommand[] = [];
  if (sets.length > 0) {
    commands.push({
      script: `${LXC} config set ${sets.map((item) => shellQuote(`${item.key}=${item.value}`)).join(" ")} </dev/null`,
      description: `lxc config set ${sets.map((item) => `${item.key}=${shown(item.spec, item.value)}`).join(" ")}`,
    });
  }
  for (const item of unsets) commands.push({ script: `${LXC} config unset ${shellQuote(item.key)} </dev/null`, description: `lxc config unset ${item.key} (back to its default)` });

  const after = predictServer(server, changes);
  const memberOnly = server.clustered ? changes.filter((item) => item.spec.scope === "member").map((item) => item.key) : [];
  const summary = [
    ...changes.map((item) => `${item.key}: ${item.before} → ${item.action === "set" ? shown(item.spec, item.value) : defaultText(item.spec, server.version)}`),
    ...(memberOnly.length > 0 ? [`${memberOnly.join(", ")} ${memberOnly.length === 1 ? "is" : "are"} per member: this sets ${server.serverName} only`] : []),
    ...absentNote,
    ...warnings,
  ].join("; ");
  return {
    kind: "change",
    summary,
    diff: { before: configLines(judged, server), after: configLines(judged, after) },
    commands,
    effects: [{ request: serverRequest(), value: after }],
    expected: expectedText(args, server),
    actual,
  };
}

function judge(key: string, spec: ServerKeySpec, wanted: string, wantsDefault: boolean, server: LxdServerInfo): Judged {
  const hidden = server.hidden.includes(key);
  const stored = server.config[key];
  const current = currentText(key, spec, server);
  if (wantsDefault) {
    if (!hidden && (stored === undefined || sameStored(spec, stored, keyDefault(spec, server.version)))) return { key, spec, action: "keep", note: `${key} is ${current}` };
    return { key, spec, action: "unset", before: current };
  }
  if (hidden) return { key, spec, action: "keep", note: `${key} is set; LXD hides its value (reads back "true"), so fleet cannot compare it: unset it and set it again to be sure` };
  if (stored !== undefined && sameStored(spec, stored, wanted)) return { key, spec, action: "keep", note: `${key} is ${current}` };
  return { key, spec, action: "set", value: wanted, before: current };
}

/** Equal as LXD means them: booleans by truth (true/1/yes/on), integers by number, the rest exactly. */
function sameValue(spec: ServerKeySpec, a: string, b: string): boolean {
  if (spec.type === "bool") {
    const [x, y] = [a === "" ? false : lxdBoolean(a), b === "" ? false : lxdBoolean(b)];
    return x !== undefined && x === y;
  }
  if (spec.type === "int" && /^-?\d+$/.test(a) && /^-?\d+$/.test(b)) return BigInt(a) === BigInt(b);
  return a === b;
}

/** A reported value (a digest for a secret key) against a plain one. */
const sameStored = (spec: ServerKeySpec, stored: string, plain: string): boolean => (spec.secret === true ? stored === secretDigest(plain) || (plain === "" && stored === "") : sameValue(spec, stored, plain));

/** What LXD will report after `lxc config set KEY=VALUE`: booleans normalised, secrets as digests. */
function reported(spec: ServerKeySpec, value: string): string {
  if (spec.type === "bool") return lxdBoolean(value) === true ? "true" : "false";
  return spec.secret === true ? secretDigest(value) : value;
}

function predictServer(server: LxdServerInfo, changes: readonly Exclude<Judged, { action: "keep" }>[]): LxdServerInfo {
  const config = { ...server.config };
  const hidden = new Set(server.hidden);
  for (const item of changes) {
    delete config[item.key];
    hidden.delete(item.key);
    if (item.action !== "set") continue;
    if (isHidden(item.spec, server.version)) hidden.add(item.key);
    else config[item.key] = reported(item.spec, item.value);
  }
  const sorted = Object.fromEntries(Object.entries(config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { ...server, config: sorted, hidden: [...hidden].sort() };
}

/** A value for messages: secrets never shown. */
const shown = (spec: ServerKeySpec, value: string): string => (spec.secret === true ? "(secret)" : value === "" ? '""' : value);

function defaultText(spec: ServerKeySpec, version: string): string {
  const fallback = keyDefault(spec, version);
  if (fallback !== "") return `${fallback} (default)`;
  return spec.unsetMeans === undefined ? "unset (default)" : `unset (default: ${spec.unsetMeans})`;
}

function currentText(key: string, spec: ServerKeySpec, server: LxdServerInfo): string {
  if (server.hidden.includes(key)) return "(set, value hidden by LXD)";
  const stored = server.config[key];
  return stored === undefined ? defaultText(spec, server.version) : spec.secret === true ? "(secret)" : stored;
}

function expectedText(args: LxdConfigArgs, server: LxdServerInfo): string {
  return Object.entries(args.config)
    .map(([key, value]) => {
      const spec = serverKeySpec(key) ?? unknownKey(key);
      return `${key}=${value === "" ? defaultText(spec, server.version) : shown(spec, value)}`;
    })
    .join(", ");
}

function configLines(judged: readonly Judged[], server: LxdServerInfo): string {
  return judged.map((item) => `${item.key}: ${currentText(item.key, item.spec, server)}\n`).join("");
}
