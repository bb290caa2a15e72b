import { afterAll, describe, expect, it } from "vitest";
import { auditRuleProblem, canonicalAuditRule, canonicalLoadedRules } from "../../../src/facts/audit-rule.js";
import { auditStatus, loadedAuditRules, type AuditStatus, type LoadedAuditRules } from "../../../src/facts/auditd.js";
import type { FactValue, RawProbe } from "../../../src/facts/types.js";
import { auditdRulesModule, IMMUTABLE_REASON } from "../../../src/modules/auditd-rules.js";
import { splitWords } from "../../../src/modules/support/split-words.js";
import captured from "../../fixtures/facts/auditctl.json" with { type: "json" };
import { planModule } from "../../support/plan-module.js";
import { planTwice } from "./idempotence.js";
import { applyHere, gatherHere, isRoot, sh } from "./local-host.js";

const fixture = captured as { status: RawProbe; statusNotRoot: RawProbe; noAuditctl: RawProbe; written: string[]; listing: RawProbe; empty: RawProbe };
const canonical = (rule: string): string => canonicalAuditRule(splitWords(rule));

const LXC = "-a always,exit -F path=/usr/bin/lxc -p x -k lxd_execution";
const LXD = "-a always,exit -F path=/usr/bin/lxd -p x -k lxd_execution";
const FILE = "/etc/audit/rules.d/lxd.rules";
const WANT = `${LXC}\n${LXD}\n`;
const on = (enabled: number): AuditStatus => ({ state: "present", enabled });
const loaded = (...lines: string[]): LoadedAuditRules => ({ state: "loaded", rules: canonicalLoadedRules(lines.join("\n")) });
const file = (content: string): FactValue => ({ state: "file", content });
const facts = (status: AuditStatus, rules: LoadedAuditRules, content: FactValue): Record<string, FactValue> => ({
  "audit_status:": status,
  "audit_rules:": rules,
  [`file_content:${FILE}`]: content,
});
const args = { name: "lxd", rules: [LXC, LXD] };
// How auditctl -l prints LXC and LXD once loaded (the same form as the captured fleet_test_lxc line).
const LXC_LISTED = "-w /usr/bin/lxc -p x -k lxd_execution";
const LXD_LISTED = "-w /usr/bin/lxd -p x -k lxd_execution";

