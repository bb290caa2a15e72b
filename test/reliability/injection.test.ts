/**
 * Shell metacharacters in every value that reaches a command on a host: play vars, -e values (file,
 * inline JSON, KEY=VALUE), inventory vars and host names, module arguments (paths, file contents,
 * lineinfile line and regexp, sysctl values, template variables, group names, snap options, LXD
 * names and keys, audit rules) and fleet exec arguments. Each value carries commands that would
 * create a marker file under /tmp (which the testbed hosts share with this machine) if any shell
 * ever ran it. No marker may appear; each value lands literally, or is refused where refusing is
 * right (a path with a newline, a name lxc would read as an option).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../src/cli/commands/index.js";
import { runCli } from "../../src/cli/program.js";
import type { FleetReport } from "../../src/report/types.js";
import { shellQuote } from "../../src/transport/shell-quote.js";
import { captureIo } from "../support/capture-io.js";
import { openssh, sshOk, testbed, testbedHost } from "../integration/testbed.js";

const info = testbed();
const run = randomBytes(3).toString("hex");
const work = mkdtempSync(path.join(tmpdir(), "fleet-injection-"));
const MARKERS = `fleet-pwned-${run}-`;

/** Where case `n` would leave its marker if a shell ran what it carries. */
const marker = (n: number | string): string => `/tmp/${MARKERS}${n}`;

/** Every way a value could be run by a shell, each leaving its own marker, plus quotes, escapes, format and glob characters. */
function evil(n: number): string {
  const m = marker(n);
  return `a $(touch ${m}a) \`touch ${m}b\` ; touch ${m}c | touch ${m}d && touch ${m}e || touch ${m}f ' " \\ %s %n -x * é ✓ \u202e`;
}
/** The same with a newline and a command on the next line (where a value may hold newlines). */
const evilLines = (n: number): string => `${evil(n)}\ntouch ${marker(n)}g\n`;
/** Without whitespace, quotes, backslashes, % and globs: what a tmpfiles path may hold. */
function evilWord(n: number): string {
  return `t$(touch\${IFS}${marker(n)}a);\`touch\${IFS}${marker(n)}b\`|touch&&é`;
}

const v = {
  play: evil(1),
  extraFile: evilLines(2),
  extraJson: evil(3),
  extraKv: evil(4),
  inv: evilLines(5),
  line: evil(6),
  regexp: `^x $(touch ${marker(7)}) |\`touch ${marker(7)}b\``,
  dir: `/root/fleet-inj/dir ${evil(8)}`,
  nul: `nul\u0000byte ✓ \u202e ${evil(9)}`,
  // kernel.domainname holds 64 bytes; it is per host (UTS namespace), never this machine's
  domain: `$(touch ${marker(10)});\`x\`|'"%s*`,
  // the testbed's snap stand-in prints values unescaped in `snap get -d`: no " or \ there (snapd escapes them)
  snap: `$(touch ${marker(11)}) \`touch ${marker(11)}b\` ; | && 'q' %s * é`,
  lxd: evil(12),
  words: `$(touch ${marker(13)}) \`touch ${marker(13)}b\` ; | && * %s é`,
  tdir: `/root/fleet-inj/${evilWord(14)}`,
  group: evil(15),
  pathNewline: `/root/fleet-inj/x\n$(touch ${marker(16)})`,
  dash: "--project=default",
  sysctlName: `kernel/../../../tmp/${MARKERS}17`,
  auditPath: `/root/fleet-inj/a;touch\${IFS}${marker(18)}`,
  hostName: `tb-$(touch ${marker(19)});\`touch ${marker(19)}b\`|x&&y 'q' "d" %s é`,
  becomeUser: `$(touch ${marker(20)})`,
};

const hostNames = ["tb1", v.hostName];
const profile = `fleet-inj-${run}`;
const auditName = `fleet-inj-${run}`;
const auditKey = `fleetinj_${run}`;

function writeInventory(): string {
  const tb1 = testbedHost("tb1", info);
  const tb2 = testbedHost("tb2", info);
  const host = (address: string): string => `        ${address === tb1.address ? "tb1" : JSON.stringify(v.hostName)}:\n          ansible_host: ${address}\n          v_inv: ${JSON.stringify(v.inv)}\n`;
  const file = path.join(work, "inventory.yml");
  writeFileSync(
    file,
    `all:\n  vars:\n    ansible_user: root\n    ansible_ssh_private_key_file: ${info.clientKeyFile}\n    fleet_known_hosts: ${info.knownHostsFile}\n  children:\n    inj:\n      hosts:\n${host(tb1.address)}${host(tb2.address)}`,
  );
  return file;
}

