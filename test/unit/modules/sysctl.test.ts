import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { sysctlValue, type SysctlValue } from "../../../src/facts/sysctl.js";
import type { FactValue, RawProbe } from "../../../src/facts/types.js";
import { canonicalSysctlKey, setSysctlLine, sysctlModule } from "../../../src/modules/sysctl.js";
import captured from "../../fixtures/facts/sysctl.json" with { type: "json" };
import { planModule } from "../../support/plan-module.js";
import { planTwice } from "./idempotence.js";
import { applyHere, gatherHere, isRoot, sh } from "./local-host.js";

const KEY = "kernel.dmesg_restrict";
const FILE = "/etc/sysctl.d/99-fleet.conf";
const runtime = (value: string): SysctlValue => ({ state: "value", value });
const file = (content: string): FactValue => ({ state: "file", content });
const noFile: FactValue = { state: "absent" };
const facts = (now: SysctlValue, content: FactValue, key = KEY, at = FILE): Record<string, FactValue> => ({ [`sysctl:${key}`]: now, [`file_content:${at}`]: content });

describe("sysctl fact: parses what sysctl -n printed on this machine", () => {
  const raw = captured as Record<string, RawProbe>;
  it.each([
    ["kernel.printk", { state: "value", value: "4 4 1 7" }],
    ["net.ipv4.ip_local_port_range", { state: "value", value: "32768 60999" }],
    ["kernel.dmesg_restrict", { state: "value", value: "1" }],
    ["kernel/dmesg_restrict", { state: "value", value: "1" }],
    // write-only: sysctl prints nothing and exits 0
    ["net.ipv4.route.flush", { state: "value", value: "" }],
    ["no.such.key", { state: "absent" }],
  ])("%s", (key, expected) => {
    const probe = raw[key];
    if (probe === undefined) throw new Error(`no fixture for ${key}`);
    expect(sysctlValue.parse(probe, key)).toEqual(expected);
  });

  it("tabs in the kernel's output are in the raw fixture (kernel.printk)", () => {
    expect(raw["kernel.printk"]?.stdout).toBe("4\t4\t1\t7\n");
  });

  it("another failure is unreadable, with what sysctl said", () => {
    expect(sysctlValue.parse({ stdout: "", stderr: "sysctl: permission denied on key 'kernel.x'\n", exitCode: 1 }, "kernel.x")).toEqual({
      state: "unreadable",
      message: "sysctl: permission denied on key 'kernel.x'",
    });
    expect(sysctlValue.parse({ stdout: "", stderr: "", exitCode: 127 }, "kernel.x")).toEqual({ state: "unreadable", message: "sysctl exited with status 127" });
  });

  it("the probe quotes the key", () => {
    expect(sysctlValue.probe("kernel.dmesg_restrict")).toBe('PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"; sysctl -n kernel.dmesg_restrict');
  });
});

