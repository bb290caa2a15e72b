import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyAvailability, SERVER_KEYS } from "../../../src/facts/lxd/config-keys.js";
import { secretDigest, type LxdServer, type LxdServerInfo } from "../../../src/facts/lxd/server.js";
import type { FactValue } from "../../../src/facts/types.js";
import { lxdConfigModule } from "../../../src/modules/lxd-config.js";
import type { Plan } from "../../../src/modules/types.js";
import { planModule } from "../../support/plan-module.js";
import { docsServer, server, serverFacts, serverInfo } from "./fixtures.js";

const plan = (args: unknown, value: LxdServer): Plan => planModule(lxdConfigModule, args, serverFacts(value)).plan;

function change(args: unknown, value: LxdServer): Extract<Plan, { kind: "change" }> {
  const planned = plan(args, value);
  if (planned.kind !== "change") throw new Error(`expected a change, got ${JSON.stringify(planned)}`);
  return planned;
}

/** The engine's idempotence check on data: apply the predicted fact, plan again. */
function replanned(args: unknown, value: LxdServer): { first: Extract<Plan, { kind: "change" }>; second: Plan; after: LxdServerInfo } {
  const first = change(args, value);
  const after = first.effects[0]?.value as LxdServerInfo;
  expect(first.effects.map((effect) => `${effect.request.kind.name}:${effect.request.arg}`)).toEqual(["lxd_server:"]);
  return { first, second: plan(args, after), after };
}

const issues = (raw: unknown): string[] => {
  const result = lxdConfigModule.args.safeParse(raw);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
};

const LXC = `"$( [ -x /snap/bin/lxc ] && echo /snap/bin/lxc || command -v lxc || echo lxc)"`;

describe("lxd_config: reading the server", () => {
  it("no LXD: not applicable; a daemon that does not answer: error; an untrusted client: fail", () => {
    expect(plan({ config: { "cluster.join_token_expiry": "15M" } }, server("noLxd"))).toEqual({ kind: "not_applicable", reason: "LXD is not installed" });
    expect(plan({ config: { "cluster.join_token_expiry": "15M" } }, server("daemonDown"))).toMatchObject({ kind: "error", message: expect.stringContaining("dial unix /nonexistent/unix.socket") as string });
    expect(plan({ config: { "cluster.join_token_expiry": "15M" } }, { ...serverInfo("tb1"), trusted: false })).toMatchObject({ kind: "fail", message: expect.stringContaining("does not trust") as string });
  });

  it("declares the lxdServer fact only", () => {
    expect(planModule(lxdConfigModule, { config: { "core.proxy_http": "" } }, serverFacts(serverInfo("tb1"))).requested).toEqual(["lxd_server:"]);
  });
});

