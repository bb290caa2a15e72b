import { describe, expect, it } from "vitest";
import { LXC } from "../../../src/facts/lxd/query.js";
import type { LxdServerInfo } from "../../../src/facts/lxd/server.js";
import { copyModule } from "../../../src/modules/copy.js";
import { fileModule } from "../../../src/modules/file.js";
import { lineinfileModule } from "../../../src/modules/lineinfile.js";
import { lxdConfigModule } from "../../../src/modules/lxd-config.js";
import { setSysctlLine, sysctlModule } from "../../../src/modules/sysctl.js";
import type { Module, Plan } from "../../../src/modules/types.js";
import { docsServer, serverFacts, serverInfo } from "../lxd-server/fixtures.js";
import { planModule } from "../../support/plan-module.js";
import { argIssues, expectChange, regular, writeFacts } from "../modules/helpers.js";

/**
 * The core modules' planners, pinned where the mutation run (test/mutation/) left survivors after
 * modules-mutants.test.ts: the expected/actual evidence, the commands and diffs, and the decisions
 * (ok or change) at the edges the other tests do not reach.
 */

/** The codes of the issues a refused argument set gives. */
function issueCodes<Args>(module: Module<Args>, raw: unknown): string[] {
  const result = module.args.safeParse(raw);
  return result.success ? [] : result.error.issues.map((issue) => issue.code);
}

describe("lxd_config arguments", () => {
  const lxd = (raw: unknown): string[] => argIssues(lxdConfigModule, raw);

  it("a misspelled key far from every known key gets no did-you-mean hint", () => {
    expect(lxd({ config: { x: "1" } })).toEqual(['config.x: unknown LXD server key "x" (LXD would take a misspelled key silently and print "" for it; set allow_unknown: true for a key of a newer LXD)']);
  });

  it('refusals are reported as zod "custom" issues', () => {
    expect(issueCodes(lxdConfigModule, { config: {} })).toEqual(["custom"]);
    expect(issueCodes(lxdConfigModule, { config: { x: "1" } })).toEqual(["custom"]);
    expect(issueCodes(lxdConfigModule, { config: { "-x": "1" }, allow_unknown: true })).toEqual(["custom"]);
    expect(issueCodes(lxdConfigModule, { config: { "cluster.offline_threshold": "x" } })).toEqual(["custom"]);
  });

  it("a key of the table (user.*) is not held to the name rule of unknown keys", () => {
    expect(lxd({ config: { "user.team/owner": "ops" } })).toEqual([]);
  });

  it("an unknown key must be a key name as a whole, not only begin like one", () => {
    expect(lxd({ config: { "core.future key": "x" }, allow_unknown: true })).toEqual(['config.core.future key: "core.future key" is not an LXD server key: letters, digits and . _ : -, starting with a letter, digit or _']);
  });

  it("an integer key takes only a whole integer, not one with a prefix", () => {
    expect(lxd({ config: { "cluster.offline_threshold": "x20" } })).toEqual(['config.cluster.offline_threshold: cluster.offline_threshold is an integer; got "x20"']);
  });

  it("only a key ending in _cert or _key may hold newlines, not one that merely contains it", () => {
    expect(lxd({ config: { "user.tls_cert_note": "a\nb" } })).toEqual(["config.user.tls_cert_note: must be one line"]);
  });
});