describe("sysctl: plans", () => {
  it.each<[Record<string, unknown>, Record<string, FactValue>, string, string]>([
    [{ name: KEY, value: 1 }, facts(runtime("1"), file(`${KEY} = 1\n`)), `${KEY} is 1, persisted in ${FILE}`, "1"],
    [{ name: KEY, value: "1" }, facts(runtime("1"), file(`# mine\n${KEY}=1`)), `${KEY} is 1, persisted in ${FILE}`, "1"],
    [{ name: "kernel.printk", value: "4 4 1 7" }, facts(runtime("4 4 1 7"), file("kernel.printk = 4\t4  1 7\n"), "kernel.printk"), `kernel.printk is 4 4 1 7, persisted in ${FILE}`, "4 4 1 7"],
    [{ name: "kernel.printk", value: " 4\t4 1  7 " }, facts(runtime("4 4 1 7"), file("kernel/printk=4 4 1 7\n"), "kernel.printk"), `kernel.printk is 4 4 1 7, persisted in ${FILE}`, "4 4 1 7"],
    [{ name: KEY, value: "1", persist: false }, { [`sysctl:${KEY}`]: runtime("1") }, `${KEY} is 1`, "1"],
    [{ name: KEY, value: "1", file: "/etc/sysctl.d/60-lxd.conf" }, facts(runtime("1"), file(`${KEY} = 1\n`), KEY, "/etc/sysctl.d/60-lxd.conf"), `${KEY} is 1, persisted in /etc/sysctl.d/60-lxd.conf`, "1"],
  ])("%j is ok", (args, given, reason, actual) => {
    expect(planModule(sysctlModule, args, given).plan).toEqual({ kind: "ok", reason, actual });
  });

  it("runtime and file both wrong: set and verify now, then write the file", () => {
    const { plan } = planModule(sysctlModule, { name: KEY, value: 1 }, facts(runtime("0"), file("# keep me\nvm.swappiness = 10\n")));
    if (plan.kind !== "change") throw new Error("expected a change");
    expect(plan.summary).toBe(`${KEY}: 0 → 1; persist ${KEY} = 1 in ${FILE}`);
    expect(plan.diff).toEqual({ before: "# keep me\nvm.swappiness = 10\n", after: `# keep me\nvm.swappiness = 10\n${KEY} = 1\n` });
    expect(plan.commands.map((command) => command.description)).toEqual([`set ${KEY} to 1 with sysctl -w and read it back`, `write ${FILE} atomically`]);
    expect(plan.commands[0]?.script).toBe(
      [
        'PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"',
        "sysctl -q -w kernel.dmesg_restrict=1",
        "fleet_now=$(sysctl -n kernel.dmesg_restrict | tr -s '[:space:]' ' ' | sed 's/^ //; s/ $//')",
        `[ "$fleet_now" = 1 ] || { printf 'fleet: sysctl %s reads "%s" after sysctl -w set it to "%s": the kernel did not take the value (rejected, or read-only here)\\n' kernel.dmesg_restrict "$fleet_now" 1 >&2; exit 1; }`,
      ].join("\n"),
    );
    expect(plan.commands[1]?.script).toContain(`mv -f -- "$fleet_tmp" ${FILE}`);
    expect(plan.expected).toBe("1");
    expect(plan.actual).toBe("0");
  });

  it("a value with spaces is one quoted word", () => {
    const { plan } = planModule(sysctlModule, { name: "kernel.printk", value: "3 4 1 7", persist: false }, { "sysctl:kernel.printk": runtime("4 4 1 7") });
    if (plan.kind !== "change") throw new Error("expected a change");
    expect(plan.commands[0]?.script).toContain("sysctl -q -w 'kernel.printk=3 4 1 7'");
    expect(plan.commands[0]?.script).toContain(`[ "$fleet_now" = '3 4 1 7' ]`);
    expect(plan.diff).toEqual({ before: "kernel.printk = 4 4 1 7\n", after: "kernel.printk = 3 4 1 7\n" });
  });

  it("only the file is wrong: only the write", () => {
    const { plan } = planModule(sysctlModule, { name: KEY, value: "1" }, facts(runtime("1"), noFile));
    if (plan.kind !== "change") throw new Error("expected a change");
    expect(plan.summary).toBe(`persist ${KEY} = 1 in ${FILE}`);
    expect(plan.commands.map((command) => command.description)).toEqual([`write ${FILE} atomically`]);
    expect(plan.effects).toEqual([{ request: expect.objectContaining({ arg: FILE }), value: { state: "file", content: `${KEY} = 1\n` } }]);
  });

  it("only the runtime is wrong: only sysctl -w", () => {
    const { plan } = planModule(sysctlModule, { name: KEY, value: "1" }, facts(runtime("0"), file(`${KEY} = 1\n`)));
    if (plan.kind !== "change") throw new Error("expected a change");
    expect(plan.commands.map((command) => command.description)).toEqual([`set ${KEY} to 1 with sysctl -w and read it back`]);
    expect(plan.effects).toEqual([{ request: expect.objectContaining({ arg: KEY }), value: { state: "value", value: "1" } }]);
  });

  it("persist: false reads and touches only the runtime", () => {
    const { plan, requested } = planModule(sysctlModule, { name: KEY, value: "0", persist: false }, { [`sysctl:${KEY}`]: runtime("1") });
    expect(requested).toEqual([`sysctl:${KEY}`]);
    if (plan.kind !== "change") throw new Error("expected a change");
    expect(plan.commands).toHaveLength(1);
    expect(plan.effects.map((effect) => effect.request.kind.name)).toEqual(["sysctl"]);
  });

  it.each([
    [facts({ state: "absent" }, noFile, "kernel.no_such"), "kernel.no_such", "unknown sysctl key kernel.no_such: the kernel has no /proc/sys entry for it"],
    [facts(runtime("0"), { state: "other" }), KEY, `${FILE} exists and is not a regular file`],
  ])("fails: %#", (given, name, message) => {
    expect(planModule(sysctlModule, { name, value: "1" }, given).plan).toEqual({ kind: "fail", message });
  });

  it("a key that cannot be read is an error of the check, not a finding", () => {
    const given = facts({ state: "unreadable", message: "sysctl: permission denied on key 'kernel.x'" }, noFile, "kernel.x");
    expect(planModule(sysctlModule, { name: "kernel.x", value: "1" }, given).plan).toEqual({ kind: "error", message: "cannot read sysctl kernel.x: sysctl: permission denied on key 'kernel.x'" });
  });
});

