import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Coordinator } from "../../../src/engine/coordinator.js";
import type { Module } from "../../../src/modules/types.js";
import { TransportError } from "../../../src/transport/errors.js";
import { newRoot, runHost, type Exec, type HostTask } from "./support/host-run-harness.js";
import { testModules } from "./support/test-modules.js";

/**
 * The apply step of src/engine/host-run.ts and the helpers after it (verify, cut-short applies,
 * command results, timeouts, grouping of changes into execs), pinned where the mutation run found
 * decisions no unit test checked.
 */

const write = (name: string, file: string, text: string, more: Partial<HostTask> = {}): HostTask => ({ name, module: "content", args: { path: `{{ root }}/${file}`, text }, ...more });
const command = (name: string, cmd: string, more: Partial<HostTask> = {}): HostTask => ({ name, module: "run", args: { cmd }, ...more });
const readOnly = (name: string, cmd: string, more: Partial<HostTask> = {}): HostTask => command(name, cmd, { changedWhen: false, ...more });
const applies = (execs: readonly Exec[]): Exec[] => execs.filter((exec) => exec.apply);
const sections = (exec: Exec): number => exec.stdin.match(/^\(\n/gm)?.length ?? 0;

const none = z.object({}).strict();
/** A verifiable change whose script fails after saying three things on stderr. */
const noisyModule: Module<z.infer<typeof none>> = {
  name: "noisy",
  description: "test",
  args: none,
  verifiable: true,
  facts: () => [],
  plan: () => ({ kind: "change", summary: "make noise", diff: null, commands: [{ script: "echo one >&2; echo two >&2; echo three >&2; exit 1", description: "noise" }], effects: [] }),
};

describe("read-only commands and their result", () => {
  it("a read-only command whose probe did not come back fails the task, saying it was not read", async () => {
    const out = await runHost([readOnly("look", "echo hi")], { tamper: (exec, run) => (exec.apply ? run() : { ...run(), stdout: "", stderr: "" }) });
    expect(out.results).toHaveLength(1);
    expect(out.results[0]?.status).toBe("failed");
    expect(out.results[0]?.message).toMatch(/^fact command_output:.* was not read/);
    expect(out.run.failed).toBe(true);
  });

  it("a read-only command is not an action: result.changed is false for its failed_when", async () => {
    const out = await runHost([readOnly("look", "true", { failedWhen: ["result.changed"] })]);
    expect(out.statuses).toEqual(["look:ok"]);
  });

  it("a command without register binds only `result` for its conditions, no stray name", async () => {
    const out = await runHost([readOnly("look", "true", { failedWhen: ["undefined is defined"] }), command("act", "true", { failedWhen: ["undefined is defined"] })]);
    expect(out.statuses).toEqual(["look:ok", "act:changed"]);
  });
});

describe("timeouts: what says a task timed out", () => {
  it.each([
    ["exit 137 under its timeout (KILL after the grace)", "exit 137", 7, "timed out after 7 s (the task's timeout); killed"],
    ["exit 124 without a timeout is only an exit status", "exit 124", undefined, "exit 124"],
    ["another exit under a timeout is not a timeout", "echo nope >&2; exit 3", 7, "nope"],
  ])("%s", async (_name, cmd, timeoutSeconds, message) => {
    const out = await runHost([readOnly("c", cmd, { ignoreErrors: true, ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }) })]);
    expect(out.results[0]).toMatchObject({ status: "failed", message });
  });
});

describe("the apply step", () => {
  it("a failed change says the last two lines of its stderr, trimmed, joined by ' / '", async () => {
    const out = await runHost([{ name: "n", module: "noisy", args: {} }], { modules: { noisy: noisyModule as unknown as Module<unknown> } });
    expect(out.results[0]).toMatchObject({ status: "failed", message: "make noise: failed: two / three" });
  });

  it("a change that succeeds under ignore_errors is not marked ignored", async () => {
    const out = await runHost([write("a", "a", "A", { ignoreErrors: true })]);
    expect(out.results[0]).toMatchObject({ status: "changed", ignored: false });
  });

  it("a hard failure after changes reports the host failed once", async () => {
    const out = await runHost([write("a", "a", "A"), { name: "boom", module: "throwing", args: {} }], { modules: testModules });
    expect(out.statuses).toEqual(["a:changed", "boom:failed"]);
    expect(out.run.failed).toBe(true);
    expect(out.hostFailedCalls).toBe(1);
  });

  it("a failed change drops the read-only commands after it: they are neither run nor recorded", async () => {
    const out = await runHost([write("bad", "missing/dir/x", "x"), readOnly("look", "true")]);
    expect(out.thrown).toBeUndefined();
    expect(out.statuses).toEqual(["bad:failed"]);
    expect(out.run.failed).toBe(true);
    // the first read and the apply: no exec to verify or to run the command
    expect(out.connection.execs.map((exec) => exec.apply)).toEqual([false, true]);
  });

  it("a task with failed_when ends its apply script: the change after it goes in the next exec", async () => {
    const out = await runHost([write("a", "a", "A", { failedWhen: ["1 == 2"] }), write("b", "b", "B"), write("c", "c", "C")]);
    expect(out.statuses).toEqual(["a:changed", "b:changed", "c:changed"]);
    expect(applies(out.connection.execs).map(sections)).toEqual([1, 2]);
  });

  it("changes with different become users go in execs of their own, each with its user", async () => {
    const out = await runHost([write("a", "a", "A", { becomeUser: "alice" }), write("b", "b", "B", { becomeUser: "bob" })]);
    expect(out.statuses).toEqual(["a:changed", "b:changed"]);
    expect(applies(out.connection.execs).map((exec) => [sections(exec), exec.options.becomeUser])).toEqual([
      [1, "alice"],
      [1, "bob"],
    ]);
  });
});

