import { mkdirSync, statSync, writeFileSync, chmodSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FileStat } from "../../../src/facts/file.js";
import { fileModule } from "../../../src/modules/file.js";
import { planModule } from "../../support/plan-module.js";
import {
  absent,
  apply,
  argIssues,
  directory,
  expectChange,
  expectEffectsHold,
  expectIdempotent,
  modeOwnerGroup,
  planHere,
  regular,
  scratchDirectory,
  SESSION_FACTS,
  type Facts,
} from "./helpers.js";

const stat = (path: string, value: FileStat, more: Facts = {}): Facts => ({ [`file:${path}`]: value, ...more });
const withParent = (path: string, value: FileStat, parent: FileStat = directory("0755")): Facts => stat(path, value, { [`file:${path.slice(0, path.lastIndexOf("/")) || "/"}`]: parent, ...SESSION_FACTS });

describe("file: changes", () => {
  it.each<{ name: string; args: Record<string, unknown>; facts: Facts; commands: string[]; summary: string }>([
    { name: "mode", args: { path: "/etc/x", mode: "0600" }, facts: stat("/etc/x", regular("0644")), commands: ["chmod 0600 /etc/x"], summary: "/etc/x: mode 0644 → 0600" },
    { name: "mode as a YAML number", args: { path: "/etc/x", mode: 600 }, facts: stat("/etc/x", regular("0644")), commands: ["chmod 0600 /etc/x"], summary: "/etc/x: mode 0644 → 0600" },
    { name: "mode of three digits", args: { path: "/etc/x", mode: "640" }, facts: stat("/etc/x", regular("0644")), commands: ["chmod 0640 /etc/x"], summary: "/etc/x: mode 0644 → 0640" },
    { name: "owner and group", args: { path: "/etc/x", owner: "daemon", group: "daemon" }, facts: stat("/etc/x", regular("0644")), commands: ["chown daemon:daemon /etc/x"], summary: "/etc/x: owner root → daemon, group root → daemon" },
    { name: "group only", args: { path: "/etc/x", group: "adm" }, facts: stat("/etc/x", regular("0644")), commands: ["chgrp adm /etc/x"], summary: "/etc/x: group root → adm" },
    { name: "chown before chmod", args: { path: "/etc/x", owner: "daemon", mode: "0600" }, facts: stat("/etc/x", regular("0644")), commands: ["chown daemon /etc/x", "chmod 0600 /etc/x"], summary: "/etc/x: mode 0644 → 0600, owner root → daemon" },
    { name: "chown of a setuid file restores its mode", args: { path: "/usr/bin/x", owner: "daemon" }, facts: stat("/usr/bin/x", regular("4755")), commands: ["chown daemon /usr/bin/x", "chmod 4755 /usr/bin/x"], summary: "/usr/bin/x: owner root → daemon" },
    { name: "clearing a directory's setgid bit takes five digits", args: { path: "/srv/d", mode: "0755" }, facts: stat("/srv/d", directory("2755")), commands: ["chmod 00755 /srv/d"], summary: "/srv/d: mode 2755 → 0755" },
    { name: "a /sys directory", args: { path: "/sys/kernel/slab", mode: "0700" }, facts: stat("/sys/kernel/slab", directory("0755")), commands: ["chmod 0700 /sys/kernel/slab"], summary: "/sys/kernel/slab: mode 0755 → 0700" },
    { name: "a /proc file", args: { path: "/proc/sched_debug", mode: "0400", state: "file" }, facts: stat("/proc/sched_debug", regular("0444")), commands: ["chmod 0400 /proc/sched_debug"], summary: "/proc/sched_debug: mode 0444 → 0400" },
    { name: "a path that needs quoting", args: { path: "/srv/it's here", mode: "0700" }, facts: stat("/srv/it's here", directory("0755")), commands: ["chmod 0700 '/srv/it'\\''s here'"], summary: "/srv/it's here: mode 0755 → 0700" },
    { name: "create a directory", args: { path: "/srv/new", state: "directory" }, facts: withParent("/srv/new", absent), commands: ["mkdir -p /srv/new"], summary: "create directory /srv/new" },
    { name: "create a directory with attributes", args: { path: "/srv/new", state: "directory", mode: "0700", owner: "daemon" }, facts: withParent("/srv/new", absent), commands: ["mkdir -p /srv/new", "chown daemon /srv/new", "chmod 0700 /srv/new"], summary: "create directory /srv/new, mode 0700, owner daemon" },
    { name: "create a directory the umask already gives the mode", args: { path: "/srv/new", state: "directory", mode: "0755" }, facts: withParent("/srv/new", absent), commands: ["mkdir -p /srv/new"], summary: "create directory /srv/new, mode 0755" },
    { name: "create a directory in a setgid one", args: { path: "/srv/g/new", state: "directory", mode: "0750" }, facts: withParent("/srv/g/new", absent, directory("2775", "root", "staff")), commands: ["mkdir -p /srv/g/new", "chmod 00750 /srv/g/new"], summary: "create directory /srv/g/new, mode 0750" },
    { name: "remove a directory", args: { path: "/srv/old", state: "absent" }, facts: stat("/srv/old", directory("0755")), commands: ["rm -rf /srv/old"], summary: "remove /srv/old (directory)" },
    { name: "remove a file", args: { path: "/etc/old", state: "absent" }, facts: stat("/etc/old", regular("0644")), commands: ["rm -rf /etc/old"], summary: "remove /etc/old (file)" },
  ])("$name", ({ args, facts, commands, summary }) => {
    const { first } = expectIdempotent(fileModule, args, facts);
    expect(first.commands.map((command) => command.script)).toEqual(commands);
    expect(first.summary).toBe(summary);
  });

  it("predicts a new directory's stat from the session and a setgid parent", () => {
    const plan = expectChange(planModule(fileModule, { path: "/srv/g/new", state: "directory" }, withParent("/srv/g/new", absent, directory("2775", "root", "staff"))).plan);
    expect(plan.effects.find((effect) => effect.request.kind.name === "file")?.value).toEqual({ exists: true, type: "directory", mode: "2755", owner: "root", group: "staff", size: 4096 });
    expect(plan.diff).toEqual({ before: "state: absent\n", after: "state: directory\nmode: 2755\nowner: root\ngroup: staff\n" });
  });

  it("reports expected and actual in short form, and the attribute diff", () => {
    const plan = expectChange(planModule(fileModule, { path: "/sys/kernel/slab", state: "directory", mode: "0700" }, stat("/sys/kernel/slab", directory("0755"), { "file:/sys/kernel": directory("0755"), ...SESSION_FACTS })).plan);
    expect(plan).toMatchObject({ expected: "directory, mode 0700", actual: "directory, mode 0755", diff: { before: "mode: 0755\n", after: "mode: 0700\n" } });
  });
});