describe("audit rule normaliser, on what auditctl -l printed on this machine", () => {
  const listed = canonicalLoadedRules(fixture.listing.stdout);

  it("every rule as written equals its listed line", () => {
    expect(listed).toHaveLength(fixture.written.length);
    for (const rule of fixture.written) expect(listed).toContain(canonical(rule));
  });

  it.each(fixture.written.map((rule) => [rule]))("%s", (rule) => {
    const key = /fleet_test_\w+/.exec(rule)?.[0] ?? "";
    const line = fixture.listing.stdout.split("\n").find((text) => new RegExp(`(key=| -k )${key}( |$)`).test(text)) ?? "";
    expect(canonicalLoadedRules(line)).toEqual([canonical(rule)]);
  });

  it.each([
    [LXC, "-a always,exit -S all -F path=/usr/bin/lxc -F perm=x -F key=lxd_execution"],
    [LXC_LISTED, "-a always,exit -S all -F path=/usr/bin/lxc -F perm=x -F key=lxd_execution"],
    ["-a always,exit -F arch=b64 -S all -F path=/usr/bin/lxc -F perm=x -F key=k", "-a always,exit -F arch=b64 -S all -F path=/usr/bin/lxc -F perm=x -F key=k"],
    ["-w /etc/shadow -k k", "-a always,exit -S all -F path=/etc/shadow -F perm=rwxa -F key=k"],
    ["-w /etc/ssh/ -p wa", "-a always,exit -S all -F path=/etc/ssh -F perm=wa"],
    ["-A exit,always -F arch=x86_64 -S read -S openat,execve -k b -k a", "-a always,exit -F arch=b64 -S execve,openat,read -F key=a -F key=b"],
    ["-a always,exit -F arch=b64 -S openat -F auid>=1000 -F auid!=unset -F uid=root", "-a always,exit -F arch=b64 -S openat -F auid!=-1 -F auid>=1000 -F uid=0"],
    ["-a exclude,never -F msgtype=CWD", "-a never,exclude -F msgtype=CWD"],
    ["-a never,exclude -F msgtype=CWD", "-a never,exclude -F msgtype=CWD"],
    ["-a always,exit -F arch=b64 -S execve -F a1=255", "-a always,exit -F arch=b64 -S execve -F a1=0xFF"],
    ["-a always,exit -S all -F exe=/usr/bin/lxc -C uid!=euid", "-a always,exit -S all -C uid!=euid -F exe=/usr/bin/lxc"],
  ])("%s → %s", (rule, expected) => {
    expect(canonical(rule)).toBe(expected);
  });

  it("keeps a line it cannot read as '? LINE', which never equals a written rule", () => {
    expect(canonicalLoadedRules("-a always,exit -S all f12=3 -F key=x\nNo rules\n")).toEqual(["? -a always,exit -S all f12=3 -F key=x"]);
  });

  it.each([
    ["-D", "-D needs a value"],
    ["-b 8192", "-b is not part of an audit rule (fleet manages -a, -A and -w rules with -F, -C, -S, -p and -k)"],
    ["-e 2", "-e is not part of an audit rule (fleet manages -a, -A and -w rules with -F, -C, -S, -p and -k)"],
    ["-W /etc/passwd", "-W is not part of an audit rule (fleet manages -a, -A and -w rules with -F, -C, -S, -p and -k)"],
    ["-k only", "a rule needs -a, -A or -w"],
    ["-a always", "-a always: expected ACTION,LIST (always or never, and exit, user, task, exclude or filesystem)"],
    ["-a always,exit -F path", "-F path: expected NAME OPERATOR VALUE"],
    ["-w /etc/passwd -p q", 'permissions "q": expected letters of rwxa'],
    ["-w /etc/passwd -S open", "a -w watch takes no arch or syscalls (write it as -a always,exit -F path=...)"],
    ["-w /a -w /b", "a rule has one -a, -A or -w"],
    ["always,exit", 'unexpected word "always,exit" (options come as -X VALUE pairs)'],
    ["-w '/srv/my dir' -k k", '-w "/srv/my dir": auditctl -l prints values unquoted, so one with a space cannot be compared'],
  ])("%s is not a rule: %s", (rule, problem) => {
    expect(auditRuleProblem(splitWords(rule))).toBe(problem);
  });
});

describe("auditd facts, on what auditctl printed on this machine", () => {
  it("auditctl -s", () => {
    expect(auditStatus.parse(fixture.status, "")).toEqual({ state: "present", enabled: 0 });
    // The same output with audit made immutable (-e 2): not captured, that cannot be undone before a reboot.
    expect(auditStatus.parse({ ...fixture.status, stdout: fixture.status.stdout.replace("enabled 0", "enabled 2") }, "")).toEqual({ state: "present", enabled: 2 });
  });

  it("not root, and no auditctl", () => {
    expect(auditStatus.parse(fixture.statusNotRoot, "")).toEqual({ state: "error", message: "You must be root to run this program." });
    expect(loadedAuditRules.parse(fixture.statusNotRoot, "")).toEqual({ state: "error", message: "You must be root to run this program." });
    expect(auditStatus.parse(fixture.noAuditctl, "")).toEqual({ state: "absent" });
    expect(loadedAuditRules.parse(fixture.noAuditctl, "")).toEqual({ state: "absent" });
  });

  it("auditctl -l with no rules, and with some", () => {
    expect(loadedAuditRules.parse(fixture.empty, "")).toEqual({ state: "loaded", rules: [] });
    const parsed = loadedAuditRules.parse(fixture.listing, "");
    expect(parsed.state === "loaded" && parsed.rules).toContain("-a always,exit -S all -F path=/usr/bin/lxc -F perm=x -F key=fleet_test_lxc");
  });

  it("an -s without an enabled line makes no sense", () => {
    expect(() => auditStatus.parse({ stdout: "AUDIT_STATUS: something else\n", stderr: "", exitCode: 0 }, "")).toThrow(/cannot read fact audit_status/);
  });
});

