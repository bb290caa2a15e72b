/**
 * The LXD server as `lxc query /1.0` shows it to root over the unix socket: version, LTS, API
 * extensions, cluster membership and the server configuration (global keys merged with this
 * member's local keys). Built on the lxdQuery fact's probe and parser.
 */
import { createHash } from "node:crypto";
import { FactParseError } from "../errors.js";
import type { FactKind, FactValue, RawProbe } from "../types.js";
import { serverKeySpec } from "./config-keys.js";
import { lxdQuery } from "./query.js";
import { isLtsVersion } from "./server-version.js";

export type LxdServerInfo = {
  state: "server";
  /** environment.server_version: "5.0.2", "5.21.7", "6.9". */
  version: string;
  /** environment.server_lts, or derived from the version when the server does not report it. */
  lts: boolean;
  /** True when the server reported server_lts (5.0.4+, 5.21+), false when it was derived. */
  ltsReported: boolean;
  apiExtensions: string[];
  /** False when the caller is not trusted: then LXD shows no config. */
  trusted: boolean;
  clustered: boolean;
  /** The member name in a cluster, the host name on a standalone server. */
  serverName: string;
  /** environment.server_pid; null when absent. */
  pid: number | null;
  /**
   * The config as LXD reports it: keys unset or at their default are absent. Values of secret
   * keys (oidc.client.secret...) are replaced by "sha256:" and the hex digest of the value, so
   * the fact, the plan and every report can be shown without the secret in clear.
   */
  config: Record<string, string>;
  /** Keys LXD reports as set but hides (`true` in place of the value: core.trust_password on 5.0/5.21). */
  hidden: string[];
};

export type LxdServer =
  /** No lxc client on the host. */
  | { state: "no_lxd"; message: string }
  /** lxc ran and failed: daemon down, socket not reachable, permission denied. */
  | { state: "error"; message: string }
  | LxdServerInfo;

export const SERVER_API_PATH = "/1.0";

/** The one argument of the lxdServer fact: the local member over the unix socket. */
export const LXD_SERVER_ARG = "";

export const lxdServer: FactKind<LxdServer> = {
  name: "lxd_server",
  probe: () => lxdQuery.probe(SERVER_API_PATH),
  parse: (raw: RawProbe, arg: string) => {
    const result = lxdQuery.parse(raw, SERVER_API_PATH);
    if (!result.ok) return result.reason === "no-lxd" ? { state: "no_lxd", message: result.message } : { state: "error", message: result.message };
    return parseServerDocument(result.value, arg);
  },
};

/** The digest a secret value is shown as, in the fact and in predictions. */
export const secretDigest = (value: string): string => `sha256:${createHash("sha256").update(value, "utf8").digest("hex")}`;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Pure: the JSON document of GET /1.0 → LxdServerInfo. Throws FactParseError when it is not one. */
export function parseServerDocument(document: FactValue | unknown, arg = LXD_SERVER_ARG): LxdServerInfo {
  const fail = (detail: string): never => {
    throw new FactParseError("lxd_server", arg, detail);
  };
  if (!isRecord(document)) return fail("GET /1.0 did not return an object");
  const environment = isRecord(document["environment"]) ? document["environment"] : {};
  const version = environment["server_version"];
  if (typeof version !== "string" || version === "") return fail("GET /1.0 has no environment.server_version");
  const reportedLts = environment["server_lts"];
  const extensions = document["api_extensions"];
  const pid = environment["server_pid"];
  const { config, hidden } = readConfig(document["config"], fail);
  return {
    state: "server",
    version,
    lts: typeof reportedLts === "boolean" ? reportedLts : isLtsVersion(version),
    ltsReported: typeof reportedLts === "boolean",
    apiExtensions: Array.isArray(extensions) ? extensions.filter((name): name is string => typeof name === "string") : [],
    trusted: document["auth"] === "trusted",
    clustered: environment["server_clustered"] === true,
    serverName: typeof environment["server_name"] === "string" ? environment["server_name"] : "",
    pid: typeof pid === "number" && Number.isInteger(pid) && pid > 0 ? pid : null,
    config,
    hidden,
  };
}

/**
 * LXD types the config as map[string]any: values are strings, except that 5.0 and 5.21 put the
 * boolean `true` in place of a hidden key's value.
 */
function readConfig(raw: unknown, fail: (detail: string) => never): { config: Record<string, string>; hidden: string[] } {
  const config: Record<string, string> = {};
  const hidden: string[] = [];
  if (raw === undefined || raw === null) return { config, hidden };
  if (!isRecord(raw)) return fail("config of GET /1.0 is not an object");
  for (const [name, value] of Object.entries(raw).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (value === true) hidden.push(name);
    else if (typeof value === "string") config[name] = serverKeySpec(name)?.secret === true ? secretDigest(value) : value;
    else if (typeof value === "number" || typeof value === "boolean") config[name] = String(value);
    else fail(`config key ${name} has a value of type ${value === null ? "null" : typeof value}`);
  }
  return { config, hidden };
}

/** Whether a server has an API extension (`api_extensions` lists them by name). */
export const hasApiExtension = (server: Pick<LxdServerInfo, "apiExtensions">, name: string): boolean => server.apiExtensions.includes(name);
