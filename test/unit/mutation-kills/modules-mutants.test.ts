import { describe, expect, it } from "vitest";
import type { FileStat } from "../../../src/facts/file.js";
import { copyModule } from "../../../src/modules/copy.js";
import { fileModule } from "../../../src/modules/file.js";
import { lineinfileModule } from "../../../src/modules/lineinfile.js";
import { lxdConfigModule } from "../../../src/modules/lxd-config.js";
import { sysctlModule } from "../../../src/modules/sysctl.js";
import type { Module } from "../../../src/modules/types.js";
import { planModule } from "../../support/plan-module.js";

/**
 * The core modules' arguments and plans, pinned where the mutation run (test/mutation/) found them
 * unguarded: what a refused argument says, that the engine verifies every change they make, and
 * the expected/actual a compliance report shows for a removal.
 */

type AnyModule = Module<unknown>;
const any = <Args,>(module: Module<Args>): AnyModule => module as unknown as AnyModule;

const issuesOf = <Args,>(module: Module<Args>, raw: unknown): string[] => {
  const result = module.args.safeParse(raw);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
};

describe("every core module's changes are verified by reading the host again", () => {
  it.each([
    ["copy", copyModule],
    ["file", fileModule],
    ["lineinfile", lineinfileModule],
    ["sysctl", sysctlModule],
    ["lxd_config", lxdConfigModule],
  ].map(([name, module]) => [name, any(module as Module<never>)] as [string, AnyModule]))("%s", (name, module) => {
    expect(module.name).toBe(name);
    expect(module.verifiable).toBe(true);
  });
});

describe("refused arguments say what is wrong", () => {
  it.each<[string, AnyModule, Record<string, unknown>, string[]]>([
    ["copy: content and src", any(copyModule), { dest: "/etc/x", content: "a", src: "a" }, ["src: give either content or src, not both"]],
    ["copy: src alone", any(copyModule), { dest: "/etc/x", src: "a" }, ["src: copy does not read src files yet: put the text in content, or use the template module (src under templates/)"]],
    ["copy: neither", any(copyModule), { dest: "/etc/x" }, ["content: content is required (the text dest must hold)"]],
    ["file: attributes with absent", any(fileModule), { path: "/etc/x", state: "absent", mode: "0600" }, ["mode: mode makes no sense with state: absent"]],
    ["file: remove /", any(fileModule), { path: "/", state: "absent" }, ["path: refusing to remove /"]],
    ["file: nothing to do", any(fileModule), { path: "/etc/x" }, ["state: give a state or at least one of mode, owner, group"]],
    ["lineinfile: empty regexp", any(lineinfileModule), { path: "/etc/x", line: "a", regexp: "" }, ['regexp: an empty regexp matches every line: write "^" if that is meant']],
    ["lineinfile: no line", any(lineinfileModule), { path: "/etc/x" }, ["line: line is required with state: present"]],
    ["lineinfile: absent without line or regexp", any(lineinfileModule), { path: "/etc/x", state: "absent" }, ["regexp: give line or regexp with state: absent"]],
    ["lineinfile: create with absent", any(lineinfileModule), { path: "/etc/x", state: "absent", line: "a", create: true }, ["create: create makes no sense with state: absent"]],
    ["sysctl: bad key", any(sysctlModule), { name: "kernel dmesg", value: 1 }, ["name: expected a sysctl key such as kernel.dmesg_restrict"]],
    ["sysctl: empty value", any(sysctlModule), { name: "kernel.x", value: "  " }, ["value: must not be empty"]],
    ["sysctl: two lines", any(sysctlModule), { name: "kernel.x", value: "1\n2" }, ["value: must be one line"]],
    ["sysctl: relative file", any(sysctlModule), { name: "kernel.x", value: 1, file: "sysctl.conf" }, ["file: expected an absolute file path"]],
  ])("%s", (_name, module, raw, expected) => {
    expect(issuesOf(module, raw)).toEqual(expected);
  });

  it("lineinfile: a regexp JavaScript cannot compile names the engine's complaint", () => {
    const [issue] = issuesOf(lineinfileModule, { path: "/etc/x", line: "a", regexp: "(" });
    expect(issue).toMatch(/^regexp: is not a valid regular expression \(JavaScript syntax\): .+/);
  });

  it("lineinfile: a line without a regexp is valid with state: absent, and so is a regexp without a line", () => {
    expect(issuesOf(lineinfileModule, { path: "/etc/x", state: "absent", line: "a" })).toEqual([]);
    expect(issuesOf(lineinfileModule, { path: "/etc/x", state: "absent", regexp: "^a" })).toEqual([]);
  });
});

describe("file: removing a path", () => {
  const stat = (value: FileStat) => ({ "file:/srv/x": value });

  it.each<[string, FileStat, string]>([
    ["a directory, and everything in it", { exists: true, type: "directory", mode: "0755", owner: "root", group: "root", size: 4096 }, "remove the directory /srv/x and everything in it"],
    ["a file", { exists: true, type: "file", mode: "0644", owner: "root", group: "root", size: 1 }, "remove /srv/x"],
  ])("%s: says what it removes, and reports absent as expected", (_name, value, description) => {
    const { plan } = planModule(fileModule, { path: "/srv/x", state: "absent" }, stat(value));
    expect(plan).toMatchObject({
      kind: "change",
      diff: { before: `state: ${value.exists ? value.type : ""}\n`, after: "state: absent\n" },
      commands: [{ script: "rm -rf /srv/x", description }],
      expected: "absent",
      actual: value.exists ? value.type : "",
    });
  });

  it("a path already absent is ok, and reports absent", () => {
    expect(planModule(fileModule, { path: "/srv/x", state: "absent" }, stat({ exists: false })).plan).toEqual({ kind: "ok", reason: "/srv/x is already absent", actual: "absent" });
  });

  it("creating a directory reports it was absent, and what it makes", () => {
    const facts = { "file:/srv/x": { exists: false }, "file:/srv": { exists: true, type: "directory", mode: "0755", owner: "root", group: "root", size: 4096 }, "session:": { user: "root", group: "root", umask: "0022" } };
    const { plan } = planModule(fileModule, { path: "/srv/x", state: "directory" }, facts);
    expect(plan).toMatchObject({ kind: "change", actual: "absent", expected: "directory", commands: [{ script: "mkdir -p /srv/x", description: "create the directory /srv/x (and missing parents)" }] });
  });
});
