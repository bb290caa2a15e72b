import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fileContent } from "../../../src/facts/file.js";
import { keyValues, type HostCollection } from "../../../src/facts/host-collections.js";
import { fact } from "../../../src/facts/types.js";
import type { Module } from "../../../src/modules/types.js";
import { runHost, type Exec, type HostTask } from "./support/host-run-harness.js";
import { runHostWithCollections } from "./support/host-run-collections.js";
import { testModules } from "./support/test-modules.js";

/**
 * More of the per-host planner (src/engine/host-run.ts, its first half: round trips, discovery,
 * gather, plan), pinned where the mutation run found decisions no test checked.
 */

const write = (name: string, file: string, text: string, more: Partial<HostTask> = {}): HostTask => ({ name, module: "content", args: { path: `{{ root }}/${file}`, text }, ...more });
const command = (name: string, cmd: string, more: Partial<HostTask> = {}): HostTask => ({ name, module: "run", args: { cmd }, ...more });
const readOnly = (name: string, cmd: string, more: Partial<HostTask> = {}): HostTask => command(name, cmd, { changedWhen: false, ...more });
const gathers = (execs: readonly Exec[]): Exec[] => execs.filter((exec) => !exec.apply);
const becomes = (execs: readonly Exec[]): [boolean | undefined, string | undefined][] => execs.map((exec) => [exec.options.become, exec.options.becomeUser]);

describe("which exec reads what", () => {
  it("facts are read per become setting in the order the tasks ask for them, in every round trip", async () => {
    // the first task leaves the play's become; no collection is read, so no gather of the play's become comes first
    const out = await runHost([write("a", "a", "A", { become: false }), write("b", "b", "B")], { playBecome: true });
    expect(out.statuses).toEqual(["a:changed", "b:changed"]);
    expect(becomes(gathers(out.connection.execs))).toEqual([
      [false, undefined],
      [true, undefined],
      [false, undefined],
      [true, undefined],
    ]);
  });

  it("tasks that become different users read their facts in separate execs", async () => {
    const out = await runHost([write("a", "a", "A", { become: true, becomeUser: "root" }), write("b", "b", "B", { become: true, becomeUser: "nobody" })]);
    expect(becomes(gathers(out.connection.execs))).toEqual([
      [true, "root"],
      [true, "nobody"],
      [true, "root"],
      [true, "nobody"],
    ]);
  });

  it("a round trip with nothing to read counts no exec", async () => {
    const out = await runHost([{ name: "na", module: "na", args: {}, become: true }, write("a", "a", "A")], { modules: testModules });
    expect(out.statuses).toEqual(["na:skipped", "a:changed"]);
    expect(out.connection.execs).toHaveLength(3);
    expect(out.run.execs).toBe(3);
  });

  it("read-only commands after a change all run in the exec that reads the change back", async () => {
    const out = await runHost([write("a", "x", "new"), readOnly("one", "cat {{ root }}/x"), readOnly("two", "cat {{ root }}/x")]);
    expect(out.statuses).toEqual(["a:changed", "one:ok", "two:ok"]);
    expect(out.results.slice(1).map((result) => result.output?.stdout)).toEqual(["new", "new"]);
    // gather, apply, verify (with both commands)
    expect(out.connection.execs).toHaveLength(3);
  });
});