describe("lxd_config on the captured 5.0.2 servers", () => {
  it("LXD-ACC-09 on a fresh server: 3H (default) → 15M, one lxc config set, then ok", () => {
    const { first, second, after } = replanned({ config: { "cluster.join_token_expiry": "15M" } }, serverInfo("tb1"));
    expect(first.summary).toBe("cluster.join_token_expiry: 3H (default) → 15M");
    expect(first.commands).toEqual([{ script: `${LXC} config set cluster.join_token_expiry=15M </dev/null`, description: "lxc config set cluster.join_token_expiry=15M" }]);
    expect(first.diff).toEqual({ before: "cluster.join_token_expiry: 3H (default)\n", after: "cluster.join_token_expiry: 15M\n" });
    expect([first.expected, first.actual]).toEqual(["cluster.join_token_expiry=15M", "cluster.join_token_expiry=3H (default)"]);
    expect(after.config).toEqual({ "cluster.join_token_expiry": "15M" });
    expect(second).toEqual({ kind: "ok", reason: "cluster.join_token_expiry is 15M", actual: "cluster.join_token_expiry=15M" });
  });

  it("the predicted fact is what the server then reported (tb1Set was captured after the same keys were set)", () => {
    const keys = { "core.trust_ca_certificates": true, "cluster.join_token_expiry": "15M", "core.https_address": "127.0.7.1:8443", "user.fleet-fixture": 1, "core.trust_password": "fixture-password" };
    const { after, second } = replanned({ config: keys }, serverInfo("tb1"));
    const captured = serverInfo("tb1Set");
    expect({ config: after.config, hidden: after.hidden }).toEqual({ config: captured.config, hidden: captured.hidden });
    expect(second.kind).toBe("ok");
    expect(plan({ config: keys }, captured).kind).toBe("ok");
  });

  it("a default wanted where the key is set: lxc config unset; booleans compare by truth", () => {
    const set = serverInfo("tb1Set");
    for (const value of [false, "false", "no", "0", "OFF", ""]) {
      const { first, second } = replanned({ config: { "core.trust_ca_certificates": value } }, set);
      expect(first.commands).toEqual([{ script: `${LXC} config unset core.trust_ca_certificates </dev/null`, description: "lxc config unset core.trust_ca_certificates (back to its default)" }]);
      expect(first.summary).toBe("core.trust_ca_certificates: true → false (default)");
      expect(second.kind).toBe("ok");
    }
    for (const value of [true, "yes", "1", "on", "True"]) expect(plan({ config: { "core.trust_ca_certificates": value } }, set).kind).toBe("ok");
    expect(plan({ config: { "core.trust_ca_certificates": false } }, serverInfo("tb1"))).toEqual({ kind: "ok", reason: "core.trust_ca_certificates is false (default)", actual: "core.trust_ca_certificates=false (default)" });
  });

  it("a hidden key (core.trust_password reads back true): unset when not wanted; never compared when wanted", () => {
    const set = serverInfo("tb1Set");
    const { first, after } = replanned({ config: { "core.trust_password": "" } }, set);
    expect(first.summary).toBe("core.trust_password: (set, value hidden by LXD) → unset (default)");
    expect(after.hidden).toEqual([]);
    expect(plan({ config: { "core.trust_password": "anything" } }, set)).toMatchObject({ kind: "ok", reason: expect.stringContaining("LXD hides its value") as string });
    const fresh = replanned({ config: { "core.trust_password": "pw with 'quotes'" } }, serverInfo("tb1"));
    expect(fresh.after.hidden).toEqual(["core.trust_password"]);
    expect(fresh.first.commands[0]?.script).toBe(`${LXC} config set 'core.trust_password=pw with '\\''quotes'\\''' </dev/null`);
    const shown = JSON.stringify({ ...fresh.first, commands: fresh.first.commands.map((command) => command.description) });
    expect(shown).not.toContain("quotes");
    expect(fresh.first.summary).toBe("core.trust_password: unset (default) → (secret)");
  });

  it("LXD-ACC-10: core.remote_token_expiry unset means tokens never expire on 5.0", () => {
    expect(plan({ config: { "core.remote_token_expiry": "" } }, serverInfo("tb1"))).toMatchObject({ kind: "ok", reason: "core.remote_token_expiry is unset (default: tokens never expire)" });
    expect(change({ config: { "core.remote_token_expiry": "15M" } }, serverInfo("tb1")).summary).toBe("core.remote_token_expiry: unset (default: tokens never expire) → 15M");
  });

  it("15m plans like any duration, with the month/minute warning, also once it holds", () => {
    const { first, second } = replanned({ config: { "cluster.join_token_expiry": "15m" } }, serverInfo("tb1"));
    expect(first.summary).toBe("cluster.join_token_expiry: 3H (default) → 15m; warning: 15m is 15 months in LXD; 15M is 15 minutes");
    expect(second).toMatchObject({ kind: "ok", reason: "cluster.join_token_expiry is 15m; warning: 15m is 15 months in LXD; 15M is 15 minutes" });
  });

  it("keys 5.0.2 lacks: a default is nothing to check there; a value fails", () => {
    expect(plan({ config: { "oidc.client.secret": "" } }, serverInfo("tb1"))).toEqual({ kind: "not_applicable", reason: "oidc.client.secret does not exist in LXD 5.0.2 (nothing to check)" });
    expect(plan({ config: { "loki.api.url": "https://loki:3100", "loki.types": "lifecycle,logging,security" } }, serverInfo("tb1"))).toMatchObject({
      kind: "fail",
      message: "LXD 5.0.2 has no loki.api.url (LXD 5.21+), loki.types (LXD 5.21+): upgrade LXD or drop the key for this host",
    });
    const mixed = change({ config: { "oidc.client.secret": "", "core.proxy_http": "http://proxy:3128" } }, serverInfo("tb1"));
    expect(mixed.summary).toBe("core.proxy_http: unset (default: the daemon's HTTP_PROXY environment, if any) → http://proxy:3128; oidc.client.secret does not exist in LXD 5.0.2 (nothing to check)");
  });

  it("member-local keys on a cluster member: said to set that member only", () => {
    expect(plan({ config: { "core.https_address": "127.0.7.101:8443" } }, serverInfo("tbc1")).kind).toBe("ok");
    const moved = replanned({ config: { "core.https_address": "127.0.7.101:9443" } }, serverInfo("tbc1"));
    expect(moved.first.summary).toBe("core.https_address: 127.0.7.101:8443 → 127.0.7.101:9443; core.https_address is per member: this sets tbc1 only");
    expect(moved.after.config["cluster.https_address"]).toBe("127.0.7.101:8443");
    expect(change({ config: { "cluster.join_token_expiry": "15M" } }, serverInfo("tbc1")).summary).toBe("cluster.join_token_expiry: 3H (default) → 15M");
  });

  it("several keys: one lxc config set for all values, one unset per key going back to its default", () => {
    const first = change({ config: { "cluster.join_token_expiry": "15M", "core.trust_ca_certificates": false, "user.fleet-fixture": "", "images.auto_update_interval": 0 } }, serverInfo("tb1Set"));
    expect(first.commands.map((command) => command.script)).toEqual([
      `${LXC} config set images.auto_update_interval=0 </dev/null`,
      `${LXC} config unset core.trust_ca_certificates </dev/null`,
      `${LXC} config unset user.fleet-fixture </dev/null`,
    ]);
    expect(first.summary).toBe("core.trust_ca_certificates: true → false (default); user.fleet-fixture: 1 → unset (default); images.auto_update_interval: 6 (default) → 0");
  });

  it("integers compare by number", () => {
    expect(plan({ config: { "images.auto_update_interval": 6 } }, serverInfo("tb1")).kind).toBe("ok");
    expect(plan({ config: { "images.auto_update_interval": "06" } }, serverInfo("tb1")).kind).toBe("ok");
    expect(plan({ config: { "cluster.offline_threshold": "25" } }, { ...serverInfo("tbc1"), config: { "cluster.offline_threshold": "25" } }).kind).toBe("ok");
  });
});

