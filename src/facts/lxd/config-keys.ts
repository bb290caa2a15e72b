/**
 * The LXD server configuration keys fleet knows: scope, type, default and the releases that have
 * them. Read from canonical/lxd at the tags lxd-5.0.2 … lxd-5.0.9, lxd-5.21.0 … lxd-5.21.7 and
 * lxd-6.1 … lxd-6.9 (lxd/cluster/config/config.go for global keys, lxd/node/config.go for
 * member-local ones, lxd/metadata/configuration.json for the documented defaults).
 *
 * Why a table: `lxc query /1.0` (and `lxc config get`) leave out keys that are unset *and* keys
 * that equal their default, and print nothing for a misspelled key. So an absent key means "the
 * default", which has to be known, and a key name has to be checked before it is trusted.
 */
import { compareVersions, inRange, parseLxdVersion, type VersionRange } from "./server-version.js";

export type ServerKeyType = "string" | "bool" | "int" | "duration";

/**
 * global: stored in the cluster database, one value for every member (check and set it once per
 * cluster). member: stored per member (`core.https_address`...): check and set it on each.
 */
export type ServerKeyScope = "global" | "member";

export type VersionedDefault = readonly { value: string; in: VersionRange }[];

export type ServerKeySpec = {
  /** The key, or a pattern with one `{name}` part: "storage.project.{name}.images_volume". */
  name: string;
  scope: ServerKeyScope;
  type: ServerKeyType;
  /**
   * The value in effect when the key is unset, as LXD would print it if it were set ("3H",
   * "false"); "" when unset means off/empty/none. A list when it changed between releases.
   */
  default: string | VersionedDefault;
  /** What an empty default means, in words ("never expires", "unix socket only"). */
  unsetMeans?: string;
  /** Releases that have the key. */
  in: readonly VersionRange[];
  /** Its value is a credential: never shown, compared by digest. */
  secret?: boolean;
  /** LXD reports `true` in place of its value (releases in the range). */
  hiddenIn?: readonly VersionRange[];
  /** Catalogue ids of controls that judge this key (controls.md). */
  controls?: readonly string[];
};

const ALL: readonly VersionRange[] = [{ from: "5.0" }];
/** Keys added in 5.0.2 (the token expiries). */
const FROM_502: readonly VersionRange[] = [{ from: "5.0.2" }];
/** Only the 5.0 LTS (removed before 5.21: Candid and RBAC). */
const ONLY_50: readonly VersionRange[] = [{ from: "5.0", to: "5.1" }];
const FROM_521: readonly VersionRange[] = [{ from: "5.21" }];
const FROM_66: readonly VersionRange[] = [{ from: "6.6" }];

const key = (name: string, scope: ServerKeyScope, type: ServerKeyType, defaultValue: string | VersionedDefault, versions: readonly VersionRange[], extra: Partial<ServerKeySpec> = {}): ServerKeySpec => ({
  name,
  scope,
  type,
  default: defaultValue,
  in: versions,
  ...extra,
});

const global = (name: string, type: ServerKeyType, defaultValue: string | VersionedDefault, versions: readonly VersionRange[] = ALL, extra: Partial<ServerKeySpec> = {}): ServerKeySpec =>
  key(name, "global", type, defaultValue, versions, extra);
const member = (name: string, type: ServerKeyType, defaultValue: string, versions: readonly VersionRange[] = ALL, extra: Partial<ServerKeySpec> = {}): ServerKeySpec =>
  key(name, "member", type, defaultValue, versions, extra);

