/**
 * Secrets on the testbed: values of secret_vars (from a vars file, -e and the inventory), Ansible's
 * secret inventory vars, and the become password given through FLEET_BECOME_PASSWORD appear in
 * none of fleet's stdout, stderr and report files (JSON, Markdown, HTML, JUnit), with -v and --diff,
 * in diffs, command output, a `when`, a failing task's message and an assert's, while the host
 * really holds them. No command line on the host shows them while a task runs (the hosts share
 * this machine's kernel, so /proc here lists their processes).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../src/cli/commands/index.js";
import { runCli } from "../../src/cli/program.js";
import { NO_LOG_TEXT } from "../../src/engine/mask.js";
import { SECRET_MASK } from "../../src/engine/secret-mask.js";
import type { FleetReport } from "../../src/report/types.js";
import { captureIo } from "../support/capture-io.js";
import { openssh, passwordSudoAccount, sshOk, testbed, testbedHost } from "../integration/testbed.js";

const info = testbed();
const account = passwordSudoAccount();
const work = mkdtempSync(path.join(tmpdir(), "fleet-secrets-"));
const tag = randomBytes(4).toString("hex");
const secrets = {
  /** secret_vars, from a vars file */
  db: `db-S3cr3t-${tag}-pw`,
  /** secret_vars, from -e KEY=VALUE */
  token: `tok-S3cr3t-${tag}-api`,
  /** Ansible's secret inventory var, not named in secret_vars */
  inventory: `inv-S3cr3t-${tag}-become`,
  /** FLEET_BECOME_PASSWORD, printed by a command through a variable that is not secret */
  become: account.password,
};
const all = Object.values(secrets);
const tb2 = testbedHost("tb2", info);
const DIR = `/root/fleet-secrets-${tag}`;

const PLAYBOOK = `
- hosts: tb2
  secret_vars: [db_password, api_token]
  vars_files: [secrets.yml]
  tasks:
    - name: workdir
      file: { path: ${DIR}, state: directory, mode: "0700" }
    - name: template with the secret
      template: { src: app.conf.hbs, dest: ${DIR}/app.conf, mode: "0600" }
    - name: copy with the secrets
      copy: { dest: ${DIR}/token.conf, content: "token={{ api_token }}\\nbecome={{ ansible_become_password }}\\n", mode: "0600" }
    - name: a command printing them
      command: "echo db={{ db_password }} token={{ api_token }} inventory={{ ansible_become_password }}"
    - name: read back, registered under a name that is not secret
      shell: "cat ${DIR}/app.conf"
      register: readback
      changed_when: false
    - name: when on the secret
      command: "echo when-held"
      when: db_password in readback.stdout
    - name: the registered value used later
      copy: { dest: ${DIR}/registered.conf, content: "{{ readback.stdout }}", mode: "0600" }
    - name: an assert whose message holds the secret
      assert: { that: "db_password == 'nope'", fail_msg: "expected nope, got {{ db_password }}" }
    - name: a failing task with the secret in its message
      shell: "echo failed for {{ db_password }} >&2; exit 3"
      ignore_errors: true
    - name: the become password printed through a variable that is not secret
      shell: "echo become password is {{ echo_me }}"
    - name: no_log
      shell: "echo nolog-output-${tag} {{ api_token }}"
      control: SEC-NOLOG-01
      no_log: true
    - name: a timed task with the secret in its script
      shell: "sleep 3; : {{ db_password }} {{ api_token }}"
      timeout: 60
`;

function writeInventory(user?: string): string {
  const file = path.join(work, `inventory-${user ?? "root"}.yml`);
  writeFileSync(
    file,
    `all:\n  vars:\n    ansible_user: ${user ?? "root"}\n    ansible_ssh_private_key_file: ${info.clientKeyFile}\n    fleet_known_hosts: ${info.knownHostsFile}\n  hosts:\n    tb2:\n      ansible_host: ${tb2.address}\n      ansible_become_password: ${JSON.stringify(secrets.inventory)}\n`,
  );
  return file;
}

async function fleet(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, stdout, stderr } = captureIo(env);
  const [command, ...rest] = args;
  const code = await runCli([command ?? "", "--ssh-config", path.join(work, "no-ssh-config"), ...rest], io);
  return { code, stdout: stdout(), stderr: stderr() };
}

/** Command lines of every process on this machine (the testbed hosts' too) that hold one of the texts. */
function commandLinesHolding(texts: readonly string[]): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const line = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      if (texts.some((text) => line.includes(text))) found.push(`${entry}: ${line}`);
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

/** The command lines of every process on this machine, joined: to tell that a given command ran. */
function allCommandLines(): string {
  const lines: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      lines.push(readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " "));
    } catch {
      // ended
    }
  }
  return lines.join("\n");
}

function expectNoSecret(where: string, text: string): void {
  for (const secret of all) expect(text.includes(secret), `${where} holds a secret`).toBe(false);
}

