import { describe, expect, it } from "vitest";
import {
  closestServerKey,
  describeReleases,
  durationProblem,
  isHidden,
  keyAvailability,
  keyDefault,
  lxdBoolean,
  monthsWarning,
  SERVER_KEYS,
  serverKeySpec,
} from "../../../src/facts/lxd/config-keys.js";

const spec = (name: string) => {
  const found = serverKeySpec(name);
  if (found === undefined) throw new Error(`no key ${name}`);
  return found;
};

describe("the server key table", () => {
  it.each([
    // controls.md: global keys (once per cluster)
    ["core.trust_ca_certificates", "global", "false"],
    ["core.remote_token_expiry", "global", "15d"],
    ["cluster.join_token_expiry", "global", "3H"],
    ["core.proxy_http", "global", ""],
    ["core.proxy_https", "global", ""],
    ["core.proxy_ignore_hosts", "global", ""],
    ["oidc.client.secret", "global", ""],
    ["oidc.session.expiry", "global", "1w"],
    ["oidc.scopes", "global", "openid email offline_access profile"],
    ["core.auth_secret_expiry", "global", "1m"],
    ["loki.api.url", "global", ""],
    ["loki.types", "global", "lifecycle,logging"],
    ["loki.api.ca_cert", "global", ""],
    ["loki.instance", "global", ""],
    ["core.trust_password", "global", ""],
    // controls.md: member-local keys
    ["core.https_address", "member", ""],
    ["cluster.https_address", "member", ""],
    ["core.metrics_address", "member", ""],
    ["core.debug_address", "member", ""],
    ["core.bgp_address", "member", ""],
    ["core.dns_address", "member", ""],
    ["core.syslog_socket", "member", "false"],
    ["storage.images_volume", "member", ""],
    ["storage.backups_volume", "member", ""],
  ])("%s: %s, default %j on 6.9", (name, scope, fallback) => {
    expect(spec(name).scope).toBe(scope);
    expect(keyDefault(spec(name), "6.9")).toBe(fallback);
  });

  it("has the common core.*, cluster.* and images.* keys of 5.0 and 5.21, each once", () => {
    const names = SERVER_KEYS.map((key) => key.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of ["core.shutdown_timeout", "core.https_allowed_origin", "core.metrics_authentication", "core.bgp_asn", "cluster.offline_threshold", "cluster.max_voters", "cluster.max_standby", "cluster.images_minimal_replica", "cluster.healing_threshold", "images.auto_update_interval", "images.auto_update_cached", "images.remote_cache_expiry", "images.compression_algorithm", "images.default_architecture", "backups.compression_algorithm"]) {
      expect(names, name).toContain(name);
    }
  });

  it("core.remote_token_expiry: never expires unless set on 5.0 and early 5.21 / 6.x, 15d from 5.21.5 and 6.7", () => {
    const key = spec("core.remote_token_expiry");
    expect(["5.0.2", "5.0.9", "5.21.4", "5.21.5", "5.21.7", "6.1", "6.6", "6.7", "6.9"].map((version) => keyDefault(key, version))).toEqual(["", "", "", "15d", "15d", "", "", "15d", "15d"]);
  });

  it("which releases have a key", () => {
    const secret = spec("oidc.client.secret");
    expect(["5.0.2", "5.21.3", "5.21.4", "6.1", "6.5", "6.9", "5.10", "nonsense"].map((version) => keyAvailability(secret, version))).toEqual(["no", "no", "yes", "no", "yes", "yes", "unknown", "unknown"]);
    expect(keyAvailability(spec("core.trust_password"), "5.21.7")).toBe("yes");
    expect(keyAvailability(spec("core.trust_password"), "6.1")).toBe("no");
    expect(keyAvailability(spec("cluster.join_token_expiry"), "5.0.1")).toBe("no");
    expect(keyAvailability(spec("candid.api.url"), "5.0.2")).toBe("yes");
    expect(keyAvailability(spec("candid.api.url"), "5.21.0")).toBe("no");
    expect(describeReleases(secret)).toBe("5.21.4–5.21.x, 6.5+");
    expect(describeReleases(spec("maas.api.url"))).toBe("5.0–6.7");
  });

  it("hidden keys: core.trust_password on 5.0/5.21, loki.auth.password on 5.21 only", () => {
    expect(isHidden(spec("core.trust_password"), "5.0.2")).toBe(true);
    expect(isHidden(spec("loki.auth.password"), "5.21.7")).toBe(true);
    expect(isHidden(spec("loki.auth.password"), "6.9")).toBe(false);
    expect(spec("loki.auth.password").secret).toBe(true);
  });

  it("patterned and user keys", () => {
    expect(serverKeySpec("storage.project.p1.images_volume")).toMatchObject({ scope: "member", name: "storage.project.{name}.images_volume" });
    expect(serverKeySpec("storage.project..images_volume")).toBeUndefined();
    expect(serverKeySpec("user.fleet-test")).toMatchObject({ name: "user.fleet-test", scope: "global", type: "string", default: "" });
    expect(serverKeySpec("user.")).toBeUndefined();
    expect(serverKeySpec("core.no_such_key")).toBeUndefined();
  });

  it("the closest known key to a misspelled one", () => {
    expect(closestServerKey("cluster.join_token_expiri")).toBe("cluster.join_token_expiry");
    expect(closestServerKey("core.https_adress")).toBe("core.https_address");
    expect(closestServerKey("core.remote-token-expiry")).toBe("core.remote_token_expiry");
    expect(closestServerKey("completely.different.thing.entirely")).toBeUndefined();
  });
});

describe("LXD values", () => {
  it("booleans as shared.IsTrue/IsFalse read them", () => {
    expect(["true", "1", "yes", "on", "TRUE", "On"].map(lxdBoolean)).toEqual([true, true, true, true, true, true]);
    expect(["false", "0", "no", "off", "NO"].map(lxdBoolean)).toEqual([false, false, false, false, false]);
    expect(lxdBoolean("2")).toBeUndefined();
  });

  it("durations as shared.GetExpiry takes them", () => {
    for (const good of ["15M", "3H", "1d 3H", "1y 2m 3w 4d 5H 6M 7S", "15m"]) expect(durationProblem(good), good).toBeUndefined();
    expect(durationProblem("15 minutes")).toMatch(/not an LXD duration.*15M/);
    expect(durationProblem("1d 2d")).toBe('"1d 2d" gives the unit d twice');
    expect(durationProblem("15min")).toBeDefined();
    expect(durationProblem("1d  3H")).toBeDefined();
  });

  it("the month/minute trap", () => {
    expect(monthsWarning("15m")).toBe("15m is 15 months in LXD; 15M is 15 minutes");
    expect(monthsWarning("1m")).toBe("1m is 1 month in LXD; 1M is 1 minute");
    expect(monthsWarning("1y 2m")).toBe("2m is 2 months in LXD; 2M is 2 minutes");
    expect(monthsWarning("15M")).toBeUndefined();
  });
});