export const SERVER_KEYS: readonly ServerKeySpec[] = [
  // acme (5.21+)
  global("acme.agree_tos", "bool", "false", FROM_521),
  global("acme.ca_url", "string", "https://acme-v02.api.letsencrypt.org/directory", FROM_521),
  global("acme.domain", "string", "", FROM_521),
  global("acme.email", "string", "", FROM_521),
  // backups and images
  global("backups.compression_algorithm", "string", "gzip"),
  global("images.auto_update_cached", "bool", "true"),
  global("images.auto_update_interval", "int", "6", ALL, { unsetMeans: "every 6 hours" }),
  global("images.compression_algorithm", "string", "gzip"),
  global("images.default_architecture", "string", "", ALL, { unsetMeans: "the host's architecture" }),
  global("images.remote_cache_expiry", "int", "10", ALL, { unsetMeans: "10 days" }),
  // Candid and RBAC: 5.0 only
  global("candid.api.key", "string", "", ONLY_50, { secret: true }),
  global("candid.api.url", "string", "", ONLY_50),
  global("candid.domains", "string", "", ONLY_50),
  global("candid.expiry", "int", "3600", ONLY_50),
  global("rbac.agent.private_key", "string", "", ONLY_50, { secret: true }),
  global("rbac.agent.public_key", "string", "", ONLY_50),
  global("rbac.agent.url", "string", "", ONLY_50),
  global("rbac.agent.username", "string", "", ONLY_50),
  global("rbac.api.expiry", "int", "3600", ONLY_50),
  global("rbac.api.key", "string", "", ONLY_50, { secret: true }),
  global("rbac.api.url", "string", "", ONLY_50),
  global("rbac.expiry", "int", "3600", ONLY_50),
  // cluster
  global("cluster.healing_threshold", "int", "0", FROM_521, { unsetMeans: "no automatic healing" }),
  global("cluster.images_minimal_replica", "int", "3"),
  global("cluster.join_token_expiry", "duration", "3H", FROM_502, { controls: ["LXD-ACC-09"] }),
  global("cluster.max_standby", "int", "2"),
  global("cluster.max_voters", "int", "3"),
  global("cluster.offline_threshold", "int", "20"),
  member("cluster.https_address", "string", "", ALL, { unsetMeans: "core.https_address" }),
  // core, global
  global("core.auth_secret_expiry", "duration", "1m", FROM_66, { controls: ["LXD-ACC-07"] }),
  global("core.bgp_asn", "int", "0"),
  global("core.https_allowed_credentials", "bool", "false"),
  global("core.https_allowed_headers", "string", ""),
  global("core.https_allowed_methods", "string", ""),
  global("core.https_allowed_origin", "string", ""),
  global("core.https_trusted_proxy", "string", ""),
  global("core.metrics_authentication", "bool", "true"),
  global("core.proxy_http", "string", "", ALL, { unsetMeans: "the daemon's HTTP_PROXY environment, if any", controls: ["LXD-NET-03"] }),
  global("core.proxy_https", "string", "", ALL, { unsetMeans: "the daemon's HTTPS_PROXY environment, if any", controls: ["LXD-NET-03"] }),
  global("core.proxy_ignore_hosts", "string", "", ALL, { controls: ["LXD-NET-03"] }),
  global(
    "core.remote_token_expiry",
    "duration",
    [
      { value: "", in: { from: "5.0", to: "5.21.5" } },
      { value: "15d", in: { from: "5.21.5", to: "6.0" } },
      { value: "", in: { from: "6.0", to: "6.7" } },
      { value: "15d", in: { from: "6.7" } },
    ],
    FROM_502,
    { unsetMeans: "tokens never expire", controls: ["LXD-ACC-10"] },
  ),
  global("core.shutdown_timeout", "int", "5", ALL, { unsetMeans: "5 minutes" }),
  global("core.trust_ca_certificates", "bool", "false", ALL, { controls: ["LXD-ACC-02"] }),
  global("core.trust_password", "string", "", [{ from: "5.0", to: "6.0" }], { secret: true, hiddenIn: [{ from: "5.0", to: "6.0" }] }),
  // core, per member
  member("core.bgp_address", "string", ""),
  member("core.bgp_routerid", "string", ""),
  member("core.debug_address", "string", ""),
  member("core.dns_address", "string", ""),
  member("core.https_address", "string", "", ALL, { unsetMeans: "unix socket only", controls: ["LXD-NET-02"] }),
  member("core.metrics_address", "string", ""),
  member("core.storage_buckets_address", "string", "", [{ from: "5.21", to: "6.8" }]),
  member("core.syslog_socket", "bool", "false", FROM_521),
  member("storage.backups_volume", "string", ""),
  member("storage.images_volume", "string", ""),
  member("storage.project.{name}.backups_volume", "string", "", FROM_66),
  member("storage.project.{name}.images_volume", "string", "", FROM_66),
  // instances (5.21+)
  global("instances.migration.stateful", "bool", "false", FROM_521),
  global("instances.nic.host_name", "string", "random", FROM_521),
  global("instances.placement.scriptlet", "string", "", [{ from: "5.21", to: "6.6" }]),
  // Loki (5.21+)
  global("loki.api.ca_cert", "string", "", FROM_521, { controls: ["LXD-LOG-03"] }),
  global("loki.api.url", "string", "", FROM_521, { controls: ["LXD-LOG-03"] }),
  global("loki.auth.password", "string", "", FROM_521, { secret: true, hiddenIn: [{ from: "5.21", to: "6.0" }] }),
  global("loki.auth.username", "string", "", FROM_521),
  global("loki.instance", "string", "", FROM_521, { unsetMeans: "the server or cluster member name" }),
  global("loki.labels", "string", "", FROM_521),
  global("loki.loglevel", "string", "info", FROM_521),
  global("loki.types", "string", "lifecycle,logging", FROM_521, { controls: ["LXD-LOG-03"] }),
  // MAAS
  global("maas.api.key", "string", "", [{ from: "5.0", to: "6.8" }], { secret: true }),
  global("maas.api.url", "string", "", [{ from: "5.0", to: "6.8" }]),
  member("maas.machine", "string", "", [{ from: "5.0", to: "6.8" }], { unsetMeans: "the host name" }),
  // OVN
  global("network.ovn.ca_cert", "string", "", FROM_521, { unsetMeans: "the content of /etc/ovn/ovn-central.crt, if present" }),
  global("network.ovn.client_cert", "string", "", FROM_521, { unsetMeans: "the content of /etc/ovn/cert_host, if present" }),
  global("network.ovn.client_key", "string", "", FROM_521, { secret: true, unsetMeans: "the content of /etc/ovn/key_host, if present" }),
  global("network.ovn.integration_bridge", "string", "br-int"),
  global(
    "network.ovn.northbound_connection",
    "string",
    [
      { value: "unix:/var/run/ovn/ovnnb_db.sock", in: { from: "5.0", to: "6.9" } },
      { value: "", in: { from: "6.9" } },
    ],
    ALL,
    { unsetMeans: "unix:/var/run/ovn/ovnnb_db.sock or MicroOVN's connection" },
  ),
  // OIDC (5.21+)
  global("oidc.audience", "string", "", FROM_521, { controls: ["LXD-ACC-07"] }),
  global("oidc.client.id", "string", "", FROM_521, { controls: ["LXD-ACC-07"] }),
  global("oidc.client.secret", "string", "", [{ from: "5.21.4", to: "6.0" }, { from: "6.5" }], { secret: true, controls: ["LXD-ACC-06"] }),
  global("oidc.device.client.id", "string", "", [{ from: "6.9" }], { unsetMeans: "oidc.client.id" }),
  global("oidc.groups.claim", "string", "", FROM_521),
  global("oidc.issuer", "string", "", FROM_521, { controls: ["LXD-ACC-07"] }),
  global("oidc.scopes", "string", "openid email offline_access profile", [{ from: "5.21.4", to: "6.0" }, { from: "6.3" }]),
  global("oidc.session.expiry", "duration", "1w", FROM_66, { controls: ["LXD-ACC-07"] }),
];