describe("file: nothing to do, or cannot", () => {
  it.each<{ name: string; args: Record<string, unknown>; facts: Facts; plan: Record<string, unknown> }>([
    { name: "mode already right", args: { path: "/etc/x", mode: "0600" }, facts: stat("/etc/x", regular("0600")), plan: { kind: "ok", reason: "/etc/x already has mode 0600", actual: "mode 0600" } },
    { name: "every attribute right", args: { path: "/etc/x", mode: 644, owner: "root", group: "root" }, facts: stat("/etc/x", regular("0644")), plan: { kind: "ok", reason: "/etc/x already has mode 0644, owner root, group root" } },
    { name: "directory exists", args: { path: "/srv/d", state: "directory" }, facts: withParent("/srv/d", directory("0755")), plan: { kind: "ok", reason: "/srv/d is already a directory" } },
    { name: "directory with its mode", args: { path: "/srv/d", state: "directory", mode: "0750" }, facts: withParent("/srv/d", directory("0750")), plan: { kind: "ok", reason: "/srv/d is a directory and already has mode 0750", actual: "directory, mode 0750" } },
    { name: "a special file counts as a file", args: { path: "/dev/null", state: "file", mode: "0666" }, facts: stat("/dev/null", { exists: true, type: "other", mode: "0666", owner: "root", group: "root", size: 0 }), plan: { kind: "ok", reason: "/dev/null is a special file and already has mode 0666" } },
    { name: "already absent", args: { path: "/etc/gone", state: "absent" }, facts: stat("/etc/gone", absent), plan: { kind: "ok", reason: "/etc/gone is already absent" } },
    { name: "state file on a missing path", args: { path: "/etc/nope", state: "file", mode: "0600" }, facts: stat("/etc/nope", absent), plan: { kind: "fail", message: "/etc/nope does not exist (state: file never creates a file: use copy, template or lineinfile with create)", actual: "absent" } },
    { name: "state file on a directory", args: { path: "/etc", state: "file" }, facts: stat("/etc", directory("0755")), plan: { kind: "fail", message: "/etc is a directory, not a file" } },
    { name: "state directory on a file", args: { path: "/etc/x", state: "directory" }, facts: withParent("/etc/x", regular("0644")), plan: { kind: "fail", message: "/etc/x exists and is a file, not a directory" } },
    { name: "no state on a missing path", args: { path: "/proc/sched_debug", mode: "0400" }, facts: stat("/proc/sched_debug", absent), plan: { kind: "not_applicable", reason: "/proc/sched_debug does not exist (no state given: fleet neither creates nor removes it)" } },
  ])("$name", ({ args, facts, plan }) => {
    expect(planModule(fileModule, args, facts).plan).toMatchObject(plan);
  });

  it("reads only the path's stat unless it may create a directory", () => {
    expect(planModule(fileModule, { path: "/etc//x/", mode: "0600" }, stat("/etc/x", regular("0600"))).requested).toEqual(["file:/etc/x"]);
    expect(planModule(fileModule, { path: "/srv/d", state: "directory" }, withParent("/srv/d", directory("0755"))).requested).toEqual(["file:/srv/d", "file:/srv", "session:"]);
  });
});