describe("auditd_rules: plans", () => {
  it("declares the file, the loaded rules and the status", () => {
    expect(planModule(auditdRulesModule, args, facts(on(1), loaded(LXC_LISTED, LXD_LISTED), file(WANT))).requested).toEqual([`file_content:${FILE}`, "audit_rules:", "audit_status:"]);
  });

  it.each([
    ["in place and loaded (as auditctl prints them)", facts(on(1), loaded(LXC_LISTED, LXD_LISTED, "-a always,exit -F arch=b64 -S execve -F key=other"), file(WANT)), `2 rules in ${FILE}, all loaded`],
    ["auditing off", facts(on(0), loaded(LXC_LISTED, LXD_LISTED), file(WANT)), `2 rules in ${FILE}, all loaded (auditing is off: enabled 0)`],
    ["immutable, all loaded", facts(on(2), loaded(LXC_LISTED, LXD_LISTED), file(WANT)), `2 rules in ${FILE}, all loaded`],
  ])("ok: %s", (_, given, reason) => {
    expect(planModule(auditdRulesModule, args, given).plan).toEqual({ kind: "ok", reason });
  });

  it("immutable and not loaded, file in place: ok, loaded at next boot", () => {
    expect(planModule(auditdRulesModule, args, facts(on(2), loaded(LXC_LISTED), file(WANT))).plan).toEqual({ kind: "ok", reason: IMMUTABLE_REASON, actual: `not loaded: ${LXD}` });
  });

  it("nothing in place: load each rule, then create the file", () => {
    const { plan } = planModule(auditdRulesModule, args, facts(on(1), loaded(), { state: "absent" }));
    if (plan.kind !== "change") throw new Error(`expected a change, got ${JSON.stringify(plan)}`);
    expect(plan.summary).toBe(`load 2 rules; create ${FILE}`);
    expect(plan.commands.map((command) => command.description)).toEqual([`load audit rule ${LXC}`, `load audit rule ${LXD}`, `write ${FILE} atomically`]);
    expect(plan.commands[0]?.script).toBe(
      'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"\n' +
        `fleet_out=$(auditctl -a always,exit -F path=/usr/bin/lxc -p x -k lxd_execution 2>&1) || case "$fleet_out" in *"Rule exists"*) ;; *) printf '%s\\n' "$fleet_out" >&2; printf 'fleet: auditctl could not load the rule: %s\\n' '${LXC}' >&2; exit 1 ;; esac`,
    );
    expect(plan.commands[2]?.script).toContain("chmod 0640");
    expect(plan.diff).toEqual({ before: "", after: WANT });
    expect(plan.expected).toBe(`2 rules in ${FILE}, all loaded`);
    expect(plan.actual).toBe(`${FILE} absent; not loaded: ${LXC}; ${LXD}`);
  });

  it("each word of a rule is quoted for the shell", () => {
    const rule = "-a always,exit -F arch=b64 -S openat -F auid>=1000 -F 'path=/srv/$dir' -k fleet";
    const { plan } = planModule(auditdRulesModule, { name: "x", rules: [rule] }, { "audit_status:": on(1), "audit_rules:": loaded(), "file_content:/etc/audit/rules.d/x.rules": { state: "absent" } });
    if (plan.kind !== "change") throw new Error("expected a change");
    expect(plan.commands[0]?.script).toContain("auditctl -a always,exit -F arch=b64 -S openat -F 'auid>=1000' -F 'path=/srv/$dir' -k fleet 2>&1) ||");
  });

  it("file in place, one rule not loaded: load only that one", () => {
    const { plan } = planModule(auditdRulesModule, args, facts(on(1), loaded(LXC_LISTED), file(WANT)));
    if (plan.kind !== "change") throw new Error("expected a change");
    expect(plan.summary).toBe("load 1 rule");
    expect(plan.commands.map((command) => command.description)).toEqual([`load audit rule ${LXD}`]);
    expect(plan.diff).toBeNull();
  });

  it("loaded, file differs: rewrite it, keeping its mode", () => {
    const { plan } = planModule(auditdRulesModule, args, facts(on(1), loaded(LXC_LISTED, LXD_LISTED), file(`${LXC}\n`)));
    if (plan.kind !== "change") throw new Error("expected a change");
    expect(plan.summary).toBe(`rewrite ${FILE}`);
    expect(plan.commands).toHaveLength(1);
    expect(plan.commands[0]?.script).toContain("chmod --reference=");
    expect(plan.diff).toEqual({ before: `${LXC}\n`, after: WANT });
  });

  it("immutable: the file is written, loading waits for a reboot", () => {
    const { plan } = planModule(auditdRulesModule, args, facts(on(2), loaded(), { state: "absent" }));
    if (plan.kind !== "change") throw new Error("expected a change");
    expect(plan.summary).toBe(`create ${FILE}; loading 2 rules needs reboot (audit is immutable)`);
    expect(plan.commands.map((command) => command.description)).toEqual([`write ${FILE} atomically`]);
    expect(plan.effects.map((effect) => effect.request.kind.name)).toEqual(["file_content"]);
  });

  it.each([
    ["auditctl absent", facts({ state: "absent" }, { state: "absent" }, { state: "absent" }), { kind: "not_applicable", reason: "auditd not installed" }],
    ["not root", facts({ state: "error", message: "You must be root to run this program." }, loaded(), { state: "absent" }), { kind: "error", message: "auditctl -s failed: You must be root to run this program." }],
    ["-l fails", facts(on(1), { state: "error", message: "boom" }, { state: "absent" }), { kind: "error", message: "auditctl -l failed: boom" }],
    ["a directory in the way", facts(on(1), loaded(), { state: "other" }), { kind: "fail", message: `${FILE} exists and is not a regular file` }],
  ])("%s", (_, given, expected) => {
    expect(planModule(auditdRulesModule, args, given).plan).toEqual(expected);
  });
});

