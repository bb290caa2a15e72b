import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FileStat } from "../../../src/facts/file.js";
import { atomicWriteScript } from "../../../src/modules/support/atomic-write.js";
import { setTmpfilesLine, TMPFILES_HEADER, tmpfilesModule } from "../../../src/modules/tmpfiles.js";
import { planModule } from "../../support/plan-module.js";
import {
  absent,
  apply,
  argIssues,
  canMakeImmutable,
  directory,
  expectChange,
  expectEffectsHold,
  expectIdempotent,
  modeOwnerGroup,
  planHere,
  regular,
  scratchDirectory,
  tempLeftovers,
  writeFacts,
  type Facts,
  type FixtureFile,
} from "./helpers.js";

const CONF = "/etc/tmpfiles.d/fleet.conf";
const SLAB = "/sys/kernel/slab";
const SLAB_LINE = "z /sys/kernel/slab 0700 root root -";
const hostWith = (live: FileStat, conf: FixtureFile, confDir: FileStat = directory("0755")): Facts => ({ [`file:${SLAB}`]: live, ...writeFacts(CONF, conf, {}, confDir) });
const slabArgs = { path: SLAB, mode: "0700", owner: "root", group: "root" };

describe("setTmpfilesLine", () => {
  it.each([
    { name: "append to an empty text", text: "", after: `${SLAB_LINE}\n`, previous: [] },
    { name: "append after other paths", text: "z /proc/sched_debug 0400 root root -\n", after: `z /proc/sched_debug 0400 root root -\n${SLAB_LINE}\n`, previous: [] },
    { name: "append after a last line without newline", text: "# x", after: `# x\n${SLAB_LINE}\n`, previous: [] },
    { name: "replace in place", text: "# head\nz /sys/kernel/slab 0755 root root -\nz /x 0600 - - -\n", after: `# head\n${SLAB_LINE}\nz /x 0600 - - -\n`, previous: ["z /sys/kernel/slab 0755 root root -"] },
    { name: "one line per path: later duplicates dropped", text: "z /sys/kernel/slab 0755 - - -\nz /x - - - -\nZ  /sys/kernel/slab  0711 root root -\n", after: `${SLAB_LINE}\nz /x - - - -\n`, previous: ["z /sys/kernel/slab 0755 - - -", "Z  /sys/kernel/slab  0711 root root -"] },
    { name: "a commented line for the path is kept", text: "# z /sys/kernel/slab 0755 root root -\n", after: `# z /sys/kernel/slab 0755 root root -\n${SLAB_LINE}\n`, previous: [] },
    { name: "a path that only starts the same is another path", text: "z /sys/kernel/slabx 0755 - - -\n", after: `z /sys/kernel/slabx 0755 - - -\n${SLAB_LINE}\n`, previous: [] },
    { name: "the line already there", text: `${SLAB_LINE}\n`, after: `${SLAB_LINE}\n`, previous: [SLAB_LINE] },
  ])("$name", ({ text, after, previous }) => {
    expect(setTmpfilesLine(text, SLAB, SLAB_LINE)).toEqual({ text: after, previous });
  });
});