describe("lxd_config plans", () => {
  const plan = (config: Record<string, unknown>, server: LxdServerInfo): Plan => planModule(lxdConfigModule, { config }, serverFacts(server)).plan;
  const change = (config: Record<string, unknown>, server: LxdServerInfo) => expectChange(plan(config, server));
  const predicted = (planned: Extract<Plan, { kind: "change" }>): LxdServerInfo => planned.effects[0]?.value as LxdServerInfo;
  const tb1 = serverInfo("tb1");

  it('"" on a key whose default is not empty means that default, not an empty value to set', () => {
    expect(plan({ "images.compression_algorithm": "" }, tb1)).toEqual({ kind: "ok", reason: "images.compression_algorithm is gzip (default)", actual: "images.compression_algorithm=gzip (default)" });
  });

  it("the month/minute warning is for duration keys only", () => {
    expect(change({ "user.note": "15m" }, tb1).summary).toBe("user.note: unset (default) → 15m");
  });

  it("several keys the release lacks, wanted at their default: named together", () => {
    expect(plan({ "oidc.client.secret": "", "loki.types": "" }, tb1)).toEqual({ kind: "not_applicable", reason: "oidc.client.secret, loki.types do not exist in LXD 5.0.2 (nothing to check)" });
  });

  it("a lacking key's note and a duration warning are separate parts of the reason", () => {
    expect(plan({ "core.auth_secret_expiry": "1m" }, tb1)).toEqual({ kind: "not_applicable", reason: "core.auth_secret_expiry does not exist in LXD 5.0.2 (nothing to check); warning: 1m is 1 month in LXD; 1M is 1 minute" });
  });

  it("a value for a key the release lacks fails, with the wanted keys as expected and the release as actual", () => {
    expect(plan({ "loki.api.url": "https://loki:3100", "core.trust_ca_certificates": "" }, tb1)).toEqual({
      kind: "fail",
      message: "LXD 5.0.2 has no loki.api.url (LXD 5.21+): upgrade LXD or drop the key for this host",
      expected: "loki.api.url=https://loki:3100, core.trust_ca_certificates=false (default)",
      actual: "LXD 5.0.2",
    });
  });

  it("several keys: one set command with a word per key, and every key in expected, actual and the diff", () => {
    const first = change({ "core.proxy_http": "http://proxy:3128", "user.team": "ops", "cluster.max_voters": 3, "core.trust_ca_certificates": "" }, tb1);
    expect(first.commands).toEqual([{ script: `${LXC} config set core.proxy_http=http://proxy:3128 user.team=ops </dev/null`, description: "lxc config set core.proxy_http=http://proxy:3128 user.team=ops" }]);
    expect(first.expected).toBe("core.proxy_http=http://proxy:3128, user.team=ops, cluster.max_voters=3, core.trust_ca_certificates=false (default)");
    expect(first.actual).toBe("core.proxy_http=unset (default: the daemon's HTTP_PROXY environment, if any), user.team=unset (default), cluster.max_voters=3 (default), core.trust_ca_certificates=false (default)");
    expect(first.diff).toEqual({
      before: "core.proxy_http: unset (default: the daemon's HTTP_PROXY environment, if any)\nuser.team: unset (default)\ncluster.max_voters: 3 (default)\ncore.trust_ca_certificates: false (default)\n",
      after: "core.proxy_http: http://proxy:3128\nuser.team: ops\ncluster.max_voters: 3 (default)\ncore.trust_ca_certificates: false (default)\n",
    });
  });

  it("two member-local keys on a cluster member: both named as set on that member only", () => {
    expect(change({ "core.https_address": "127.0.7.101:9443", "core.bgp_address": "127.0.7.101:179" }, serverInfo("tbc1")).summary).toBe(
      "core.https_address: 127.0.7.101:8443 → 127.0.7.101:9443; core.bgp_address: unset (default) → 127.0.7.101:179; core.https_address, core.bgp_address are per member: this sets tbc1 only",
    );
  });

  it("a boolean key the server reports as empty is at its false default", () => {
    expect(plan({ "core.trust_ca_certificates": false }, { ...tb1, config: { "core.trust_ca_certificates": "" } }).kind).toBe("ok");
  });

  it("a string key compares as text, even when both values are numbers", () => {
    const first = change({ "user.build": 6 }, { ...tb1, config: { "user.build": "06" } });
    expect(first.summary).toBe("user.build: 06 → 6");
    expect(first.commands.map((command) => command.script)).toEqual([`${LXC} config set user.build=6 </dev/null`]);
  });

  it("an integer key compares by number only when the server's value is a whole integer", () => {
    expect(change({ "cluster.offline_threshold": 25 }, { ...tb1, config: { "cluster.offline_threshold": "+25" } }).summary).toBe("cluster.offline_threshold: +25 → 25");
    expect(change({ "cluster.offline_threshold": 25 }, { ...tb1, config: { "cluster.offline_threshold": "25 " } }).summary).toBe("cluster.offline_threshold: 25  → 25");
  });

  it("an integer of several digits equal to the default by number is the default", () => {
    expect(plan({ "images.remote_cache_expiry": "010" }, tb1)).toEqual({ kind: "ok", reason: "images.remote_cache_expiry is 10 (default)", actual: "images.remote_cache_expiry=10 (default)" });
  });

  it("a secret key the server reports as empty: at its default when unset is wanted, to be set when a value is", () => {
    const emptySecret = { ...docsServer("6.9"), config: { "oidc.client.secret": "" } };
    expect(plan({ "oidc.client.secret": "" }, emptySecret).kind).toBe("ok");
    const first = change({ "oidc.client.secret": "rotated" }, emptySecret);
    expect(first.commands.map((command) => command.script)).toEqual([`${LXC} config set oidc.client.secret=rotated </dev/null`]);
  });

  it("a boolean set is predicted as LXD reports it: true or false, whatever the spelling", () => {
    const yes = change({ "core.trust_ca_certificates": "yes" }, tb1);
    expect(predicted(yes).config).toEqual({ "core.trust_ca_certificates": "true" });
    expect(yes.diff?.after).toBe("core.trust_ca_certificates: true\n");
    const no = change({ "images.auto_update_cached": "no" }, tb1);
    expect(predicted(no).config).toEqual({ "images.auto_update_cached": "false" });
    expect(no.diff?.after).toBe("images.auto_update_cached: false\n");
  });

  it("the predicted config lists its keys in order, as LXD reports them", () => {
    const first = change({ "core.proxy_http": "http://proxy:3128" }, { ...tb1, config: { "user.c": "1", "user.a": "1", "user.b": "1" } });
    expect(Object.keys(predicted(first).config)).toEqual(["core.proxy_http", "user.a", "user.b", "user.c"]);
  });

  it("the predicted hidden keys are in order, a newly hidden one among them", () => {
    const first = change({ "core.trust_password": "pw" }, { ...docsServer("5.21"), hidden: ["loki.auth.password"] });
    expect(predicted(first).hidden).toEqual(["core.trust_password", "loki.auth.password"]);
  });
});