/** user.* keys are free-form: every release, global, no default. */
export const USER_KEY_PREFIX = "user.";

/** The key's spec: from the table, a `{name}` pattern, or a user.* key. Undefined for an unknown key. */
export function serverKeySpec(name: string): ServerKeySpec | undefined {
  const exact = SERVER_KEYS.find((spec) => spec.name === name);
  if (exact !== undefined) return exact;
  const patterned = SERVER_KEYS.find((spec) => spec.name.includes("{name}") && patternOf(spec.name).test(name));
  if (patterned !== undefined) return patterned;
  if (name.startsWith(USER_KEY_PREFIX) && name.length > USER_KEY_PREFIX.length) return global(name, "string", "", ALL);
  return undefined;
}

const patternOf = (name: string): RegExp => new RegExp(`^${name.split("{name}").map(escapeRegExp).join("[^.]+")}$`);
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The known key nearest to a misspelled one (edit distance), when one is reasonably near. */
export function closestServerKey(name: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const spec of SERVER_KEYS) {
    const distance = editDistance(name, spec.name);
    if (best === undefined || distance < best.distance) best = { name: spec.name, distance };
  }
  return best !== undefined && best.distance <= Math.max(3, Math.floor(name.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Whether a release has the key: yes, no, or unknown (a version fleet did not read: the 5.1–5.20
 * feature releases, anything before 5.0, or a version string it cannot parse).
 */
export function keyAvailability(spec: ServerKeySpec, version: string): "yes" | "no" | "unknown" {
  const parsed = parseLxdVersion(version);
  if (parsed === undefined || !isReadRelease(parsed)) return "unknown";
  return spec.in.some((range) => inRange(parsed, range)) ? "yes" : "no";
}

/** 5.0.x, 5.21.x and 6.x: the releases the table was read from. */
function isReadRelease(version: readonly number[]): boolean {
  return inRange(version, { from: "5.0", to: "5.1" }) || compareVersions(version, [5, 21]) >= 0;
}

/** The value in effect on `version` when the key is unset. */
export function keyDefault(spec: ServerKeySpec, version: string): string {
  if (typeof spec.default === "string") return spec.default;
  const parsed = parseLxdVersion(version);
  const match = parsed === undefined ? undefined : spec.default.find((entry) => inRange(parsed, entry.in));
  return (match ?? spec.default[spec.default.length - 1])?.value ?? "";
}

export function isHidden(spec: ServerKeySpec, version: string): boolean {
  const parsed = parseLxdVersion(version);
  if (spec.hiddenIn === undefined) return false;
  // An unknown version of a key hidden somewhere: assume hidden (LXD then reads back `true`).
  return parsed === undefined || spec.hiddenIn.some((range) => inRange(parsed, range));
}

/** The releases that have a key, in words: "5.21.4–5.21.x, 6.5+". */
export function describeReleases(spec: ServerKeySpec): string {
  return spec.in.map((range) => (range.to === undefined ? `${range.from}+` : `${range.from}–${beforeVersion(range.to)}`)).join(", ");
}

/** The last release before `to` in words: "5.1" → "5.0.x", "6.0" → "5.21.x", "6.8" → "6.7". */
function beforeVersion(to: string): string {
  const parsed = parseLxdVersion(to);
  if (parsed === undefined) return to;
  const [major = 0, minor = 0, patch = 0] = parsed;
  if (patch > 0) return `${major}.${minor}.${patch - 1}`;
  if (major === 5 && minor === 1) return "5.0.x";
  if (major === 6 && minor === 0) return "5.21.x";
  return `${major}.${minor - 1}`;
}

/** LXD's booleans (shared.IsTrue / IsFalse): true/1/yes/on and false/0/no/off, any case. */
export function lxdBoolean(value: string): boolean | undefined {
  const lower = value.toLowerCase();
  if (["true", "1", "yes", "on"].includes(lower)) return true;
  if (["false", "0", "no", "off"].includes(lower)) return false;
  return undefined;
}

const DURATION_PART = /^(\d+)(S|M|H|d|w|m|y)$/;

/**
 * Why a duration is not one LXD accepts (shared.GetExpiry: space-separated `<n><unit>` with
 * units S M H d w m y, each unit at most once), or undefined when it is fine.
 */
export function durationProblem(value: string): string | undefined {
  const parts = value.trim().split(" ");
  const units = new Set<string>();
  for (const part of parts) {
    const match = DURATION_PART.exec(part);
    if (match === null) return `"${value}" is not an LXD duration: space-separated <number><unit> with unit S (seconds), M (minutes), H (hours), d, w, m (months) or y, e.g. 15M`;
    const unit = match[2] ?? "";
    if (units.has(unit)) return `"${value}" gives the unit ${unit} twice`;
    units.add(unit);
  }
  return undefined;
}

/** The month/minute trap of LXD durations: "15m is 15 months in LXD; 15M is 15 minutes". */
export function monthsWarning(value: string): string | undefined {
  const months = value
    .trim()
    .split(" ")
    .map((part) => /^(\d+)m$/.exec(part)?.[1])
    .find((count) => count !== undefined);
  if (months === undefined) return undefined;
  const plural = months === "1" ? "" : "s";
  return `${months}m is ${months} month${plural} in LXD; ${months}M is ${months} minute${plural}`;
}