describe("what a round trip keeps knowing after an apply", () => {
  it("a verifiable change forgets only the facts it touched: a file read before it is not read again", async () => {
    const root = newRoot();
    writeFileSync(path.join(root, "x"), "X");
    const out = await runHost([write("x ok", "x", "X"), write("y", "y", "Y"), readOnly("look", "true"), write("x again", "x", "X")], { root });
    expect(out.statuses).toEqual(["x ok:ok", "y:changed", "look:ok", "x again:ok"]);
    // read, apply, read back with the command; "x again" is planned on what was read
    expect(out.connection.execs.map((exec) => exec.apply)).toEqual([false, true, false]);
  });

  it("a change that failed (ignored) applied nothing: what was read stays known", async () => {
    const root = newRoot();
    writeFileSync(path.join(root, "x"), "X");
    const out = await runHost([write("x ok", "x", "X"), write("bad", "missing/dir/b", "B", { ignoreErrors: true }), readOnly("look", "true"), write("x again", "x", "X")], { root });
    expect(out.statuses).toEqual(["x ok:ok", "bad:failed", "look:ok", "x again:ok"]);
    expect(out.connection.execs.map((exec) => exec.apply)).toEqual([false, true, false]);
  });

  it("a connection that breaks while reading the changes back makes the host unreachable, not interrupted", async () => {
    let applied = false;
    const out = await runHost([write("a", "a", "A"), readOnly("look", "true")], {
      tamper: (exec, run) => {
        if (exec.apply) applied = true;
        else if (applied) throw new TransportError("connection-lost", "h1", "read ECONNRESET");
        return run();
      },
    });
    expect(readFileSync(path.join(out.root, "a"), "utf8")).toBe("A");
    expect(out.run).toMatchObject({ failed: true, unreachable: true, interrupted: false, error: "h1: read ECONNRESET" });
  });
});

describe("an apply cut short by a host that stops answering", () => {
  it("a change whose section ended is recorded unverified because the host stopped answering, with its output", async () => {
    const out = await runHost([write("t1", "a", "A", { timeoutSeconds: 10 })], { tamper: (exec, run) => (exec.apply ? { ...run(), exitCode: null, timedOut: true, killUnanswered: true } : run()) });
    expect(out.statuses).toEqual(["t1:changed"]);
    expect(out.results[0]?.message).toBe(`write ${path.join(out.root, "a")} (not verified: the host stopped answering)`);
    expect(out.results[0]?.output).toEqual({ rc: 0, stdout: "", stderr: "" });
    expect(out.run).toMatchObject({ failed: true, unreachable: true, interrupted: false });
    expect(out.run.error).toBe("h1: stopped answering: no answer within the tasks' timeout (10 s + 5 s grace)");
    expect(existsSync(path.join(out.root, "a"))).toBe(true);
  });
});

describe("what the planner reports", () => {
  it("arguments with several problems name each, separated by '; '", async () => {
    const out = await runHost([{ name: "bad", module: "content", args: {} }]);
    expect(out.results[0]?.status).toBe("failed");
    expect(out.results[0]?.message).toMatch(/^content: content\.path: [^;]+; content\.text: [^;]+$/);
  });

  it("an audit-only task whose state is already right is ok, not a finding", async () => {
    const root = newRoot();
    writeFileSync(path.join(root, "a"), "A");
    const out = await runHost([write("audit", "a", "A", { checkMode: true })], { root });
    expect(out.results[0]).toMatchObject({ status: "ok", message: `${path.join(root, "a")} has the text` });
  });

  it("a cluster task is claimed per cluster: a member of another cluster runs it itself", async () => {
    const coordinator = new Coordinator();
    const task = [command("per cluster", "echo {{ inventory_hostname }}", { scope: "cluster" })];
    const a = await runHost(task, { coordinator, host: "a1", cluster: "A" });
    const b = await runHost(task, { coordinator, host: "b1", cluster: "B" });
    expect([a, b].map((out) => [out.results[0]?.output?.stdout, out.results[0]?.delegatedTo])).toEqual([
      ["a1\n", null],
      ["b1\n", null],
    ]);
  });
});