describe("registered results within one round trip", () => {
  it("a read-only command's result is known to the commands after it in the same round trip", async () => {
    const out = await runHost([readOnly("probe", "echo 5", { register: "r" }), readOnly("uses it", "echo hi", { when: ["r.rc == 0"] })]);
    expect(out.statuses).toEqual(["probe:ok", "uses it:ok"]);
    expect(out.connection.execs).toHaveLength(1);
  });

  it("a command after a change whose condition turns out false once the round trip's commands ran is skipped, not run", async () => {
    const out = await runHost([readOnly("probe", "echo 5", { register: "r" }), write("a", "a", "A"), readOnly("look", "echo ran", { when: ["r.rc == 1"] })]);
    expect(out.statuses).toEqual(["probe:ok", "a:changed", "look:skipped"]);
    expect(out.results[2]).toMatchObject({ message: "condition is false: r.rc == 1", output: null });
  });

  it("a task skipped after a change is registered at once: a command after it that tests it runs in the same round trip", async () => {
    const out = await runHost([
      readOnly("probe", "echo 5", { register: "r0" }),
      write("a", "a", "A"),
      readOnly("maybe", "echo one", { when: ["r0.rc == 1"], register: "r1" }),
      readOnly("after", "echo two", { when: ["r1 is skipped"] }),
    ]);
    expect(out.statuses).toEqual(["probe:ok", "a:changed", "maybe:skipped", "after:ok"]);
    // gather, apply, verify (which runs "after")
    expect(out.connection.execs).toHaveLength(3);
  });

  it("a change's result is registered only once it is applied: a command judged before that waits for the right result", async () => {
    // r is registered by the change, then by the command after it: "late" must see the command's result
    const out = await runHost([write("a", "a", "A", { register: "r" }), readOnly("look", "true", { register: "r" }), readOnly("late", "echo late", { when: ["r.changed"] })]);
    expect(out.statuses).toEqual(["a:changed", "look:ok", "late:skipped"]);
    expect(out.results[2]?.message).toBe("condition is false: r.changed");
  });

  it("a task that registers nothing leaves no variable behind", async () => {
    const out = await runHost([write("a", "a", "A"), write("b", "b", "{{ undefined }}", { ignoreErrors: true })]);
    expect(out.statuses).toEqual(["a:changed", "b:failed"]);
    expect(out.results[1]?.message).toBe("undefined variable undefined");
    expect(out.run.error).toBeNull();
  });

  it("a task skipped on its own earlier registered value is skipped, and registers its skip", async () => {
    const out = await runHost([
      write("a", "a", "A", { register: "wa" }),
      // waits for a's result: the next round trip
      write("again", "b", "B", { when: ["not wa.changed"], register: "wa" }),
      write("c", "c", "C", { when: ["wa is skipped"] }),
    ]);
    expect(out.statuses).toEqual(["a:changed", "again:skipped", "c:changed"]);
    expect(out.results[1]?.message).toBe("condition is false: not wa.changed");
    expect(out.run.error).toBeNull();
  });
});

describe("failures found while planning", () => {
  it("a task that cannot be planned but has ignore_errors lets the tasks after it run", async () => {
    const out = await runHost([write("a", "a", "A"), { name: "typo", module: "contnet", args: {}, ignoreErrors: true }, write("b", "b", "B")]);
    expect(out.statuses).toEqual(["a:changed", "typo:failed", "b:changed"]);
    expect(out.results[1]).toMatchObject({ message: "unknown module contnet", ignored: true });
    expect(out.run).toMatchObject({ failed: false, error: null });
    expect(existsSync(path.join(out.root, "b"))).toBe(true);
  });

  it("a condition that fails only once the round trip's command has run stops the host", async () => {
    const out = await runHost([readOnly("probe", "echo 5", { register: "r" }), write("b", "b", "B", { when: ["r.stdout > 5"] }), write("c", "c", "C")]);
    expect(out.statuses).toEqual(["probe:ok", "b:failed"]);
    expect(out.run.failed).toBe(true);
    expect(existsSync(path.join(out.root, "c"))).toBe(false);
  });

  it("a command whose output was not read fails, with why", async () => {
    const out = await runHost([readOnly("look", "echo hi")], { tamper: (_exec, run) => ({ ...run(), stdout: "", stderr: "", exitCode: 1 }) });
    expect(out.thrown).toBeUndefined();
    expect(out.statuses).toEqual(["look:failed"]);
    expect(out.results[0]?.message).toMatch(/^fact command_output:.* was not read/);
    expect(out.run.failed).toBe(true);
  });
});

describe("handlers of a host that failed", () => {
  it("an interrupt after a failed host's last task leaves it failed, not interrupted (its handlers never start)", async () => {
    let interrupted = false;
    const out = await runHost([write("a", "a", "A", { notify: ["restart"] }), { name: "boom", module: "throwing", args: {} }], {
      modules: testModules,
      handlers: [command("restart", "true")],
      interrupted: () => interrupted,
      onTaskResult: (result) => {
        if (result.name === "boom") interrupted = true;
      },
    });
    expect(out.statuses).toEqual(["a:changed", "boom:failed"]);
    expect(out.run).toMatchObject({ failed: true, interrupted: false, error: null });
  });
});

