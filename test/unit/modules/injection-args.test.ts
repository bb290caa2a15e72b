import { describe, expect, test } from "vitest";
import { commandOutput, commandOutputArg } from "../../../src/facts/command-output.js";
import { auditdRulesArgs } from "../../../src/modules/auditd-rules.js";
import { lxdConfigArgs } from "../../../src/modules/lxd-config.js";
import { lxdNetworkAclArgs } from "../../../src/modules/lxd-network-acl.js";
import { lxdProfileArgs } from "../../../src/modules/lxd-profile.js";
import { lxdProjectArgs } from "../../../src/modules/lxd-project.js";
import { sysctlArgs } from "../../../src/modules/sysctl.js";
import { sh } from "./local-host.js";

/** The issues of arguments, as "path: message". */
function issues(schema: { safeParse(value: unknown): { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, args: unknown): string[] {
  const result = schema.safeParse(args);
  return result.success ? [] : (result.error?.issues.map((issue) => `${issue.path.map(String).join(".")}: ${issue.message}`) ?? []);
}

describe("values that would change the meaning of a command are refused", () => {
  test("an audit rule with a newline would be two lines of the rules file", () => {
    expect(issues(auditdRulesArgs, { name: "x", rules: ["-w /etc/x -p wa\n-k k"] })).toEqual(["rules.0: must be one line: give each rule as its own item of the list"]);
    expect(issues(auditdRulesArgs, { name: "x", rules: ["-w /etc/x -p wa -k k\r"] })).toEqual(["rules.0: must be one line: give each rule as its own item of the list"]);
    expect(issues(auditdRulesArgs, { name: "x", rules: ["-w /etc/x -p wa -k k"] })).toEqual([]);
  });

  test("LXD names and keys starting with - would reach lxc as options", () => {
    expect(issues(lxdProfileArgs, { name: "--project=other", config: { "--target=x": "1" }, devices: { "-d": { type: "disk" } }, attach_to: ["-c1"] })).toEqual([
      'name: a profile name must not start with "-"',
      "config.--target=x: a config key has only letters, digits and . _ : -, and starts with a letter, digit or _",
      'devices.-d: a device name has no spaces, "/", ",", quotes or backslashes',
      'attach_to.0: an instance name must not start with "-"',
    ]);
    expect(issues(lxdProjectArgs, { name: "-h" })).toEqual(['name: a project name must not start with "-"']);
    expect(issues(lxdNetworkAclArgs, { name: "acl", networks: ["--all"] })).toEqual(['networks.0: a network name must not start with "-"']);
    expect(issues(lxdConfigArgs, { config: { "--target=tbc2": "x" }, allow_unknown: true })).toEqual(['config.--target=tbc2: "--target=tbc2" is not an LXD server key: letters, digits and . _ : -, starting with a letter, digit or _']);
    expect(issues(lxdConfigArgs, { config: { "user.x": "$(touch /tmp/x)" }, allow_unknown: true })).toEqual([]);
  });

  test("a sysctl key never leaves /proc/sys", () => {
    expect(issues(sysctlArgs, { name: "kernel/../../../etc/shadow", value: "1" })).toEqual(['name: must not contain ".." (a key names a file under /proc/sys)']);
    expect(issues(sysctlArgs, { name: "net.ipv4.conf.eth0/1.rp_filter", value: "1" })).toEqual([]);
  });

  test("a read-only command's chdir is never read as an option of cd", () => {
    const probe = commandOutput.probe(commandOutputArg({ script: "pwd", chdir: "-P", task: "0/0" }));
    expect(probe).toBe("cd -- -P && pwd");
    expect(sh(probe).stderr).toMatch(/-P/);
  });
});