const q = JSON.stringify;
const PLAYBOOK = `
- hosts: inj
  vars:
    v_play: ${q(v.play)}
    v_line: ${q(v.line)}
    v_regexp: ${q(v.regexp)}
    v_dir: ${q(v.dir)}
    v_nul: ${q(v.nul)}
    v_domain: ${q(v.domain)}
    v_snap: ${q(v.snap)}
    v_lxd: ${q(v.lxd)}
    v_words: ${q(v.words)}
    v_tdir: ${q(v.tdir)}
    v_group: ${q(v.group)}
    v_path_nl: ${q(v.pathNewline)}
    v_dash: ${q(v.dash)}
    v_sysctl_name: ${q(v.sysctlName)}
    v_audit_path: ${q(v.auditPath)}
    v_audit_dir: ${q(path.dirname(v.auditPath))}
  tasks:
    - name: workdir
      file: { path: /root/fleet-inj, state: directory, mode: "0700" }
    - name: copy content from every source of variables
      copy: { dest: /root/fleet-inj/copy.txt, content: "{{ v_play }}\\n{{ v_extra_file }}\\n{{ v_extra_json }}\\n{{ v_extra_kv }}\\n{{ v_inv }}\\n{{ inventory_hostname }}\\n" }
    - name: NUL and unicode content
      copy: { dest: /root/fleet-inj/nul.bin, content: "{{ v_nul }}" }
    - name: template variables
      template: { src: inj.hbs, dest: /root/fleet-inj/template.txt }
    - name: lineinfile line and regexp
      lineinfile: { path: /root/fleet-inj/lines.txt, line: "{{ v_line }}", regexp: "{{ v_regexp }}", create: true }
    - name: a directory with metacharacters
      file: { path: "{{ v_dir }}", state: directory, mode: "0750" }
    - name: a destination path with metacharacters
      copy: { dest: "{{ v_dir }}/file.txt", content: "x" }
    - name: a directory for tmpfiles
      file: { path: "{{ v_tdir }}", state: directory }
    - name: tmpfiles on it
      tmpfiles: { path: "{{ v_tdir }}", mode: "0750", conf: /root/fleet-inj/inj.conf }
    - name: sysctl value
      sysctl: { name: kernel.domainname, value: "{{ v_domain }}", file: /root/fleet-inj/sysctl.conf }
    - name: snap option
      snap: { name: lxd, config: { fleetinj.value: "{{ v_snap }}" } }
    - name: LXD profile key
      lxd_profile: { name: ${profile}, config: { user.inj: "{{ v_lxd }}" } }
    - name: command, the value quoted
      command: "printf %s {{quote v_play}}"
      register: printed
      changed_when: false
    - name: shell, the value quoted
      shell: "printf '%s' {{quote v_play}} > /root/fleet-inj/shell.txt"
    - name: command, the value split into words
      command: "printf '%s|' {{ v_words }}"
      register: words
      changed_when: false
    - name: registered output reused
      copy: { dest: /root/fleet-inj/registered.txt, content: "{{ printed.stdout }}\\n{{ words.stdout }}" }
    - name: assert message
      assert: { that: "true", success_msg: "{{ v_play }}" }
    - name: the directory of the file the audit rule watches
      file: { path: "{{ v_audit_dir }}", state: directory }
    - name: the file the audit rule watches
      copy: { dest: "{{ v_audit_dir }}/${MARKERS}18", content: "" }
    - name: audit rule with a path holding a command
      auditd_rules: { name: ${auditName}, rules: ["-w {{ v_audit_path }} -p wa -k ${auditKey}"] }
      when: inventory_hostname == "tb1"
    - name: refused group name
      group_members: { group: "{{ v_group }}", allowed: [] }
      ignore_errors: true
    - name: refused path with a newline
      copy: { dest: "{{ v_path_nl }}", content: x }
      ignore_errors: true
    - name: refused LXD name read as an option
      lxd_profile: { name: "{{ v_dash }}" }
      ignore_errors: true
    - name: refused sysctl key leaving /proc/sys
      sysctl: { name: "{{ v_sysctl_name }}", value: "1", persist: false }
      ignore_errors: true
`;

async function fleet(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, stdout, stderr } = captureIo();
  const [command, ...rest] = args;
  const code = await runCli([command ?? "", "--ssh-config", path.join(work, "no-ssh-config"), ...rest], io);
  return { code, stdout: stdout(), stderr: stderr() };
}

function markersLeft(): string[] {
  return readdirSync("/tmp").filter((name) => name.startsWith(MARKERS));
}

