import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lineinfileModule } from "../../../src/modules/lineinfile.js";
import { atomicWriteScript } from "../../../src/modules/support/atomic-write.js";
import { planModule } from "../../support/plan-module.js";
import {
  apply,
  argIssues,
  canMakeImmutable,
  directory,
  expectChange,
  expectEffectsHold,
  expectIdempotent,
  modeOwnerGroup,
  planHere,
  scratchDirectory,
  tempLeftovers,
  writeFacts,
  type Facts,
} from "./helpers.js";

const SSHD = "/etc/ssh/sshd_config";
const CONFIG = "Port 22\n#PermitRootLogin prohibit-password\nPermitRootLogin yes\nX11Forwarding yes\n";

describe("lineinfile: changes", () => {
  it.each<{ name: string; args: Record<string, unknown>; facts: Facts; content: string | null; commands?: string[]; summary: string }>([
    {
      name: "replace the last line the regexp matches",
      args: { path: SSHD, regexp: "^#?PermitRootLogin\\s", line: "PermitRootLogin no" },
      facts: writeFacts(SSHD, { text: CONFIG }),
      content: "Port 22\n#PermitRootLogin prohibit-password\nPermitRootLogin no\nX11Forwarding yes\n",
      summary: '/etc/ssh/sshd_config: replace line 3 ("PermitRootLogin yes")',
    },
    {
      name: "append a missing line",
      args: { path: SSHD, line: "MaxAuthTries 3" },
      facts: writeFacts(SSHD, { text: CONFIG }),
      content: `${CONFIG}MaxAuthTries 3\n`,
      summary: "/etc/ssh/sshd_config: add the line at the end (line 5)",
    },
    {
      name: "append to a file without a trailing newline",
      args: { path: "/etc/hosts.allow", line: "sshd: 10.0.0.0/8" },
      facts: writeFacts("/etc/hosts.allow", { text: "ALL: LOCAL" }),
      content: "ALL: LOCAL\nsshd: 10.0.0.0/8\n",
      summary: "/etc/hosts.allow: add the line at the end (line 2)",
    },
    {
      name: "remove every match",
      args: { path: SSHD, regexp: "^#?PermitRootLogin", state: "absent" },
      facts: writeFacts(SSHD, { text: CONFIG }),
      content: "Port 22\nX11Forwarding yes\n",
      summary: "/etc/ssh/sshd_config: remove 2 lines (2, 3)",
    },
    {
      name: "create the file",
      args: { path: "/etc/modprobe.d/fleet.conf", line: "install usb-storage /bin/false", create: true, mode: "0644" },
      facts: writeFacts("/etc/modprobe.d/fleet.conf", null),
      content: "install usb-storage /bin/false\n",
      summary: "create /etc/modprobe.d/fleet.conf (with the line, 1 line), mode 0644",
    },
    {
      name: "line present, mode wrong",
      args: { path: SSHD, line: "Port 22", mode: "0600" },
      facts: writeFacts(SSHD, { text: CONFIG }),
      content: null,
      commands: ["chmod 0600 /etc/ssh/sshd_config"],
      summary: "/etc/ssh/sshd_config: mode 0644 → 0600",
    },
    {
      name: "edit and mode in one write",
      args: { path: SSHD, line: "MaxAuthTries 3", mode: "0600" },
      facts: writeFacts(SSHD, { text: CONFIG }),
      content: `${CONFIG}MaxAuthTries 3\n`,
      summary: "/etc/ssh/sshd_config: add the line at the end (line 5), mode 0644 → 0600",
    },
  ])("$name", ({ args, facts, content, commands, summary }) => {
    const { first } = expectIdempotent(lineinfileModule, args, facts);
    const mode = typeof args["mode"] === "string" ? args["mode"] : undefined;
    const path = String(args["path"]);
    expect(first.commands.map((command) => command.script)).toEqual(commands ?? [atomicWriteScript({ path, content: content ?? "", mode })]);
    expect(first.summary).toBe(summary);
  });

  it("shows the edit as a diff and says what it wants and found", () => {
    const plan = expectChange(planModule(lineinfileModule, { path: SSHD, regexp: "^PermitRootLogin", line: "PermitRootLogin no" }, writeFacts(SSHD, { text: CONFIG })).plan);
    expect(plan.diff).toEqual({ before: CONFIG, after: CONFIG.replace("PermitRootLogin yes", "PermitRootLogin no") });
    expect(plan).toMatchObject({ expected: 'line "PermitRootLogin no"', actual: '"PermitRootLogin yes" at line 3' });
  });
});