describe("secrets are masked in everything fleet shows or writes", () => {
  const reports = ["report.json", "report.md", "report.html", "report.xml"].map((name) => path.join(work, name));
  let outcome: { code: number; stdout: string; stderr: string };
  let leakedOnCommandLines: string[] = [];
  let sawTheSleep = false;
  let report: FleetReport;

  beforeAll(async () => {
    await openssh(tb2, `rm -rf ${DIR}`);
    mkdirSync(path.join(work, "templates"));
    writeFileSync(path.join(work, "templates", "app.conf.hbs"), "password={{ db_password }}\n");
    writeFileSync(path.join(work, "secrets.yml"), `db_password: ${JSON.stringify(secrets.db)}\n`);
    writeFileSync(path.join(work, "playbook.yml"), PLAYBOOK);
    const running = fleet(
      ["run", path.join(work, "playbook.yml"), "-i", writeInventory(), "-v", "--diff", "-e", `api_token=${secrets.token}`, "-e", `echo_me=${secrets.become}`, ...reports.flatMap((file) => ["--report", file])],
      { FLEET_BECOME_PASSWORD: secrets.become },
    );
    let done = false;
    void running.finally(() => (done = true));
    // watch every command line while the run goes on, the 3 s task with the secret in its script included
    while (!done) {
      leakedOnCommandLines.push(...commandLinesHolding(all));
      if (/(^|\n)sleep 3 ?(\n|$)/.test(allCommandLines())) sawTheSleep = true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    outcome = await running;
    leakedOnCommandLines = [...new Set(leakedOnCommandLines)];
    report = JSON.parse(readFileSync(reports[0] ?? "", "utf8")) as FleetReport;
  }, 180_000);

  afterAll(async () => {
    await openssh(tb2, `rm -rf ${DIR}`);
    rmSync(work, { recursive: true, force: true });
  });

  it("the run did what the playbook says (exit 2: the assert and the failing task)", () => {
    expect(outcome.stderr).not.toMatch(/internal error/);
    expect(outcome.code, outcome.stdout).toBe(2);
    const statuses = Object.fromEntries(report.hosts[0]?.tasks.map((task) => [task.name, task.status]) ?? []);
    expect(statuses).toMatchObject({
      "template with the secret": "changed",
      "a command printing them": "changed",
      "when on the secret": "changed",
      "an assert whose message holds the secret": "failed",
      "a failing task with the secret in its message": "failed",
      "no_log": "changed",
      "a timed task with the secret in its script": "changed",
    });
  });

  it("no secret in stdout or stderr, which show masks instead (-v, --diff, messages, output, no_log)", () => {
    expectNoSecret("stdout", outcome.stdout);
    expectNoSecret("stderr", outcome.stderr);
    expect(outcome.stdout).toContain(`db=${SECRET_MASK} token=${SECRET_MASK} inventory=${SECRET_MASK}`);
    expect(outcome.stdout).toContain(`+ password=${SECRET_MASK}`);
    expect(outcome.stdout).toContain(`expected nope, got ${SECRET_MASK}`);
    expect(outcome.stdout).toContain(`failed for ${SECRET_MASK}`);
    expect(outcome.stdout).toContain(`become password is ${SECRET_MASK}`);
    expect(outcome.stdout).toContain(NO_LOG_TEXT);
    expect(outcome.stdout).not.toContain(`nolog-output-${tag}`);
  });

  it("no secret in any report file", () => {
    for (const file of reports) expectNoSecret(path.basename(file), readFileSync(file, "utf8"));
    const tasks = report.hosts[0]?.tasks ?? [];
    expect(tasks.find((task) => task.name === "a failing task with the secret in its message")?.message).toBe(`failed for ${SECRET_MASK}`);
    expect(tasks.find((task) => task.name === "no_log")?.message).toBe(NO_LOG_TEXT);
    // its control is still judged
    expect(report.hosts[0]?.controls.find((control) => control.id === "SEC-NOLOG-01")?.status).toBe("pass");
    expect(tasks.find((task) => task.name === "template with the secret")?.diff).toEqual({ before: "", after: `password=${SECRET_MASK}\n` });
  });

  it("the host really holds the secrets, also where a later task used a registered result", async () => {
    expect(await sshOk(tb2, `cat ${DIR}/app.conf ${DIR}/token.conf ${DIR}/registered.conf`)).toBe(`password=${secrets.db}\ntoken=${secrets.token}\nbecome=${secrets.inventory}\npassword=${secrets.db}\n`);
  });

  it("no command line on the host showed a secret while the tasks ran", () => {
    expect(sawTheSleep).toBe(true);
    expect(leakedOnCommandLines).toEqual([]);
  });

  it("fleet exec with FLEET_BECOME_PASSWORD for the password-sudo account: text and --json", async () => {
    const inventory = writeInventory(account.user);
    // `cat` would print anything fleet left on the command's stdin after sudo took the password
    const command = ["id -un; cat; echo typed:", `'${secrets.become}'`, `'${secrets.inventory}'`];
    const env = { FLEET_BECOME_PASSWORD: secrets.become };
    const text = await fleet(["exec", "-i", inventory, "--become", "--", ...command], env);
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expectNoSecret("exec stdout", text.stdout);
    expectNoSecret("exec stderr", text.stderr);
    expect(text.stdout).toContain(`root\ntyped: ${SECRET_MASK} ${SECRET_MASK}\n`);
    const json = await fleet(["exec", "-i", inventory, "--become", "--json", "--", ...command], env);
    expect(json.code).toBe(0);
    expectNoSecret("exec --json", json.stdout + json.stderr);
    const document = JSON.parse(json.stdout) as { command: string; hosts: Array<{ stdout: string }> };
    expect(document.hosts[0]?.stdout).toBe(`root\ntyped: ${SECRET_MASK} ${SECRET_MASK}\n`);
    expect(document.command).toBe(`id -un; cat; echo typed: '${SECRET_MASK}' '${SECRET_MASK}'`);
  });

  it("fleet exec with a wrong become password: the failure names no password", async () => {
    const wrong = `wrong-S3cr3t-${tag}`;
    const outcome = await fleet(["exec", "-i", writeInventory(account.user), "--become", "--json", "--", "id -un"], { FLEET_BECOME_PASSWORD: wrong });
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toMatch(/password/);
    expect(`${outcome.stdout}${outcome.stderr}`).not.toContain(wrong);
  });
});