describe("auditd_rules: idempotence (apply the effects, plan again → ok)", () => {
  it.each([
    ["nothing in place", facts(on(1), loaded(), { state: "absent" }), `2 rules in ${FILE}, all loaded`],
    ["file differs, one loaded, other rules too", facts(on(1), loaded(LXC_LISTED, "-w /etc/passwd -p wa -k identity"), file("# old\n")), `2 rules in ${FILE}, all loaded`],
    ["auditing off", facts(on(0), loaded(), file(WANT)), `2 rules in ${FILE}, all loaded (auditing is off: enabled 0)`],
    ["immutable", facts(on(2), loaded(), { state: "absent" }), IMMUTABLE_REASON],
    ["immutable, one loaded", facts(on(2), loaded(LXD_LISTED), file("")), IMMUTABLE_REASON],
  ])("%s", (_, given, reason) => {
    const { second } = planTwice(auditdRulesModule, args, given);
    expect(second).toMatchObject({ kind: "ok", reason });
  });

  it("every captured rule, loaded from nothing", () => {
    const rules = fixture.written;
    const given = { "audit_status:": on(1), "audit_rules:": loaded(), "file_content:/etc/audit/rules.d/all.rules": { state: "absent" } } as Record<string, FactValue>;
    const { first, second } = planTwice(auditdRulesModule, { name: "all", rules }, given);
    expect(first.kind === "change" && first.commands).toHaveLength(rules.length + 1);
    expect(second).toEqual({ kind: "ok", reason: `${rules.length} rules in /etc/audit/rules.d/all.rules, all loaded` });
  });
});