/** A file's bytes on a host, read without trusting a shell with its name. */
async function fileOn(host: string, file: string): Promise<string> {
  return Buffer.from((await sshOk(testbedHost(host, info), `base64 -w0 < ${shellQuote(file)}`)).trim(), "base64").toString("utf8");
}

async function cleanUp(): Promise<void> {
  await Promise.all(
    ["tb1", "tb2"].map((host) =>
      openssh(
        testbedHost(host, info),
        `rm -rf /root/fleet-inj /etc/audit/rules.d/${auditName}.rules; lxc profile delete ${profile} >/dev/null 2>&1; snap unset lxd fleetinj.value >/dev/null 2>&1; sysctl -q -w kernel.domainname='(none)'; auditctl -D -k ${auditKey} >/dev/null 2>&1; true`,
      ),
    ),
  );
}

describe("shell metacharacters in every value that reaches a command", () => {
  let inventory: string;
  let report: FleetReport;
  let outcome: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    await cleanUp();
    inventory = writeInventory();
    mkdirSync(path.join(work, "templates"));
    writeFileSync(path.join(work, "templates", "inj.hbs"), "{{ v_play }}\n{{ v_inv }}\n{{ inventory_hostname }}\n");
    writeFileSync(path.join(work, "playbook.yml"), PLAYBOOK);
    writeFileSync(path.join(work, "extra.yml"), `v_extra_file: ${q(v.extraFile)}\n`);
    const reportFile = path.join(work, "report.json");
    outcome = await fleet(["run", path.join(work, "playbook.yml"), "-i", inventory, "-e", `@${path.join(work, "extra.yml")}`, "-e", q({ v_extra_json: v.extraJson }), "-e", `v_extra_kv=${shellQuote(v.extraKv)}`, "--report", reportFile]);
    try {
      report = JSON.parse(readFileSync(reportFile, "utf8")) as FleetReport;
    } catch {
      throw new Error(`no report (exit ${outcome.code}):\n${outcome.stdout}\n${outcome.stderr}`);
    }
  }, 180_000);

  afterAll(async () => {
    await cleanUp();
    rmSync(work, { recursive: true, force: true });
  });

  it("runs every task: the refused ones fail with the argument named, the others do what they say", () => {
    expect(outcome.stderr).not.toMatch(/internal error/);
    expect(report.hosts.map((host) => host.name)).toEqual(hostNames);
    for (const host of report.hosts) {
      const failed = host.tasks.filter((task) => task.status === "failed").map((task) => `${task.name}: ${task.message}`);
      expect(failed, `${host.name}\n${outcome.stdout}`).toEqual([
        expect.stringMatching(/^refused group name: group_members: group_members\.group: expected a group name/),
        expect.stringMatching(/^refused path with a newline: copy: copy\.dest: must not contain control characters/),
        expect.stringMatching(/^refused LXD name read as an option: lxd_profile: lxd_profile\.name: a profile name must not start with "-"/),
        expect.stringMatching(/^refused sysctl key leaving \/proc\/sys: sysctl: sysctl\.name: must not contain "\.\."/),
      ]);
      expect(host.status, host.name).toBe("changed");
    }
  });

  it("the values landed literally", async () => {
    for (const [host, name] of [["tb1", "tb1"], ["tb2", v.hostName]] as const) {
      expect(await fileOn(host, "/root/fleet-inj/copy.txt"), host).toBe(`${v.play}\n${v.extraFile}\n${v.extraJson}\n${v.extraKv}\n${v.inv}\n${name}\n`);
      expect(await fileOn(host, `${v.dir}/file.txt`), host).toBe("x");
      expect(await fileOn(host, "/root/fleet-inj/nul.bin"), host).toBe(v.nul);
      expect(await fileOn(host, "/root/fleet-inj/template.txt"), host).toBe(`${v.play}\n${v.inv}\n${name}\n`);
      expect(await fileOn(host, "/root/fleet-inj/lines.txt"), host).toBe(`${v.line}\n`);
      expect((await sshOk(testbedHost(host, info), `stat -c %a ${shellQuote(v.dir)} ${shellQuote(v.tdir)}`)).split("\n"), host).toEqual(["750", "750", ""]);
      expect(await fileOn(host, "/root/fleet-inj/inj.conf"), host).toContain(`\nz ${v.tdir} 0750 - - -\n`);
      expect(await fileOn(host, "/root/fleet-inj/sysctl.conf"), host).toBe(`kernel.domainname = ${v.domain}\n`);
      expect(await sshOk(testbedHost(host, info), "snap get lxd fleetinj.value"), host).toBe(`${v.snap}\n`);
      expect(await sshOk(testbedHost(host, info), `lxc profile get ${profile} user.inj`), host).toBe(`${v.lxd}\n`);
      expect(await fileOn(host, "/root/fleet-inj/shell.txt"), host).toBe(v.play);
      expect(await fileOn(host, "/root/fleet-inj/registered.txt"), host).toBe(`${v.play}\n${v.words.split(" ").join("|")}|`);
      // the kernel holds it too (per host: the UTS namespace); cleanUp sets it back
      expect(await sshOk(testbedHost(host, info), "cat /proc/sys/kernel/domainname"), host).toBe(`${v.domain}\n`);
    }
    // where the kernel has no audit support the task is not applicable and writes nothing
    const auditTask = report.hosts[0]?.tasks.find((task) => task.name === "audit rule with a path holding a command");
    if (auditTask?.status !== "skipped") {
      expect(auditTask?.status).toBe("changed");
      expect(await fileOn("tb1", `/etc/audit/rules.d/${auditName}.rules`)).toBe(`-w ${v.auditPath} -p wa -k ${auditKey}\n`);
      expect(await sshOk(testbedHost("tb1", info), `auditctl -l -k ${auditKey}`)).toBe(`-w ${v.auditPath} -p wa -k ${auditKey}\n`);
    }
  });

  it("values written in the playbook itself are refused when it is loaded, at their position", async () => {
    const file = path.join(work, "literal.yml");
    writeFileSync(
      file,
      `- hosts: inj\n  tasks:\n    - copy: { dest: ${q(`/root/x\n$(touch ${marker(21)})`)}, content: x }\n    - lxd_profile: { name: "-h" }\n    - auditd_rules: { name: x, rules: [${q(`-w /etc/x -p wa\n-k k`)}] }\n    - sysctl: { name: "kernel/../x", value: 1 }\n`,
    );
    const refused = await fleet(["run", file, "-i", inventory]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/literal\.yml:3:\d+: .*copy\.dest: must not contain control characters/);
    expect(refused.stderr).toMatch(/literal\.yml:4:\d+: .*lxd_profile\.name: a profile name must not start with "-"/);
    expect(refused.stderr).toMatch(/literal\.yml:5:\d+: .*auditd_rules\.rules\.0: must be one line/);
    expect(refused.stderr).toMatch(/literal\.yml:6:\d+: .*sysctl\.name: must not contain "\.\."/);
  });

  describe("fleet exec", () => {
    const words = (value: string): string[] => ["printf", "'%s\\n'", shellQuote(value)];
    it.each([
      ["plain", [] as string[]],
      ["--become", ["--become"]],
      ["--timeout", ["--timeout", "30"]],
      ["--become --timeout", ["--become", "--timeout", "30"]],
    ])("a quoted argument reaches the command once, unevaluated (%s)", async (_label, flags) => {
      const value = evil(30 + flags.length);
      const result = await fleet(["exec", "-i", inventory, "-l", "tb1", "--json", ...flags, "--", ...words(value)]);
      expect(result.code, result.stderr).toBe(0);
      const hosts = (JSON.parse(result.stdout) as { hosts: Array<{ stdout: string }> }).hosts;
      expect(hosts.map((host) => host.stdout)).toEqual([`${value}\n`]);
    });

    it("a host name and an inventory var with metacharacters, and a become user that is one", async () => {
      const file = path.join(work, "become-user.yml");
      const tb1 = testbedHost("tb1", info);
      writeFileSync(
        file,
        `all:\n  vars:\n    ansible_user: root\n    ansible_ssh_private_key_file: ${info.clientKeyFile}\n    fleet_known_hosts: ${info.knownHostsFile}\n  hosts:\n    ${q(v.hostName)}:\n      ansible_host: ${tb1.address}\n      ansible_become_user: ${q(v.becomeUser)}\n`,
      );
      const plain = await fleet(["exec", "-i", file, "--json", "--", "hostname"]);
      expect(plain.code, plain.stderr).toBe(0);
      expect((JSON.parse(plain.stdout) as { hosts: Array<{ name: string; stdout: string }> }).hosts).toMatchObject([{ name: v.hostName, stdout: "tb1\n" }]);
      const become = await fleet(["exec", "-i", file, "--become", "--json", "--", "id -un"]);
      expect(become.code).toBe(2);
      expect(become.stdout).toMatch(/unknown user|user .* does not exist|not allowed/i);
    });
  });

  it("no marker file was created by any of them", () => {
    expect(markersLeft()).toEqual([]);
  });
});