describe("lxd_config on the 5.21 and 6.9 shapes of the docs", () => {
  it("LXD-ACC-06: oidc.client.secret set → unset, never shown", () => {
    const { first, second } = replanned({ config: { "oidc.client.secret": "" } }, docsServer("6.9"));
    expect(first.summary).toBe("oidc.client.secret: (secret) → unset (default)");
    expect(first.commands.map((command) => command.script)).toEqual([`${LXC} config unset oidc.client.secret </dev/null`]);
    expect(JSON.stringify(first)).not.toContain("s3cr3t");
    expect(second.kind).toBe("ok");
  });

  it("a secret compared by its digest; a new one predicted as its digest", () => {
    expect(plan({ config: { "oidc.client.secret": "s3cr3t-from-the-idp" } }, docsServer("6.9"))).toMatchObject({ kind: "ok", reason: "oidc.client.secret is (secret)" });
    const { first, after } = replanned({ config: { "oidc.client.secret": "rotated" } }, docsServer("6.9"));
    expect(after.config["oidc.client.secret"]).toBe(secretDigest("rotated"));
    expect({ summary: first.summary, diff: first.diff, expected: first.expected, actual: first.actual, description: first.commands[0]?.description }).toEqual({
      summary: "oidc.client.secret: (secret) → (secret)",
      diff: { before: "oidc.client.secret: (secret)\n", after: "oidc.client.secret: (secret)\n" },
      expected: "oidc.client.secret=(secret)",
      actual: "oidc.client.secret=(secret)",
      description: "lxc config set oidc.client.secret=(secret)",
    });
  });

  it("LXD-ACC-07 and LXD-LOG-03 on 6.9: session expiry, Loki types", () => {
    expect(plan({ config: { "oidc.session.expiry": "1d", "loki.types": "lifecycle,logging,security" } }, docsServer("6.9")).kind).toBe("ok");
    expect(change({ config: { "core.auth_secret_expiry": "1w" } }, docsServer("6.9")).summary).toBe("core.auth_secret_expiry: 1m (default) → 1w");
    expect(plan({ config: { "core.auth_secret_expiry": "1m" } }, docsServer("6.9"))).toMatchObject({ kind: "ok", reason: "core.auth_secret_expiry is 1m (default); warning: 1m is 1 month in LXD; 1M is 1 minute" });
  });

  it("5.21: a 15m already set gets the warning; loki.auth.password hidden; 6.9 has no trust password", () => {
    const lts = docsServer("5.21");
    expect(plan({ config: { "cluster.join_token_expiry": "15m" } }, lts)).toMatchObject({ kind: "ok", reason: "cluster.join_token_expiry is 15m; warning: 15m is 15 months in LXD; 15M is 15 minutes" });
    expect(replanned({ config: { "cluster.join_token_expiry": "15M" } }, lts).second.kind).toBe("ok");
    expect(change({ config: { "loki.auth.password": "" } }, lts).summary).toBe("loki.auth.password: (set, value hidden by LXD) → unset (default)");
    expect(change({ config: { "core.remote_token_expiry": "15M" } }, lts).summary).toBe("core.remote_token_expiry: 15d (default) → 15M");
    expect(plan({ config: { "core.trust_password": "" } }, docsServer("6.9"))).toMatchObject({ kind: "not_applicable" });
  });
});