describe("file: arguments", () => {
  it.each<{ name: string; args: unknown; issues: string[] }>([
    { name: "unknown argument", args: { path: "/x", mode: "0600", recurse: true }, issues: [': unknown argument "recurse" of file (it takes group, mode, owner, path, state)'] },
    { name: "wrong type", args: { path: "/x", mode: true }, issues: ['mode: must be an octal mode like "0644" (got true)'] },
    { name: "not an octal mode", args: { path: "/x", mode: "0699" }, issues: ['mode: must be an octal mode of 3 or 4 digits, like "0644" (got "0699")'] },
    { name: "symbolic mode", args: { path: "/x", mode: "u=rw" }, issues: ['mode: must be an octal mode of 3 or 4 digits, like "0644" (got "u=rw")'] },
    { name: "a YAML 1.1 octal read as decimal (0600 → 384)", args: { path: "/x", mode: 384 }, issues: ["mode: must be an octal mode like \"0644\" (got the number 384; a YAML 1.1 reader turns 0644 into 420: quote the mode)"] },
    { name: "a YAML 1.1 octal that looks octal (0644 → 420)", args: { path: "/x", mode: 420 }, issues: ['mode: the number 420 reads as mode 0420, which grants group or others more than the owner: if you meant an octal literal, quote it ("0644" was read as 420 by YAML 1.1)'] },
    { name: "relative path", args: { path: "etc/x", mode: "0600" }, issues: ['path: must be an absolute path (got "etc/x")'] },
    { name: "dot-dot in the path", args: { path: "/etc/../x", mode: "0600" }, issues: ['path: must not contain "." or ".." parts (got "/etc/../x")'] },
    { name: "numeric owner", args: { path: "/x", owner: 0 }, issues: ["owner: give the owner by name, not by number (got 0): fleet compares with the name stat prints"] },
    { name: "bad group name", args: { path: "/x", group: "-rf" }, issues: ['group: must be a group name (letters, digits, "_", ".", "-"; got "-rf")'] },
    { name: "bad state", args: { path: "/x", state: "link" }, issues: ['state: Invalid option: expected one of "file"|"directory"|"absent"'] },
    { name: "attributes with absent", args: { path: "/x", state: "absent", mode: "0600" }, issues: ["mode: mode makes no sense with state: absent"] },
    { name: "removing /", args: { path: "//", state: "absent" }, issues: ["path: refusing to remove /"] },
    { name: "nothing asked", args: { path: "/x" }, issues: ["state: give a state or at least one of mode, owner, group"] },
    { name: "missing path", args: { mode: "0600" }, issues: ["path: Invalid input: expected string, received undefined"] },
  ])("$name", ({ args, issues }) => {
    expect(argIssues(fileModule, args)).toEqual(issues);
  });
});