describe("sysctl: the file edit", () => {
  it.each([
    ["", `${KEY} = 1\n`],
    ["vm.swappiness = 10", `vm.swappiness = 10\n${KEY} = 1\n`],
    [`# c\n${KEY}=0\nvm.swappiness = 10\n`, `# c\n${KEY} = 1\nvm.swappiness = 10\n`],
    [`${KEY} = 1\n`, `${KEY} = 1\n`],
    [`  ${KEY}=1`, `  ${KEY}=1`],
    [`kernel/dmesg_restrict = 0\n`, `${KEY} = 1\n`],
    [`-${KEY} = 0\n`, `-${KEY} = 1\n`],
    [`${KEY} = 0\n${KEY} = 1\n`, `${KEY} = 1\n${KEY} = 1\n`],
    [`${KEY}_x = 0\n; ${KEY} = 0\n# ${KEY} = 0\n`, `${KEY}_x = 0\n; ${KEY} = 0\n# ${KEY} = 0\n${KEY} = 1\n`],
    // CRLF lines are assignments (systemd-sysctl and sysctl --system read them so): no duplicate appended, the \r kept
    [`${KEY} = 1\r\n`, `${KEY} = 1\r\n`],
    [`${KEY} = 0\r\nvm.swappiness = 10\r\n`, `${KEY} = 1\r\nvm.swappiness = 10\r\n`],
  ])("%j", (before, after) => {
    expect(setSysctlLine(before, KEY, "1")).toBe(after);
  });

  it("compares values whitespace-normalised", () => {
    expect(setSysctlLine("kernel.printk =  4\t4 1 7 \n", "kernel.printk", "4 4 1 7")).toBe("kernel.printk =  4\t4 1 7 \n");
  });

  it.each([
    ["kernel.dmesg_restrict", "kernel/dmesg_restrict"],
    ["kernel/dmesg_restrict", "kernel/dmesg_restrict"],
    ["net.ipv4.conf.eth0/1.rp_filter", "net/ipv4/conf/eth0.1/rp_filter"],
    ["net/ipv4/conf/eth0.1/rp_filter", "net/ipv4/conf/eth0.1/rp_filter"],
  ])("key %s is %s", (key, canonical) => {
    expect(canonicalSysctlKey(key)).toBe(canonical);
  });
});

describe("sysctl: idempotence (apply the effects, plan again → ok)", () => {
  const line = fc.oneof(
    fc.constantFrom("", "# comment", "; comment", "vm.swappiness = 10", `${KEY}_other = 3`),
    fc.tuple(fc.constantFrom(KEY, "kernel/dmesg_restrict", `-${KEY}`), fc.constantFrom("=", " = ", " =\t"), fc.constantFrom("0", "1", "2", " 1 ")).map(([key, eq, value]) => `${key}${eq}${value}`),
  );
  const content = fc.oneof(
    fc.constant<FactValue>(noFile),
    fc.tuple(fc.array(line, { maxLength: 6 }), fc.boolean()).map(([lines, newline]) => file(`${lines.join("\n")}${newline && lines.length > 0 ? "\n" : ""}`)),
  );

  it("holds for any file and runtime state", () => {
    fc.assert(
      fc.property(content, fc.constantFrom("0", "1", "2"), fc.constantFrom("0", "1", "2"), fc.boolean(), (given, now, want, persist) => {
        const start = facts(runtime(now), given);
        const first = planModule(sysctlModule, { name: KEY, value: want, persist }, start).plan;
        if (first.kind === "ok") return;
        const { second } = planTwice(sysctlModule, { name: KEY, value: want, persist }, start);
        expect(second.kind).toBe("ok");
      }),
    );
  });
});

