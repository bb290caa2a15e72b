import { z } from "zod";
import { sameLxdValue, type LxdRead } from "../../facts/lxd/objects-common.js";
import { LXC, type LxdQueryResult } from "../../facts/lxd/query.js";
import type { FactValue } from "../../facts/types.js";
import { shellQuote } from "../../transport/shell-quote.js";
import type { Plan } from "../types.js";

/** Shared pieces of the LXD object modules (lxd_profile, lxd_project, lxd_network_acl, the audits). */

/** One lxc command line: the host's lxc (snap or package), every word quoted, stdin closed. */
export function lxcCommand(...words: string[]): string {
  return `${LXC} ${words.map(shellQuote).join(" ")} </dev/null`;
}

/** The plan for a read that failed: LXD absent or too old → not_applicable; anything else → fail. */
export function unreadablePlan(read: Extract<LxdRead<unknown>, { ok: false }>, what: string): Plan {
  switch (read.reason) {
    case "no-lxd":
      return { kind: "not_applicable", reason: "LXD is not installed" };
    case "missing":
      return { kind: "not_applicable", reason: `this LXD server has no ${what} endpoint (${read.message}); it needs a newer LXD` };
    case "error":
      return { kind: "error", message: `cannot read ${what}: ${read.message}` };
  }
}

/** An LXD object name (profile, project, network, ACL, instance): one word, no "/". */
export const lxdName = (what: string) => {
  const a = /^[aeiou]/.test(what) ? "an" : "a";
  return z
    .string({ error: `must be ${a} ${what} name` })
    .min(1, `${a} ${what} name must not be empty`)
    .max(63, `${a} ${what} name has at most 63 characters`)
    .regex(/^[^\s/,'"\\]*$/, `${a} ${what} name has no spaces, "/", ",", quotes or backslashes`)
    // lxc would read "-h" or "--project=x" as an option, not as a name
    .refine((name) => !name.startsWith("-"), `${a} ${what} name must not start with "-"`);
};

/** Starts with a letter, digit or "_": a key beginning with "-" would reach lxc as an option. */
const CONFIG_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;

/** A record whose keys are checked with a message at the key's own path (zod's record key errors say only "Invalid key"). */
export function keyedRecord<Value extends z.ZodType>(value: Value, key: { test(name: string): boolean; message: string }) {
  return z.record(z.string(), value).superRefine((record, ctx) => {
    for (const name of Object.keys(record)) if (!key.test(name)) ctx.addIssue({ code: "custom", message: key.message, path: [name] });
  });
}

/** A config key: "limits.cpu", "user.x", "security.acls". */
export const configKey = { test: (name: string): boolean => CONFIG_KEY.test(name), message: "a config key has only letters, digits and . _ : -, and starts with a letter, digit or _" };

/** A config value as YAML gives it; null or "" means unset (LXD deletes a key set to ""). */
const configValue = z
  .union([z.string(), z.number(), z.boolean(), z.null()], { error: "must be a string, number, boolean or null (null unsets the key)" })
  .transform((value): string | null => (value === null || value === "" ? null : String(value)))
  .refine((value) => value === null || !/[\n\r\0]/.test(value), "must be one line");

/** key → value (null: unset). */
export const configMap = keyedRecord(configValue, configKey);

export interface ConfigDiff {
  set: Record<string, string>;
  unset: string[];
}

/** What to set and unset so that `current` holds `wanted` (keys not named are left alone). */
export function configDiff(current: Record<string, string>, wanted: Record<string, string | null>): ConfigDiff {
  const set: Record<string, string> = {};
  const unset: string[] = [];
  for (const [key, value] of Object.entries(wanted)) {
    if (value === null) {
      if (Object.hasOwn(current, key)) unset.push(key);
    } else if (!sameLxdValue(value, current[key])) set[key] = value;
  }
  return { set, unset };
}

export const emptyDiff = (diff: ConfigDiff): boolean => Object.keys(diff.set).length === 0 && diff.unset.length === 0;

/** The config after a diff. */
export function applyConfigDiff(current: Record<string, string>, diff: ConfigDiff): Record<string, string> {
  const after: Record<string, string> = { ...current, ...diff.set };
  for (const key of diff.unset) delete after[key];
  return sortedRecord(after);
}

/** "key=value" words for lxc … set. */
export const assignments = (set: Record<string, string>): string[] => Object.entries(set).map(([key, value]) => `${key}=${value}`);

/** A map as "key: value" lines, sorted: the text of a diff. */
export function mapText(map: Record<string, string>, indent = ""): string {
  return Object.keys(map)
    .sort()
    .map((key) => `${indent}${key}: ${map[key] ?? ""}\n`)
    .join("");
}

export function sortedRecord<V>(record: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// ---- predicted values: the raw JSON of a read, edited as the change will edit it ----

export type RawObject = { [key: string]: FactValue };

/** The objects of a successful list read, as LXD sent them. */
export function rawList(result: LxdQueryResult): RawObject[] {
  if (!result.ok || !Array.isArray(result.value)) return [];
  return result.value.filter((item): item is RawObject => typeof item === "object" && item !== null && !Array.isArray(item));
}

/** A list read with new objects. */
export const listResult = (objects: readonly RawObject[]): LxdQueryResult => ({ ok: true, value: [...objects] });

/** Every object `match` selects replaced by `edit` of it. */
export function editObjects(objects: readonly RawObject[], match: (object: RawObject) => boolean, edit: (object: RawObject) => RawObject): RawObject[] {
  return objects.map((object) => (match(object) ? edit(object) : object));
}

export const rawName = (object: RawObject): string => (typeof object["name"] === "string" ? object["name"] : "");

/** A string map of a raw object ({} when absent). */
export function rawStrings(object: RawObject, field: string): Record<string, string> {
  const value = object[field];
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, typeof item === "string" ? item : String(item)]));
}

/** A string list of a raw object ([] when absent or null). */
export function rawStringList(object: RawObject, field: string): string[] {
  const value = object[field];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** Devices of a raw object. */
export function rawDevices(object: RawObject, field: string): Record<string, Record<string, string>> {
  const value = object[field];
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([name, device]) => [name, typeof device === "object" && device !== null && !Array.isArray(device) ? rawStrings({ device }, "device") : {}]));
}

/** Lists for a message: "a, b and c". */
export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1] ?? ""}`;
}

export const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;