describe("auditd_rules: argument errors name their path", () => {
  it.each([
    [{ rules: [LXC] }, "name"],
    [{ name: "../lxd", rules: [LXC] }, "name"],
    [{ name: "lxd.rules", rules: [LXC] }, "name"],
    [{ name: "lxd" }, "rules"],
    [{ name: "lxd", rules: [] }, "rules"],
    [{ name: "lxd", rules: [LXC, "-e 2"] }, "rules.1"],
    [{ name: "lxd", rules: [LXC, "-w '/unclosed"] }, "rules.1"],
    [{ name: "lxd", rules: [LXC, 3] }, "rules.1"],
    [{ name: "lxd", rules: [LXC, LXC_LISTED] }, "rules.1"],
    [{ name: "lxd", rules: [LXC], load: true }, ""],
  ])("%j → %s", (raw, at) => {
    const result = auditdRulesModule.args.safeParse(raw);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toContain(at);
  });

  it("a rule written twice in two forms is one rule", () => {
    expect(auditdRulesModule.args.safeParse({ name: "lxd", rules: [LXC, LXC_LISTED] }).error?.issues[0]?.message).toBe(
      "the same rule as rules.0 (auditctl refuses a rule that is already loaded)",
    );
  });
});

describe.skipIf(!isRoot || sh("command -v auditctl").exitCode !== 0)("auditd_rules: the load commands, run for real against this kernel", () => {
  const KEY = "fleet_test_module";
  afterAll(() => {
    sh(`auditctl -D -k ${KEY} >/dev/null`);
  });

  it("loads the missing rules; auditctl -l then reads them as loaded", () => {
    const rules = [
      `-a always,exit -F path=/usr/bin/getent -p x -k ${KEY}`,
      `-a always,exit -F arch=b64 -S openat -F auid>=1000 -F auid!=unset -k ${KEY}`,
      `-w /etc/passwd -p wa -k ${KEY}`,
    ];
    const raw = { name: "fleet_test_module", rules };
    const here = gatherHere(auditdRulesModule, raw);
    // The file fact says "in place": this test loads rules, it writes nothing under /etc/audit.
    const given = { ...here, "file_content:/etc/audit/rules.d/fleet_test_module.rules": { state: "file", content: `${rules.join("\n")}\n` } } as Record<string, FactValue>;
    const plan = planModule(auditdRulesModule, raw, given).plan;
    if (plan.kind !== "change") throw new Error(`expected a change, got ${JSON.stringify(plan)}`);
    expect(plan.commands).toHaveLength(3);
    expect(applyHere(plan.commands)).toMatchObject({ exitCode: 0, stderr: "" });
    const after = { ...given, "audit_rules:": loadedAuditRules.parse(sh(loadedAuditRules.probe("")), "") };
    expect(after["audit_rules:"]).toEqual(plan.effects[0]?.value);
    expect(planModule(auditdRulesModule, raw, after).plan.kind).toBe("ok");
  });

  it("a rule the kernel rejects fails with the rule named", () => {
    const rule = `-a always,exit -F path=/fleet-no-such-dir/lxc -p x -k ${KEY}`;
    const raw = { name: "fleet_test_module", rules: [rule] };
    const given = { ...gatherHere(auditdRulesModule, raw), "file_content:/etc/audit/rules.d/fleet_test_module.rules": { state: "file", content: `${rule}\n` } } as Record<string, FactValue>;
    const plan = planModule(auditdRulesModule, raw, given).plan;
    if (plan.kind !== "change") throw new Error("expected a change");
    const result = applyHere(plan.commands);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`Error sending add rule data request (No such file or directory)\nfleet: auditctl could not load the rule: ${rule}\n`);
  });
});