describe("lineinfile", () => {
  const SSHD = "/etc/ssh/sshd_config";
  const CONFIG = "Port 22\n#PermitRootLogin prohibit-password\nPermitRootLogin yes\nX11Forwarding yes\n";
  const plan = (args: Record<string, unknown>, text: string | null, mode?: string): Plan => planModule(lineinfileModule, { path: SSHD, ...args }, writeFacts(SSHD, text === null ? null : { text }, mode === undefined ? {} : { mode })).plan;

  it('refusals are reported as zod "custom" issues', () => {
    for (const raw of [
      { path: SSHD, line: "a", regexp: "" },
      { path: SSHD, line: "a", regexp: "(" },
      { path: SSHD },
      { path: SSHD, state: "absent" },
      { path: SSHD, state: "absent", line: "a", create: true },
    ]) {
      expect(issueCodes(lineinfileModule, raw), JSON.stringify(raw)).toEqual(["custom"]);
    }
  });

  it("without a state the line must be present: a line already there is ok, not removed", () => {
    expect(lineinfileModule.args.parse({ path: SSHD, line: "Port 22" }).state).toBe("present");
    expect(plan({ line: "Port 22" }, CONFIG)).toEqual({ kind: "ok", reason: `${SSHD} already has the line at line 1`, actual: 'line "Port 22" at line 1' });
  });

  it("state: present written out is accepted, and plans as the default does", () => {
    expect(argIssues(lineinfileModule, { path: SSHD, line: "Port 22", state: "present" })).toEqual([]);
    expect(plan({ line: "Port 22", state: "present" }, CONFIG)).toEqual(plan({ line: "Port 22" }, CONFIG));
  });

  it("a mode: expected names the wanted mode, actual the file's", () => {
    const first = expectChange(plan({ line: "Port 22", mode: "0600" }, CONFIG, "0644"));
    expect([first.expected, first.actual]).toEqual(['line "Port 22", mode 0600', 'line "Port 22" at line 1, mode 0644']);
  });

  it("removing by regexp: expected names the regexp, actual the matching lines", () => {
    const first = expectChange(plan({ regexp: "^#?PermitRootLogin", state: "absent" }, CONFIG));
    expect([first.expected, first.actual]).toEqual(["no line matching /^#?PermitRootLogin/", "2 matching lines (2, 3)"]);
  });

  it("removing one line by its text: expected names the line, summary and actual count one line", () => {
    const first = expectChange(plan({ line: "Port 22", state: "absent" }, CONFIG));
    expect({ summary: first.summary, expected: first.expected, actual: first.actual }).toEqual({ summary: `${SSHD}: remove 1 line (1)`, expected: 'no line "Port 22"', actual: "1 matching line (1)" });
  });

  it("adding a line: actual says no line matched", () => {
    expect(expectChange(plan({ line: "MaxAuthTries 3" }, CONFIG)).actual).toBe("no matching line");
  });

  it("a file that is not UTF-8: fail, actual says so", () => {
    const facts = writeFacts(SSHD, { bytes: Buffer.from([0x50, 0xff, 0x0a]) });
    expect(planModule(lineinfileModule, { path: SSHD, line: "Port 22" }, facts).plan).toEqual({
      kind: "fail",
      message: `${SSHD} is not UTF-8 text: lineinfile will not rewrite it`,
      expected: 'line "Port 22"',
      actual: "not UTF-8 text",
    });
  });

  it("a missing file: actual says the file is absent, whether nothing is to remove or the file is created", () => {
    expect(plan({ line: "Port 22", state: "absent" }, null)).toEqual({ kind: "ok", reason: `${SSHD} does not exist: no line to remove`, actual: "file absent" });
    expect(expectChange(plan({ line: "Port 22", create: true }, null)).actual).toBe("file absent");
  });
});