describe("tmpfiles: changes", () => {
  it.each<{ name: string; args: Record<string, unknown>; facts: Facts; commands: string[]; summary: string }>([
    {
      name: "first run: apply now and create the conf",
      args: slabArgs,
      facts: hostWith(directory("0755"), null),
      commands: ["chmod 0700 /sys/kernel/slab", atomicWriteScript({ path: CONF, content: `${TMPFILES_HEADER}${SLAB_LINE}\n` })],
      summary: `add "${SLAB_LINE}" in ${CONF}; /sys/kernel/slab: mode 0755 → 0700`,
    },
    {
      name: "after a reboot the line is there but the mode is lost",
      args: slabArgs,
      facts: hostWith(directory("0755"), { text: `${TMPFILES_HEADER}${SLAB_LINE}\n` }),
      commands: ["chmod 0700 /sys/kernel/slab"],
      summary: "/sys/kernel/slab: mode 0755 → 0700",
    },
    {
      name: "mode applied by hand but not persisted",
      args: slabArgs,
      facts: hostWith(directory("0700"), { text: "z /proc/sched_debug 0400 root root -\n" }),
      commands: [atomicWriteScript({ path: CONF, content: `z /proc/sched_debug 0400 root root -\n${SLAB_LINE}\n` })],
      summary: `add "${SLAB_LINE}" in ${CONF}`,
    },
    {
      name: "an old line for the path is replaced in place",
      args: slabArgs,
      facts: hostWith(directory("0700"), { text: "z /sys/kernel/slab 0750 root root -\nz /x 0600 - - -\n" }),
      commands: [atomicWriteScript({ path: CONF, content: `${SLAB_LINE}\nz /x 0600 - - -\n` })],
      summary: `replace "${SLAB_LINE}" in ${CONF} (was z /sys/kernel/slab 0750 root root -)`,
    },
    {
      name: "a /proc file, owner only",
      args: { path: "/proc/sched_debug", group: "adm" },
      facts: { "file:/proc/sched_debug": regular("0400"), ...writeFacts(CONF, { text: "" }) },
      commands: ["chgrp adm /proc/sched_debug", atomicWriteScript({ path: CONF, content: "z /proc/sched_debug - - adm -\n" })],
      summary: `add "z /proc/sched_debug - - adm -" in ${CONF}; /proc/sched_debug: group root → adm`,
    },
  ])("$name", ({ args, facts, commands, summary }) => {
    const { first } = expectIdempotent(tmpfilesModule, args, facts);
    expect(first.commands.map((command) => command.script)).toEqual(commands);
    expect(first.summary).toBe(summary);
  });

  it("diffs the conf when it changes, the live attributes otherwise; says expected and actual", () => {
    const first = expectChange(planModule(tmpfilesModule, slabArgs, hostWith(directory("0755"), { text: "z /sys/kernel/slab 0755 root root -\n" })).plan);
    expect(first.diff).toEqual({ before: "z /sys/kernel/slab 0755 root root -\n", after: `${SLAB_LINE}\n` });
    expect(first).toMatchObject({ expected: `mode 0700, owner root, group root; ${CONF}: ${SLAB_LINE}`, actual: `mode 0755, owner root, group root; ${CONF}: z /sys/kernel/slab 0755 root root -` });
    const live = expectChange(planModule(tmpfilesModule, slabArgs, hostWith(directory("0755"), { text: `${SLAB_LINE}\n` })).plan);
    expect(live.diff).toEqual({ before: "mode: 0755\n", after: "mode: 0700\n" });
  });
});

describe("tmpfiles: nothing to do, or cannot", () => {
  it.each<{ name: string; args: Record<string, unknown>; facts: Facts; plan: Record<string, unknown> }>([
    { name: "line and live mode right", args: slabArgs, facts: hostWith(directory("0700"), { text: `${TMPFILES_HEADER}${SLAB_LINE}\n` }), plan: { kind: "ok", reason: `${CONF} has "${SLAB_LINE}" and /sys/kernel/slab already has mode 0700, owner root, group root` } },
    { name: "the path does not exist on this kernel", args: { path: "/proc/sched_debug", mode: "0400" }, facts: { "file:/proc/sched_debug": absent, ...writeFacts(CONF, null) }, plan: { kind: "not_applicable", reason: "/proc/sched_debug does not exist on this host" } },
    { name: "no tmpfiles.d directory", args: slabArgs, facts: hostWith(directory("0700"), null, absent), plan: { kind: "fail", message: `cannot create ${CONF}: directory /etc/tmpfiles.d does not exist` } },
    { name: "a conf that is not text", args: slabArgs, facts: hostWith(directory("0700"), { bytes: Buffer.from([0xfe, 0xff]) }), plan: { kind: "fail", message: `${CONF} is not UTF-8 text: fleet will not rewrite it` } },
  ])("$name", ({ args, facts, plan }) => {
    expect(planModule(tmpfilesModule, args, facts).plan).toMatchObject(plan);
  });
});

