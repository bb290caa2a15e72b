import { z } from "zod";
import { fact, type FactRequest } from "../types.js";
import type { LxdQueryResult } from "./query.js";
import { LXD_SERVER_ARG, lxdServer, SERVER_API_PATH, type LxdServer as LxdServerFact } from "./server.js";

/**
 * Shared pieces of the LXD object facts (instances, profiles, projects, networks, pools, ACLs,
 * certificates). Every object fact is an `lxdQuery` request (`lxc query PATH` over the unix
 * socket) and a pure parser of its JSON, so the engine batches and caches them like any fact and
 * two modules that read the same path share one read (and one predicted value).
 */

/** A parsed LXD read: the objects, or why there are none. */
export type LxdRead<T> =
  | { ok: true; value: T }
  /**
   * no-lxd: no lxc client on the host. missing: the server has no such endpoint (an older LXD
   * answers "not found"). error: anything else (daemon down, project not found, odd JSON).
   */
  | { ok: false; reason: "no-lxd" | "missing" | "error"; message: string };

/** LXD booleans (shared.IsTrue): true, 1, yes, on, in any case. */
export const lxdTrue = (value: string | undefined): boolean => value !== undefined && /^(true|1|yes|on)$/i.test(value.trim());

/** LXD's explicit false words (shared.IsFalse): false, 0, no, off, in any case. */
export const lxdFalse = (value: string | undefined): boolean => value !== undefined && /^(false|0|no|off)$/i.test(value.trim());

/**
 * Whether a value found on the server is the value wanted. Booleans compare by meaning ("1" is
 * "true", "OFF" is "false"); anything else compares exactly, as LXD stores it.
 */
export function sameLxdValue(wanted: string, found: string | undefined): boolean {
  if (found === undefined) return false;
  if (lxdTrue(wanted)) return lxdTrue(found);
  if (lxdFalse(wanted)) return lxdFalse(found);
  return wanted === found;
}

/** A string map (config, device): LXD sends strings; null or absent is empty. */
export const stringMap = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
  .nullish()
  .transform((value): Record<string, string> => value ?? {});

/** A list of strings (used_by, profiles, projects): null or absent is empty. */
export const stringList = z
  .array(z.string())
  .nullish()
  .transform((value): string[] => value ?? []);

/** Devices: name → device config. */
export const deviceMap = z
  .record(z.string(), stringMap)
  .nullish()
  .transform((value): Record<string, Record<string, string>> => value ?? {});

/** A query of objects under `collection` as one project sees them. */
export const projectPath = (collection: string, project: string): string => `${collection}?recursion=1&project=${encodeURIComponent(project)}`;

/** A query of objects under `collection` in every project (only meaningful with the matching API extension). */
export const allProjectsPath = (collection: string): string => `${collection}?recursion=1&all-projects=true`;

/** Reads an lxdQuery result through a zod schema; never throws. */
export function readLxd<T>(result: LxdQueryResult, schema: z.ZodType<T>, apiPath: string): LxdRead<T> {
  if (!result.ok) {
    if (result.reason === "no-lxd") return { ok: false, reason: "no-lxd", message: result.message };
    // An unknown endpoint answers exactly "not found"; a missing object says what is missing.
    const missing = /^not found$/i.test(result.message.trim());
    return { ok: false, reason: missing ? "missing" : "error", message: `lxc query ${apiPath}: ${result.message}` };
  }
  const parsed = schema.safeParse(result.value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? "" : ` at ${issue.path.join(".")}`;
  return { ok: false, reason: "error", message: `lxc query ${apiPath}: unexpected JSON${where}: ${issue?.message ?? "invalid"}` };
}

// ---- the server (/1.0) ----

/**
 * What the object modules need of the server: the shared `lxd_server` fact (server.ts), so one
 * read of /1.0 serves every LXD module of a run.
 */
export interface LxdServer {
  apiExtensions: string[];
  version: string;
  clustered: boolean;
  /** Server config as the lxd_server fact gives it (secret values digested, hidden keys left out). */
  config: Record<string, string>;
}

export const lxdServerRequest: FactRequest<LxdServerFact> = fact(lxdServer, LXD_SERVER_ARG);

export function parseLxdServer(server: LxdServerFact): LxdRead<LxdServer> {
  if (server.state === "no_lxd") return { ok: false, reason: "no-lxd", message: server.message };
  if (server.state === "error") return { ok: false, reason: "error", message: `lxc query ${SERVER_API_PATH}: ${server.message}` };
  return { ok: true, value: { apiExtensions: server.apiExtensions, version: server.version, clustered: server.clustered, config: server.config } };
}

/** API extensions that change what a read returns (doc/api-extensions.md). */
export const EXTENSION = {
  instancesAllProjects: "instance_all_projects",
  profilesAllProjects: "profiles_all_projects",
  networksAllProjects: "networks_all_projects",
  networkAclsAllProjects: "network_acls_all_projects",
  networkAcls: "network_acl",
  storageBuckets: "storage_buckets",
  projects: "projects",
} as const;

export { hasApiExtension as hasExtension } from "./server.js";

/** The API URL LXD lists in used_by for an object of a project ("?project=" only outside default). */
export function objectUrl(collection: string, name: string, project: string): string {
  const base = `${collection}/${encodeURIComponent(name)}`;
  return project === "default" ? base : `${base}?project=${encodeURIComponent(project)}`;
}