describe("lxd_config arguments", () => {
  it.each<[unknown, string[]]>([
    [{ config: { "cluster.join_token_expiri": "15M" } }, ['config.cluster.join_token_expiri: unknown LXD server key "cluster.join_token_expiri"; did you mean "cluster.join_token_expiry"? (LXD would take a misspelled key silently and print "" for it; set allow_unknown: true for a key of a newer LXD)']],
    [{ config: { "core.trust_ca_certificates": "maybe" } }, ['config.core.trust_ca_certificates: core.trust_ca_certificates is a boolean: true/false (also 1/0, yes/no, on/off); got "maybe"']],
    [{ config: { "cluster.offline_threshold": "20s" } }, ['config.cluster.offline_threshold: cluster.offline_threshold is an integer; got "20s"']],
    [{ config: { "cluster.join_token_expiry": "15 minutes" } }, [expect.stringMatching(/^config\.cluster\.join_token_expiry: "15 minutes" is not an LXD duration/) as unknown as string]],
    [{ config: { "core.proxy_http": "a\nb" } }, ["config.core.proxy_http: must be one line"]],
    [{ config: { "core.proxy_http": { url: "x" } } }, ["config.core.proxy_http: must be a string, number or boolean"]],
    [{ config: {} }, ["config: give at least one server key, e.g. cluster.join_token_expiry: 15M"]],
    [{ config: { "user.x": "1" }, restart: true }, [expect.stringContaining('unknown argument "restart" of lxd_config') as unknown as string]],
    [{}, [expect.stringMatching(/^config: /) as unknown as string]],
  ])("%j", (raw, expected) => {
    expect(issues(raw)).toEqual(expected);
  });

  it("allow_unknown takes a key of a newer LXD, compared as a string with no default", () => {
    expect(issues({ config: { "core.future_key": "x" }, allow_unknown: true })).toEqual([]);
    const first = change({ config: { "core.future_key": "x" }, allow_unknown: true }, docsServer("6.9"));
    expect(first.summary).toBe("core.future_key: unset (default) → x");
  });

  it("values become LXD's strings; PEM keys may hold newlines", () => {
    expect(lxdConfigModule.args.parse({ config: { "core.trust_ca_certificates": true, "cluster.offline_threshold": 25, "loki.api.ca_cert": "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n" } })).toEqual({
      config: { "core.trust_ca_certificates": "true", "cluster.offline_threshold": "25", "loki.api.ca_cert": "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n" },
      allow_unknown: false,
    });
  });
});