describe("lineinfile: nothing to do, or cannot", () => {
  it.each<{ name: string; args: Record<string, unknown>; facts: Facts; plan: Record<string, unknown> }>([
    { name: "line already present", args: { path: SSHD, line: "X11Forwarding yes" }, facts: writeFacts(SSHD, { text: CONFIG }), plan: { kind: "ok", reason: "/etc/ssh/sshd_config already has the line at line 4", actual: 'line "X11Forwarding yes" at line 4' } },
    { name: "regexp matches the wanted line", args: { path: SSHD, regexp: "^PermitRootLogin", line: "PermitRootLogin yes", mode: "0644" }, facts: writeFacts(SSHD, { text: CONFIG }), plan: { kind: "ok", reason: "/etc/ssh/sshd_config already has the line at line 3 and mode 0644" } },
    { name: "nothing to remove", args: { path: SSHD, regexp: "^Banner", state: "absent" }, facts: writeFacts(SSHD, { text: CONFIG }), plan: { kind: "ok", reason: "/etc/ssh/sshd_config has no line matching /^Banner/", actual: "no matching line" } },
    { name: "absent from a missing file", args: { path: "/etc/nope", line: "x", state: "absent" }, facts: writeFacts("/etc/nope", null), plan: { kind: "ok", reason: "/etc/nope does not exist: no line to remove" } },
    { name: "missing file without create", args: { path: "/etc/nope", line: "x" }, facts: writeFacts("/etc/nope", null), plan: { kind: "fail", message: "/etc/nope does not exist (set create: true to create it)", expected: 'line "x"', actual: "file absent" } },
    { name: "create in a missing directory", args: { path: "/etc/app/x.conf", line: "x", create: true }, facts: writeFacts("/etc/app/x.conf", null, {}, { exists: false }), plan: { kind: "fail", message: "cannot create /etc/app/x.conf: directory /etc/app does not exist" } },
    { name: "a binary file", args: { path: "/etc/blob", line: "x" }, facts: writeFacts("/etc/blob", { bytes: Buffer.from([0xff, 0x0a]) }), plan: { kind: "fail", message: "/etc/blob is not UTF-8 text: lineinfile will not rewrite it" } },
    {
      name: "a directory",
      args: { path: "/etc", line: "x" },
      facts: { "file:/etc": directory("0755"), "file_content:/etc": { state: "other" }, "file_sha256:/etc": { state: "other" }, "file:/": directory("0755"), "session:": { user: "root", group: "root", umask: "0022" } },
      plan: { kind: "fail", message: "/etc is a directory" },
    },
  ])("$name", ({ args, facts, plan }) => {
    expect(planModule(lineinfileModule, args, facts).plan).toMatchObject(plan);
  });
});