describe("file: on this machine", () => {
  let scratch: ReturnType<typeof scratchDirectory>;
  beforeEach(() => {
    scratch = scratchDirectory();
  });
  afterEach(() => scratch.cleanup());

  it("sets mode and owner, predicts the result exactly, and is then ok", () => {
    const path = join(scratch.dir, "f");
    writeFileSync(path, "x\n", { mode: 0o644 });
    const args = { path, mode: "0600", owner: "daemon", group: "daemon" };
    const plan = expectChange(planHere(fileModule, args));
    expect(apply(plan)).toMatchObject({ status: 0 });
    expect(modeOwnerGroup(path)).toBe("600 daemon daemon");
    expectEffectsHold(plan);
    expect(planHere(fileModule, args)).toMatchObject({ kind: "ok", reason: `${path} already has mode 0600, owner daemon, group daemon` });
  });

  it("keeps a setuid bit through a chown", () => {
    const path = join(scratch.dir, "suid");
    writeFileSync(path, "#!/bin/sh\n");
    chmodSync(path, 0o4755);
    const plan = expectChange(planHere(fileModule, { path, owner: "daemon" }));
    expect(apply(plan)).toMatchObject({ status: 0 });
    expect(modeOwnerGroup(path)).toBe("4755 daemon root");
    expect(planHere(fileModule, { path, owner: "daemon" })).toMatchObject({ kind: "ok" });
  });

  it("creates nested directories with their mode, and clears an inherited setgid bit", () => {
    const parent = join(scratch.dir, "shared");
    mkdirSync(parent);
    chmodSync(parent, 0o2775);
    const path = join(parent, "a");
    const args = { path, state: "directory", mode: "0750" };
    const plan = expectChange(planHere(fileModule, args));
    expect(apply(plan)).toMatchObject({ status: 0 });
    expect(modeOwnerGroup(path)).toBe("750 root root");
    expectEffectsHold(plan);
    expect(planHere(fileModule, args)).toMatchObject({ kind: "ok" });

    const deep = join(scratch.dir, "b", "c", "d");
    const made = expectChange(planHere(fileModule, { path: deep, state: "directory" }));
    expect(apply(made)).toMatchObject({ status: 0 });
    expect(statSync(deep).isDirectory()).toBe(true);
    expectEffectsHold(made);
  });

  it("removes a directory tree", () => {
    const path = join(scratch.dir, "tree");
    mkdirSync(join(path, "sub"), { recursive: true });
    writeFileSync(join(path, "sub", "f"), "x");
    const plan = expectChange(planHere(fileModule, { path, state: "absent" }));
    expect(apply(plan)).toMatchObject({ status: 0 });
    expect(existsSync(path)).toBe(false);
    expectEffectsHold(plan);
    expect(planHere(fileModule, { path, state: "absent" })).toMatchObject({ kind: "ok" });
  });

  it("reads the live stat of /proc and /sys entries", () => {
    expect(planHere(fileModule, { path: "/proc/version", mode: "0444", state: "file" })).toMatchObject({ kind: "ok", reason: "/proc/version is a file and already has mode 0444" });
    const slab = planHere(fileModule, { path: "/sys/kernel/slab", mode: "0700" });
    if (existsSync("/sys/kernel/slab") && (statSync("/sys/kernel/slab").mode & 0o7777) !== 0o700) expect(expectChange(slab).commands.map((command) => command.script)).toEqual(["chmod 0700 /sys/kernel/slab"]);
  });
});
