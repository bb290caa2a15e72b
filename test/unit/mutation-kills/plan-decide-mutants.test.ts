import { describe, expect, it } from "vitest";
import { decideHosts } from "../../../src/plan/decide.js";
import type { PlanDocument } from "../../../src/plan/types.js";
import { change, host, ok, planFor } from "../plan/support/results.js";

/**
 * decideHosts is the gate of `fleet apply`: a host whose state moved since the reviewed plan must
 * be left alone. These tests pin the cases the mutation run found unguarded (test/mutation/).
 */

const same = <T,>(value: T): T => value;
const everything = (): boolean => true;
const commandsOf = (decision: ReturnType<typeof decideHosts>[number] | undefined): string[] => (decision?.kind === "apply" ? decision.changes.flatMap((entry) => entry.commands.map((command) => command.script)) : []);

describe("decideHosts: hosts that cannot be judged", () => {
  const plan = planFor([{ name: "a", changes: [change(0, "write a", { f: "old" })] }]);

  it("a host the check pass did not reach is unreachable, with the reason saying so", () => {
    expect(decideHosts(plan, [], same, everything)).toEqual([{ host: "a", kind: "unreachable", reason: "not reached (not selected, or the run was interrupted)" }]);
  });

  it("an unreachable or interrupted host without an error message still gets a reason", () => {
    expect(decideHosts(plan, [host("a", [], null, { status: "unreachable", error: null })], same, everything)).toEqual([{ host: "a", kind: "unreachable", reason: "unreachable" }]);
    expect(decideHosts(plan, [host("a", [], null, { interrupted: true, error: null })], same, everything)).toEqual([{ host: "a", kind: "unreachable", reason: "the run was interrupted" }]);
  });
});

describe("decideHosts: drift", () => {
  it("a planned change whose task did not run this time is drift, not an apply of nothing", () => {
    const plan = planFor([{ name: "a", changes: [change(0, "write a", { f: "old" }), change(1, "write b", { g: "old" })] }]);
    const decision = decideHosts(plan, [host("a", [change(0, "write a", { f: "old" })])], same, everything)[0];
    expect(decision).toEqual({ host: "a", kind: "drifted", reason: '"task 1" was not planned again (the task did not run)' });
  });

  it("a change that would now be skipped without a message names only the status", () => {
    const plan = planFor([{ name: "a", changes: [change(0, "write a", { f: "old" })] }]);
    const decision = decideHosts(plan, [host("a", [ok(0, { status: "skipped", message: "" })])], same, everything)[0];
    expect(decision).toEqual({ host: "a", kind: "drifted", reason: '"task 0" would now be skipped' });
  });

  it("a plan whose host fingerprint does not match the changes' digests is drift (a second look at the whole state)", () => {
    const plan = planFor([{ name: "a", changes: [change(0, "write a", { f: "old" })] }]);
    const tampered: PlanDocument = { ...plan, hosts: plan.hosts.map((entry) => ({ ...entry, fingerprint: "0".repeat(64) })) };
    const now = [host("a", [change(0, "write a", { f: "old" })])];
    expect(decideHosts(plan, now, same, everything)[0]?.kind).toBe("apply");
    expect(decideHosts(tampered, now, same, everything)[0]).toEqual({ host: "a", kind: "drifted", reason: "the host's state differs from the plan's fingerprint" });
  });

  it("compares each planned change with the same task now, wherever it is in the host's list", () => {
    const plan = planFor([{ name: "a", changes: [change(1, "write b", { g: "old" })] }]);
    const decision = decideHosts(plan, [host("a", [ok(0), change(1, "write b", { g: "old" })])], same, everything)[0];
    expect(decision).toMatchObject({ kind: "apply", notInPlan: 0 });
    expect(commandsOf(decision)).toEqual(["write b"]);
  });
});

describe("decideHosts: a change run by another member this time", () => {
  it("a host that ran the task itself is judged on its own result, not on another host's", () => {
    // both members ran the task themselves (e.g. different run_once batches): each is its own judge
    const m1 = host("m1", [change(0, "m1 command", { f: "m1" })], "c");
    const m2 = host("m2", [change(0, "m2 command", { f: "m2" })], "c");
    const plan = planFor([{ name: "m2", cluster: "c", changes: [change(0, "m2 command", { f: "m2" })] }]);
    const decision = decideHosts(plan, [m1, m2], same, everything)[0];
    expect(decision).toMatchObject({ host: "m2", kind: "apply" });
    expect(commandsOf(decision)).toEqual(["m2 command"]);
  });

  it("a delegated result is taken from a member of the host's own cluster before any other host", () => {
    // x (another cluster) also ran a task 0 of its own; m1's counterpart is m2's, its cluster peer
    const x = host("x", [change(0, "x command", { f: "x" })], "d");
    const m2 = host("m2", [change(0, "cluster command", { f: "cluster" })], "c");
    const m1 = host("m1", [change(0, "cluster command", {}, { delegatedTo: "m2", factsRead: undefined })], "c");
    const plan = planFor([{ name: "m1", cluster: "c", changes: [change(0, "cluster command", { f: "cluster" })] }]);
    const decision = decideHosts(plan, [x, m2, m1], same, everything)[0];
    expect(decision).toMatchObject({ host: "m1", kind: "apply" });
    expect(commandsOf(decision)).toEqual(["cluster command"]);
  });

  it("a host outside any cluster takes the first host (in run order) that ran the task itself", () => {
    const x = host("x", [change(0, "x command", { f: "x" })], "d");
    const y = host("y", [change(0, "y command", { f: "y" })], null);
    const solo = host("solo", [change(0, "", {}, { delegatedTo: "x", factsRead: undefined })], null);
    const fromX = planFor([{ name: "solo", changes: [change(0, "x command", { f: "x" })] }]);
    expect(commandsOf(decideHosts(fromX, [x, solo, y], same, everything)[0])).toEqual(["x command"]);
  });

  it("only the same task of the other member counts, not its first task", () => {
    const m2 = host("m2", [ok(5), change(0, "cluster command", { f: "cluster" })], "c");
    const m1 = host("m1", [change(0, "cluster command", {}, { delegatedTo: "m2", factsRead: undefined })], "c");
    const plan = planFor([{ name: "m1", cluster: "c", changes: [change(0, "cluster command", { f: "cluster" })] }]);
    const decision = decideHosts(plan, [m2, m1], same, everything)[0];
    expect(decision).toMatchObject({ host: "m1", kind: "apply" });
    expect(commandsOf(decision)).toEqual(["cluster command"]);
  });
});