describe("lineinfile: arguments", () => {
  it.each<{ name: string; args: unknown; issues: string[] }>([
    { name: "present without line", args: { path: SSHD, regexp: "^X" }, issues: ["line: line is required with state: present"] },
    { name: "absent without line or regexp", args: { path: SSHD, state: "absent" }, issues: ["regexp: give line or regexp with state: absent"] },
    { name: "a line with a newline", args: { path: SSHD, line: "a\nb" }, issues: ["line: must be one line (no newline or carriage return)"] },
    { name: "a bad regexp", args: { path: SSHD, line: "x", regexp: "(" }, issues: ["regexp: is not a valid regular expression (JavaScript syntax): Invalid regular expression: /(/: Unterminated group"] },
    { name: "an empty regexp", args: { path: SSHD, line: "x", regexp: "" }, issues: ['regexp: an empty regexp matches every line: write "^" if that is meant'] },
    { name: "create with absent", args: { path: SSHD, line: "x", state: "absent", create: true }, issues: ["create: create makes no sense with state: absent"] },
    { name: "unknown argument", args: { path: SSHD, line: "x", insertafter: "EOF" }, issues: [': unknown argument "insertafter" of lineinfile (it takes create, line, mode, path, regexp, state)'] },
    { name: "create of the wrong type", args: { path: SSHD, line: "x", create: "yes" }, issues: ["create: Invalid input: expected boolean, received string"] },
  ])("$name", ({ args, issues }) => {
    expect(argIssues(lineinfileModule, args)).toEqual(issues);
  });
});

describe("lineinfile: on this machine", () => {
  let scratch: ReturnType<typeof scratchDirectory>;
  beforeEach(() => {
    scratch = scratchDirectory();
  });
  afterEach(() => scratch.cleanup());

  it("edits a file in place of its old version, keeping its mode and owner, and is then ok", () => {
    const path = join(scratch.dir, "sshd_config");
    writeFileSync(path, CONFIG);
    chmodSync(path, 0o600);
    const args = { path, regexp: "^#?PermitRootLogin", line: "PermitRootLogin no" };
    const plan = expectChange(planHere(lineinfileModule, args));
    expect(apply(plan)).toMatchObject({ status: 0 });
    expect(readFileSync(path, "utf8")).toBe("Port 22\n#PermitRootLogin prohibit-password\nPermitRootLogin no\nX11Forwarding yes\n");
    expect(modeOwnerGroup(path)).toBe("600 root root");
    expectEffectsHold(plan);
    expect(planHere(lineinfileModule, args)).toMatchObject({ kind: "ok", reason: `${path} already has the line at line 3` });
  });

  it("appends to a file without a trailing newline, and removes lines", () => {
    const path = join(scratch.dir, "list");
    writeFileSync(path, "a\nb");
    const add = expectChange(planHere(lineinfileModule, { path, line: "c" }));
    expect(apply(add)).toMatchObject({ status: 0 });
    expect(readFileSync(path, "utf8")).toBe("a\nb\nc\n");
    const remove = expectChange(planHere(lineinfileModule, { path, regexp: "^[ab]$", state: "absent" }));
    expect(apply(remove)).toMatchObject({ status: 0 });
    expect(readFileSync(path, "utf8")).toBe("c\n");
    expectEffectsHold(remove);
  });

  it("creates the file with create: true", () => {
    const path = join(scratch.dir, "new.conf");
    const args = { path, line: "x=1", create: true, mode: "0640" };
    const plan = expectChange(planHere(lineinfileModule, args));
    expect(apply(plan)).toMatchObject({ status: 0 });
    expect(readFileSync(path, "utf8")).toBe("x=1\n");
    expect(modeOwnerGroup(path)).toBe("640 root root");
    expectEffectsHold(plan);
    expect(planHere(lineinfileModule, args)).toMatchObject({ kind: "ok" });
  });

  it.runIf(canMakeImmutable())("a write into a read-only (immutable) directory fails and leaves the old file and no temporary file", () => {
    const path = join(scratch.dir, "conf");
    writeFileSync(path, "a\n");
    const plan = expectChange(planHere(lineinfileModule, { path, line: "b" }));
    const result = apply({ ...plan, commands: [{ script: `chattr +i '${scratch.dir}'`, description: "make the directory immutable" }, ...plan.commands] });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/Operation not permitted/);
    expect(readFileSync(path, "utf8")).toBe("a\n");
    expect(tempLeftovers(scratch.dir)).toEqual([]);
    expect(existsSync(path)).toBe(true);
  });
});