describe("file", () => {
  it('refusals are reported as zod "custom" issues', () => {
    expect(issueCodes(fileModule, { path: "/etc/x", state: "absent", mode: "0600" })).toEqual(["custom"]);
    expect(issueCodes(fileModule, { path: "/", state: "absent" })).toEqual(["custom"]);
    expect(issueCodes(fileModule, { path: "/etc/x" })).toEqual(["custom"]);
  });

  it("attributes alone: expected names only the attributes", () => {
    const first = expectChange(planModule(fileModule, { path: "/srv/x", mode: "0600" }, { "file:/srv/x": regular("0644") }).plan);
    expect([first.expected, first.actual]).toEqual(["mode 0600", "mode 0644"]);
  });
});

describe("copy", () => {
  it('refusals are reported as zod "custom" issues', () => {
    expect(issueCodes(copyModule, { dest: "/etc/x", content: "a", src: "a" })).toEqual(["custom"]);
    expect(issueCodes(copyModule, { dest: "/etc/x", src: "a" })).toEqual(["custom"]);
    expect(issueCodes(copyModule, { dest: "/etc/x" })).toEqual(["custom"]);
  });

  it("content: surrogate pairs are text; a surrogate without its other half anywhere is refused", () => {
    const lone = ["content: must be valid Unicode text (it holds a lone surrogate escape)"];
    expect(argIssues(copyModule, { dest: "/etc/motd", content: "smile \uD83D\uDE00\n" })).toEqual([]);
    expect(argIssues(copyModule, { dest: "/etc/motd", content: "\uD800a" })).toEqual(lone);
    expect(argIssues(copyModule, { dest: "/etc/motd", content: "a\uDC00" })).toEqual(lone);
  });
});

describe("sysctl", () => {
  const KEY = "kernel.dmesg_restrict";

  it("without persist the summary is the runtime change alone", () => {
    const facts = { [`sysctl:${KEY}`]: { state: "value", value: "0" } };
    expect(expectChange(planModule(sysctlModule, { name: KEY, value: 1, persist: false }, facts).plan).summary).toBe(`${KEY}: 0 → 1`);
  });

  it("a file line whose key has no separator is left alone, and the assignment appended", () => {
    expect(setSysctlLine("fs = 1\n", KEY, "1")).toBe(`fs = 1\n${KEY} = 1\n`);
  });
});
