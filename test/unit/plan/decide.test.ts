import { describe, expect, it } from "vitest";
import type { HostResult } from "../../../src/engine/results.js";
import { decideHosts } from "../../../src/plan/decide.js";
import type { PlanDocument } from "../../../src/plan/types.js";
import { change, host, ok, planFor, script } from "./support/results.js";

/** The plan an audit would have written for these results: each host's own changes. */
const planOf = (hosts: HostResult[]): PlanDocument =>
  planFor(hosts.map((entry) => ({ name: entry.host, cluster: entry.cluster, changes: entry.tasks.filter((task) => task.status === "changed" && task.delegatedTo === null) })));

const mask = <T,>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll("hunter2", "********")) as T;
const everything = (): boolean => true;

describe("decideHosts: apply the plan, or leave a drifted host alone", () => {
  const then = [host("a", [change(0, "write a", { "file:/a": "old" }), ok(1)]), host("b", [change(0, "write b", { "file:/b": "old" })])];
  const plan = planOf(then);

  it("applies when every planned change is planned again, from the same facts, with the same commands", () => {
    const decisions = decideHosts(plan, then, mask, everything);
    expect(decisions.map((decision) => decision.kind)).toEqual(["apply", "apply"]);
    expect(decisions[0]).toMatchObject({ kind: "apply", notInPlan: 0, changes: [{ planned: { name: "task 0" }, commands: script("write a") }] });
  });

  it("calls a host drifted when the facts behind a change differ, and names the change", () => {
    const now = [host("a", [change(0, "write a", { "file:/a": "edited by hand" }), ok(1)]), then[1] as HostResult];
    expect(decideHosts(plan, now, mask, everything)).toEqual([
      { host: "a", kind: "drifted", reason: '"task 0": the state it was planned from has changed' },
      expect.objectContaining({ host: "b", kind: "apply" }),
    ]);
  });

  it("calls a host drifted when a planned change is no longer needed", () => {
    const now = [host("a", [ok(0), ok(1)]), then[1] as HostResult];
    expect(decideHosts(plan, now, mask, everything)[0]).toEqual({ host: "a", kind: "drifted", reason: '"task 0" would now be ok: already right' });
  });

  it("calls a host drifted when the commands would differ, even from the same facts", () => {
    const now = [host("a", [change(0, "write something else", { "file:/a": "old" }), ok(1)]), then[1] as HostResult];
    expect(decideHosts(plan, now, mask, everything)[0]).toMatchObject({ kind: "drifted", reason: '"task 0": the commands it would run now differ from the plan' });
  });

  it("compares commands masked, and applies the real values", () => {
    const secretThen = [host("a", [change(0, "write hunter2", { "file:/a": "old" })])];
    const masked = planOf(secretThen.map((entry) => mask(entry)));
    const decision = decideHosts(masked, secretThen, mask, everything)[0];
    expect(masked.hosts[0]?.changes[0]?.commands).toEqual(script("write ********"));
    expect(decision).toMatchObject({ kind: "apply", changes: [{ commands: script("write hunter2") }] });
  });

  it("never applies a change the plan does not hold, and counts it", () => {
    const now = [host("a", [change(0, "write a", { "file:/a": "old" }), change(1, "new", { "file:/n": "x" })]), then[1] as HostResult];
    const decision = decideHosts(plan, now, mask, everything)[0];
    expect(decision).toMatchObject({ kind: "apply", notInPlan: 1 });
    expect(decision?.kind === "apply" ? decision.changes.map((entry) => entry.planned.task) : []).toEqual([0]);
    // audit-only tasks are not counted as changes the plan misses
    expect(decideHosts(plan, now, mask, (task) => task.task !== 1)[0]).toMatchObject({ notInPlan: 0 });
  });

  it("takes a cluster change that another member runs this time from that member", () => {
    const clusterThen = [host("m1", [change(0, "set cluster key", { "lxd:config": "unset" })], "c"), host("m2", [{ ...change(0, "set cluster key", { "lxd:config": "unset" }), delegatedTo: "m1" }], "c")];
    const clusterPlan = planOf(clusterThen);
    expect(clusterPlan.hosts.map((entry) => entry.changes.length)).toEqual([1, 0]);
    const now = [host("m1", [{ ...change(0, "set cluster key", {}), delegatedTo: "m2", factsRead: undefined }], "c"), host("m2", [change(0, "set cluster key", { "lxd:config": "unset" })], "c")];
    expect(decideHosts({ ...clusterPlan, hosts: clusterPlan.hosts.slice(0, 1) }, now, mask, everything)[0]).toMatchObject({ host: "m1", kind: "apply", changes: [{ commands: script("set cluster key") }] });
  });

  it("leaves unreachable and interrupted hosts alone", () => {
    const now = [{ ...host("a", []), status: "unreachable" as const, error: "a: connection refused" }, { ...host("b", []), interrupted: true, error: "interrupted" }];
    expect(decideHosts(plan, now, mask, everything)).toEqual([
      { host: "a", kind: "unreachable", reason: "a: connection refused" },
      { host: "b", kind: "unreachable", reason: "interrupted" },
    ]);
    expect(decideHosts(plan, [], mask, everything)[0]).toMatchObject({ kind: "unreachable" });
  });
});