describe("lxd_config: the commands as sh runs them", () => {
  it("every value reaches lxc as one word, quotes and spaces intact", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fleet-lxc-"));
    try {
      const fake = path.join(dir, "lxc");
      writeFileSync(fake, `#!/bin/sh\nfor word in "$@"; do printf '%s\\n---\\n' "$word"; done >> ${dir}/calls\n`);
      chmodSync(fake, 0o755);
      const first = change({ config: { "core.proxy_http": "http://user:p a'ss@proxy:3128", "core.trust_ca_certificates": false } }, serverInfo("tb1Set"));
      for (const command of first.commands) {
        const run = spawnSync("/bin/sh", ["-c", `set -e\n${command.script}`], { encoding: "utf8", env: { PATH: `${dir}:/usr/bin:/bin` } });
        expect(run.status, run.stderr).toBe(0);
      }
      const words = readFileSync(path.join(dir, "calls"), "utf8").split("\n---\n").filter((word) => word !== "");
      expect(words).toEqual(["config", "set", "core.proxy_http=http://user:p a'ss@proxy:3128", "config", "unset", "core.trust_ca_certificates"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("lxd_config: idempotence (apply the predicted fact, plan again: ok)", () => {
  const servers: LxdServerInfo[] = [serverInfo("tb1"), serverInfo("tb1Set"), serverInfo("tbc1"), docsServer("5.21"), docsServer("6.9")];
  const valueFor = (type: string): fc.Arbitrary<string | number | boolean> => {
    switch (type) {
      case "bool":
        return fc.constantFrom<string | boolean>(true, false, "yes", "off", "1", "0", "");
      case "int":
        return fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom("", "06"));
      case "duration":
        return fc.constantFrom("15M", "3H", "1d 3H", "15m", "15d", "1w", "");
      default:
        return fc.oneof(fc.constantFrom("", "random", "mac", "127.0.0.1:8443"), fc.string({ minLength: 1, maxLength: 12 }).filter((text) => !/[\n\r\0]/.test(text)));
    }
  };
  const keys = SERVER_KEYS.filter((key) => !key.name.includes("{name}"));
  const configs = fc
    .uniqueArray(fc.constantFrom(...keys), { minLength: 1, maxLength: 5, selector: (key) => key.name })
    .chain((chosen) => fc.tuple(...chosen.map((key) => valueFor(key.type).map((value) => [key.name, value] as const))))
    .map((entries) => Object.fromEntries(entries));

  it("for any keys and values on any captured or documented server", () => {
    fc.assert(
      fc.property(configs, fc.constantFrom(...servers), (config, value) => {
        const args = { config };
        const first = plan(args, value);
        if (first.kind !== "change") return;
        const after = first.effects[0]?.value as FactValue;
        const second = planModule(lxdConfigModule, args, serverFacts(after as LxdServer)).plan;
        expect(second.kind, `${JSON.stringify(config)} on ${value.version}: ${first.summary}`).toBe("ok");
      }),
      { numRuns: 400 },
    );
  });

  it("keys unavailable in a release are never set there", () => {
    fc.assert(
      fc.property(configs, fc.constantFrom(...servers), (config, value) => {
        const first = plan({ config }, value);
        if (first.kind !== "change") return;
        const script = first.commands.map((command) => command.script).join("\n");
        for (const key of keys) if (keyAvailability(key, value.version) === "no") expect(script).not.toContain(` ${key.name}=`);
      }),
      { numRuns: 200 },
    );
  });
});