describe("sysctl: argument errors name their path", () => {
  it.each([
    [{ value: "1" }, "name"],
    [{ name: "-a", value: "1" }, "name"],
    [{ name: "kernel.x y", value: "1" }, "name"],
    [{ name: "kernel.x=1", value: "1" }, "name"],
    [{ name: KEY }, "value"],
    [{ name: KEY, value: " " }, "value"],
    [{ name: KEY, value: "1\n2" }, "value"],
    [{ name: KEY, value: true }, "value"],
    [{ name: KEY, value: "1", persist: "yes" }, "persist"],
    [{ name: KEY, value: "1", file: "sysctl.conf" }, "file"],
    [{ name: KEY, value: "1", file: "/etc/sysctl.d/" }, "file"],
    [{ name: KEY, value: "1", reload: true }, ""],
  ])("%j → %s", (args, at) => {
    const result = sysctlModule.args.safeParse(args);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toContain(at);
  });

  it("defaults: persist in /etc/sysctl.d/99-fleet.conf; numbers become text", () => {
    expect(sysctlModule.args.parse({ name: KEY, value: 1 })).toEqual({ name: KEY, value: "1", persist: true, file: FILE });
  });
});

describe.skipIf(!isRoot)("sysctl: the generated scripts, run for real on this machine", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-sysctl-"));
  const conf = path.join(dir, "99-fleet.conf");
  const original = sh(`sysctl -n ${KEY}`).stdout.trim();
  afterAll(() => {
    sh(`sysctl -q -w ${KEY}=${original}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`round trip on ${KEY}: change, then ok; restored after`, () => {
    expect(original).toMatch(/^[01]$/);
    const other = original === "1" ? "0" : "1";
    writeFileSync(conf, `# written by the test\n${KEY} = ${original}\n`);
    const args = { name: KEY, value: other, file: conf };
    const first = planModule(sysctlModule, args, gatherHere(sysctlModule, args)).plan;
    if (first.kind !== "change") throw new Error(`expected a change, got ${JSON.stringify(first)}`);
    expect(applyHere(first.commands)).toMatchObject({ exitCode: 0, stderr: "" });
    expect(sh(`sysctl -n ${KEY}`).stdout).toBe(`${other}\n`);
    expect(readFileSync(conf, "utf8")).toBe(`# written by the test\n${KEY} = ${other}\n`);
    const after = gatherHere(sysctlModule, args);
    expect(after).toEqual(Object.fromEntries(first.effects.map((effect) => [`${effect.request.kind.name}:${effect.request.arg}`, effect.value])));
    expect(planModule(sysctlModule, args, after).plan.kind).toBe("ok");
  });

  it("a read-only key: sysctl -w exits 0, the read-back fails the script with a clear message", () => {
    const args = { name: "kernel.osrelease", value: "fleet-test", persist: false };
    const before = sh("sysctl -n kernel.osrelease").stdout;
    const plan = planModule(sysctlModule, args, gatherHere(sysctlModule, args)).plan;
    if (plan.kind !== "change") throw new Error(`expected a change, got ${JSON.stringify(plan)}`);
    const result = applyHere(plan.commands);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`fleet: sysctl kernel.osrelease reads "${before.trim()}" after sysctl -w set it to "fleet-test": the kernel did not take the value`);
    expect(sh("sysctl -n kernel.osrelease").stdout).toBe(before);
  });

  it("a value the kernel rejects fails the script, and the file is not written", () => {
    const now = sh(`sysctl -n ${KEY}`).stdout.trim();
    writeFileSync(conf, `${KEY} = ${now}\n`);
    const args = { name: KEY, value: "7", file: conf };
    const plan = planModule(sysctlModule, args, gatherHere(sysctlModule, args)).plan;
    if (plan.kind !== "change") throw new Error(`expected a change, got ${JSON.stringify(plan)}`);
    expect(applyHere(plan.commands).exitCode).not.toBe(0);
    expect(readFileSync(conf, "utf8")).toBe(`${KEY} = ${now}\n`);
    expect(sh(`sysctl -n ${KEY}`).stdout.trim()).toBe(now);
  });
});