describe("tmpfiles: arguments", () => {
  it.each<{ name: string; args: unknown; issues: string[] }>([
    { name: "nothing to set", args: { path: SLAB }, issues: ["mode: give at least one of mode, owner, group"] },
    { name: "a path with a space", args: { path: "/srv/a b", mode: "0700" }, issues: ['path: must not contain " ": tmpfiles.d would read it as a separator, escape, specifier or glob'] },
    { name: "a glob", args: { path: "/proc/*/x", mode: "0700" }, issues: ['path: must not contain "*": tmpfiles.d would read it as a separator, escape, specifier or glob'] },
    { name: "a specifier", args: { path: "/run/%u", mode: "0700" }, issues: ['path: must not contain "%": tmpfiles.d would read it as a separator, escape, specifier or glob'] },
    { name: "a conf tmpfiles would ignore", args: { path: SLAB, mode: "0700", conf: "/etc/tmpfiles.d/fleet" }, issues: ['conf: must end in .conf, or systemd-tmpfiles ignores it (got "/etc/tmpfiles.d/fleet")'] },
    { name: "unknown argument", args: { path: SLAB, mode: "0700", type: "d" }, issues: [': unknown argument "type" of tmpfiles (it takes conf, group, mode, owner, path)'] },
  ])("$name", ({ args, issues }) => {
    expect(argIssues(tmpfilesModule, args)).toEqual(issues);
  });

  it("keeps its line in /etc/tmpfiles.d/fleet.conf unless told otherwise", () => {
    expect(tmpfilesModule.args.parse(slabArgs)).toMatchObject({ conf: CONF });
    expect(planModule(tmpfilesModule, slabArgs, hostWith(directory("0700"), null)).requested).toEqual([`file:${SLAB}`, `file:${CONF}`, `file_content:${CONF}`, `file_sha256:${CONF}`, "file:/etc/tmpfiles.d", "session:"]);
  });
});

describe("tmpfiles: on this machine (with a conf in a temp directory)", () => {
  let scratch: ReturnType<typeof scratchDirectory>;
  let target: string;
  let conf: string;
  beforeEach(() => {
    scratch = scratchDirectory();
    target = join(scratch.dir, "slab");
    mkdirSync(target, { mode: 0o755 });
    chmodSync(target, 0o755);
    mkdirSync(join(scratch.dir, "tmpfiles.d"));
    conf = join(scratch.dir, "tmpfiles.d", "fleet.conf");
  });
  afterEach(() => scratch.cleanup());

  it("applies the mode now, writes the line, predicts both, and is then ok; a lost mode is applied again", () => {
    const args = { path: target, mode: "0700", owner: "root", group: "daemon", conf };
    const plan = expectChange(planHere(tmpfilesModule, args));
    expect(apply(plan)).toMatchObject({ status: 0 });
    expect(modeOwnerGroup(target)).toBe("700 root daemon");
    expect(readFileSync(conf, "utf8")).toBe(`${TMPFILES_HEADER}z ${target} 0700 root daemon -\n`);
    expectEffectsHold(plan);
    expect(planHere(tmpfilesModule, args)).toMatchObject({ kind: "ok" });

    chmodSync(target, 0o755);
    const again = expectChange(planHere(tmpfilesModule, args));
    expect(again.commands.map((command) => command.script)).toEqual([`chmod 0700 ${target}`]);
  });

  it.runIf(existsSync("/usr/bin/systemd-tmpfiles"))("systemd-tmpfiles reads the line back and restores the mode", () => {
    const args = { path: target, mode: "0710", conf };
    expect(apply(expectChange(planHere(tmpfilesModule, args)))).toMatchObject({ status: 0 });
    chmodSync(target, 0o755);
    const run = spawnSync("systemd-tmpfiles", ["--create", conf], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(modeOwnerGroup(target)).toBe("710 root root");
  });

  it.runIf(canMakeImmutable())("a conf that cannot be written leaves the old conf and no temporary file", () => {
    writeFileSync(conf, "z /elsewhere 0600 - - -\n");
    const plan = expectChange(planHere(tmpfilesModule, { path: target, mode: "0700", conf }));
    const dir = join(scratch.dir, "tmpfiles.d");
    expect(apply({ ...plan, commands: [{ script: `chattr +i '${dir}'`, description: "make the conf directory immutable" }, ...plan.commands] }).status).not.toBe(0);
    expect(readFileSync(conf, "utf8")).toBe("z /elsewhere 0600 - - -\n");
    expect(tempLeftovers(dir)).toEqual([]);
    // the live mode was applied first: a later run only has the line left to write
    spawnSync("chattr", ["-i", dir]);
    expect(expectChange(planHere(tmpfilesModule, { path: target, mode: "0700", conf })).summary).toBe(`add "z ${target} 0700 - - -" in ${conf}`);
  });
});