/** A collection that always reads k=v, or one whose output cannot be parsed. */
const goodCollection: HostCollection = { name: "facts.test", probe: () => "echo k=v", parse: (raw) => keyValues(raw.stdout, "facts.test") };
const badCollection: HostCollection = { name: "facts.test", probe: () => "echo garbage", parse: (raw) => keyValues(raw.stdout, "facts.test") };

describe("host collections (facts.NAME)", () => {
  it("a collection that cannot be read stops the host with why, before any task runs", async () => {
    const out = await runHostWithCollections([write("a", "a", "A", { when: ["facts.test.k == 'v'"] })], [badCollection]);
    expect(out.thrown).toBeUndefined();
    expect(out.results).toEqual([]);
    expect(out.run.failed).toBe(true);
    expect(out.run.error).toMatch(/^cannot read facts\.test: .*unexpected line "garbage"/);
    expect(existsSync(path.join(out.root, "a"))).toBe(false);
  });

  it("collections are read once: a command that makes every fact be read again does not lose them", async () => {
    const out = await runHostWithCollections([command("act", "true", { when: ["facts.test.k == 'v'"] }), write("b", "b", "B", { when: ["facts.test.k == 'v'"] })], [goodCollection]);
    expect(out.thrown).toBeUndefined();
    expect(out.statuses).toEqual(["act:changed", "b:changed"]);
    expect(out.run.error).toBeNull();
  });
});

/** Reads `path`; throws on a missing file, ok otherwise (a control that cannot judge an absent file). */
const pathOnly = z.object({ path: z.string() }).strict();
const pickyModule: Module<z.infer<typeof pathOnly>> = {
  name: "picky",
  description: "test",
  args: pathOnly,
  verifiable: true,
  facts: (args) => [fact(fileContent, args.path)],
  plan: (args, facts) => {
    if (facts.get(fact(fileContent, args.path)).state !== "file") throw new Error(`cannot judge an absent ${args.path}`);
    return { kind: "ok", reason: "judged" };
  },
};

/** Keeps `to` holding the text of `from` plus "x": its effect depends on what it read. */
const fromTo = z.object({ from: z.string(), to: z.string() }).strict();
const deriveModule: Module<z.infer<typeof fromTo>> = {
  name: "derive",
  description: "test",
  args: fromTo,
  verifiable: true,
  facts: (args) => [fact(fileContent, args.from), fact(fileContent, args.to)],
  plan: (args, facts) => {
    const from = facts.get(fact(fileContent, args.from));
    const want = `${from.state === "file" ? from.content : ""}x`;
    const to = facts.get(fact(fileContent, args.to));
    if (to.state === "file" && to.content === want) return { kind: "ok", reason: "derived" };
    return { kind: "change", summary: `derive ${args.to}`, diff: null, commands: [{ script: "true", description: "derive" }], effects: [{ request: fact(fileContent, args.to), value: { state: "file", content: want } }] };
  },
};

const auditModules: Record<string, Module<unknown>> = { picky: pickyModule as Module<unknown>, derive: deriveModule as Module<unknown> };

describe("controls judged on the host as read (check mode)", () => {
  it("a control whose facts an earlier change predicts and that cannot be judged as read is an error verdict; a task without control is not judged so", async () => {
    const out = await runHost(
      [write("a", "p", "T"), { name: "audit", module: "picky", args: { path: "{{ root }}/p" }, control: "C-1" }, { name: "plain", module: "picky", args: { path: "{{ root }}/p" } }],
      { check: true, modules: auditModules },
    );
    expect(out.thrown).toBeUndefined();
    expect(out.statuses).toEqual(["a:changed", "audit:ok", "plain:ok"]);
    expect(out.results[1]?.verdict).toEqual({ id: "C-1", status: "error", expected: null, actual: null, message: `cannot judge an absent ${path.join(out.root, "p")}` });
    expect(out.results[2]?.verdict).toBeNull();
  });

  it("judging a control on the host as read predicts nothing: later tasks plan on the round trip's own predictions", async () => {
    const out = await runHost(
      [write("a", "p", "T"), { name: "derive", module: "derive", args: { from: "{{ root }}/p", to: "{{ root }}/q" }, control: "C-2" }, write("same", "q", "Tx")],
      { check: true, modules: auditModules },
    );
    expect(out.statuses).toEqual(["a:changed", "derive:changed", "same:ok"]);
    expect(out.connection.execs.filter((exec) => exec.apply)).toEqual([]);
  });
});

// keep the import used when a test above is edited away
void readFileSync;
