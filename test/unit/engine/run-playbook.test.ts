import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { localFleet, playbookOf, runEngine, statuses } from "./playbook-harness.js";

const write = (file: string, text: string) => ({ module: "content" as const, args: { path: `{{ root }}/${file}`, text } });

describe("engine: round trips, idempotence, check mode", () => {
  it("applies changes, proves them, and a second run changes nothing", async () => {
    const fleet = localFleet(2);
    const playbook = playbookOf([{ name: "a", ...write("a.conf", "A\n") }, { name: "b", ...write("b.conf", "B\n") }]);
    const first = await runEngine(fleet, playbook);
    expect(statuses(first.byHost["h1"])).toEqual(["a:changed", "b:changed"]);
    expect(statuses(first.byHost["h2"])).toEqual(["a:changed", "b:changed"]);
    expect(readFileSync(path.join(fleet.roots["h1"] as string, "a.conf"), "utf8")).toBe("A\n");
    // gather, apply, verify: three execs however many tasks
    expect(first.byHost["h1"]?.execs).toBe(3);
    const second = await runEngine(fleet, playbook);
    expect(statuses(second.byHost["h1"])).toEqual(["a:ok", "b:ok"]);
    expect(second.byHost["h1"]?.execs).toBe(1);
    expect(second.hosts.every((host) => host.status === "ok")).toBe(true);
  });

  it("check mode changes nothing and says what would change", async () => {
    const fleet = localFleet(1);
    const playbook = playbookOf([write("a.conf", "A\n")]);
    const check = await runEngine(fleet, playbook, { check: true });
    expect(check.byHost["h1"]?.tasks[0]?.status).toBe("changed");
    expect(check.byHost["h1"]?.tasks[0]?.diff).toEqual({ before: "", after: "A\n" });
    expect(existsSync(path.join(fleet.roots["h1"] as string, "a.conf"))).toBe(false);
    expect(check.byHost["h1"]?.execs).toBe(1);
  });

  it("later tasks plan against what earlier ones will do: check's verdicts equal the run's", async () => {
    const fleet = localFleet(1);
    const playbook = playbookOf([
      { name: "first", ...write("x", "one\n") },
      { name: "again", ...write("x", "one\n") },
      { name: "other", ...write("x", "two\n") },
      { name: "back", ...write("x", "one\n") },
    ]);
    const check = await runEngine(fleet, playbook, { check: true });
    // "other" is undone by "back": not idempotent, which check mode finds as the run does
    expect(statuses(check.byHost["h1"])).toEqual(["first:changed", "again:ok", "other:failed", "back:changed"]);
    expect(check.byHost["h1"]?.tasks[2]?.message).toBe("not idempotent: after the tasks that follow it, the task still finds: write " + path.join(fleet.roots["h1"] as string, "x"));
    const run = await runEngine(fleet, playbook);
    expect(statuses(run.byHost["h1"])).toEqual(statuses(check.byHost["h1"]));
    expect(run.byHost["h1"]?.tasks[2]?.message).toMatch(/^not idempotent: after applying, /);
  });

  it("verifies changes: a change that does not hold fails the task as not idempotent", async () => {
    const fleet = localFleet(1);
    const run = await runEngine(fleet, playbookOf([{ name: "unsettable", module: "never", args: {} }, { name: "after", ...write("after", "a\n") }]));
    const result = run.byHost["h1"]?.tasks[0];
    expect(result?.status).toBe("failed");
    expect(result?.message).toBe("not idempotent: after applying, the task still finds: set the unsettable");
    expect(run.byHost["h1"]?.status).toBe("failed");
  });

  it("never replaces something that is not a regular file", async () => {
    const fleet = localFleet(1);
    const root = fleet.roots["h1"] as string;
    const run = await runEngine(fleet, playbookOf([{ name: "onto a dir", module: "content", args: { path: root, text: "x\n" } }]));
    expect(run.byHost["h1"]?.tasks[0]?.status).toBe("failed");
    expect(run.byHost["h1"]?.tasks[0]?.message).toMatch(/is not a regular file; not replacing it/);
  });
});

describe("engine: registered results and conditions", () => {
  it("a read-only command runs in check mode too and its result drives a later when", async () => {
    const fleet = localFleet(2, {}, { h1: { flavour: "yes" }, h2: { flavour: "no" } });
    const playbook = playbookOf([
      { name: "probe", module: "run", args: { cmd: "echo {{ flavour }}" }, changedWhen: false, register: "probe" },
      { name: "only yes", ...write("yes", "y\n"), when: ["probe.stdout == 'yes\\n'"] },
    ]);
    const check = await runEngine(fleet, playbook, { check: true });
    expect(statuses(check.byHost["h1"])).toEqual(["probe:ok", "only yes:changed"]);
    expect(statuses(check.byHost["h2"])).toEqual(["probe:ok", "only yes:skipped"]);
    expect(check.byHost["h1"]?.tasks[0]?.output?.stdout).toBe("yes\n");
    // the condition waits only for the gather that runs the probe: one round trip
    expect(check.byHost["h1"]?.execs).toBe(1);
  });

  it("a when on the result of a change waits for the apply: a new round trip", async () => {
    const fleet = localFleet(1);
    const playbook = playbookOf([
      { name: "make", ...write("m", "m\n"), register: "made" },
      { name: "after", ...write("after", "a\n"), when: ["made is changed"] },
    ]);
    const run = await runEngine(fleet, playbook);
    expect(statuses(run.byHost["h1"])).toEqual(["make:changed", "after:changed"]);
    expect(existsSync(path.join(fleet.roots["h1"] as string, "after"))).toBe(true);
    const again = await runEngine(fleet, playbook);
    expect(statuses(again.byHost["h1"])).toEqual(["make:ok", "after:skipped"]);
  });

  it("changed_when and failed_when judge a command's result", async () => {
    const fleet = localFleet(1);
    const playbook = playbookOf([
      { name: "quiet", module: "run", args: { cmd: "echo same" }, changedWhen: ["'changed' in result.stdout"] },
      { name: "grep fails", module: "run", args: { cmd: "echo ERROR" }, failedWhen: ["'ERROR' in result.stdout"], ignoreErrors: true },
      { name: "still runs", ...write("z", "z\n") },
    ]);
    const run = await runEngine(fleet, playbook);
    expect(statuses(run.byHost["h1"])).toEqual(["quiet:ok", "grep fails:failed", "still runs:changed"]);
    expect(run.byHost["h1"]?.tasks[1]?.ignored).toBe(true);
    expect(run.byHost["h1"]?.status).toBe("changed");
  });
});

describe("engine: failures, handlers, batches, claims", () => {
  it("a failing task stops its host; the other hosts go on", async () => {
    const fleet = localFleet(2, {}, { h2: { sub: "missing-dir/" } , h1: { sub: "" } });
    const playbook = playbookOf([
      { name: "one", module: "content", args: { path: "{{ root }}/{{ sub }}one", text: "1\n" } },
      { name: "two", ...write("two", "2\n") },
    ]);
    const run = await runEngine(fleet, playbook);
    expect(statuses(run.byHost["h1"])).toEqual(["one:changed", "two:changed"]);
    expect(statuses(run.byHost["h2"])).toEqual(["one:failed"]);
    expect(run.byHost["h2"]?.status).toBe("failed");
    expect(existsSync(path.join(fleet.roots["h2"] as string, "two"))).toBe(false);
  });

  it("handlers run once at the end, only when notified by a change", async () => {
    const fleet = localFleet(1);
    const playbook = playbookOf(
      [
        { name: "a", ...write("a", "a\n"), notify: ["count"] },
        { name: "b", ...write("b", "b\n"), notify: ["count"] },
      ],
      { handlers: [{ name: "count", module: "run", args: { cmd: "echo x >> {{ root }}/handler.log" } }] },
    );
    const run = await runEngine(fleet, playbook);
    expect(statuses(run.byHost["h1"])).toEqual(["a:changed", "b:changed", "count:changed"]);
    expect(run.byHost["h1"]?.tasks[2]?.handler).toBe(true);
    const again = await runEngine(fleet, playbook);
    expect(statuses(again.byHost["h1"])).toEqual(["a:ok", "b:ok"]);
    expect(readFileSync(path.join(fleet.roots["h1"] as string, "handler.log"), "utf8")).toBe("x\n");
  });

  it("serial batches run one after the other", async () => {
    const fleet = localFleet(4);
    const playbook = playbookOf([{ module: "run", args: { cmd: "sleep 0.2" } }], { serial: { count: 2 } });
    const run = await runEngine(fleet, playbook);
    expect(run.order.slice(0, 2).sort()).toEqual(["h1", "h2"]);
    expect(run.order.slice(2).sort()).toEqual(["h3", "h4"]);
  });

  it("a cluster-scoped task runs once per cluster and its result stands for every member", async () => {
    const fleet = localFleet(3, { h1: "c1", h2: "c1" });
    const playbook = playbookOf([{ name: "once", module: "run", args: { cmd: "echo x >> {{ shared }}/cluster.log" }, scope: "cluster", control: "LXD-T-01" }]);
    const run = await runEngine(fleet, playbook);
    const log = readFileSync(path.join(fleet.shared, "cluster.log"), "utf8");
    // once for c1, once for the standalone h3
    expect(log).toBe("x\nx\n");
    const c1 = [run.byHost["h1"]?.tasks[0], run.byHost["h2"]?.tasks[0]];
    expect(c1.map((result) => result?.status)).toEqual(["changed", "changed"]);
    expect(c1.filter((result) => result?.delegatedTo !== null)).toHaveLength(1);
  });

  it("run_once runs on one host of the batch", async () => {
    const fleet = localFleet(3);
    const playbook = playbookOf([{ module: "run", args: { cmd: "echo x >> {{ shared }}/once.log" }, runOnce: true }]);
    await runEngine(fleet, playbook);
    expect(readFileSync(path.join(fleet.shared, "once.log"), "utf8")).toBe("x\n");
  });

  it("any_errors_fatal stops the other hosts before their next round trip", async () => {
    const fleet = localFleet(2, {}, { h1: { fail: "1", delay: "0" }, h2: { fail: "0", delay: "0.5" } });
    const playbook = playbookOf(
      [
        { name: "maybe fail", module: "run", args: { cmd: "sleep {{ delay }}; exit {{ fail }}" }, register: "r" },
        { name: "later", ...write("later", "l\n"), when: ["r is defined"] },
      ],
      { anyErrorsFatal: true },
    );
    const run = await runEngine(fleet, playbook);
    expect(run.byHost["h1"]?.status).toBe("failed");
    expect(statuses(run.byHost["h2"])).toEqual(["maybe fail:changed"]);
  });
});

describe("engine: audit-only tasks", () => {
  it("check_mode: true in a run reports what it would change as a finding, never as changed", async () => {
    const fleet = localFleet(1);
    const playbook = playbookOf([{ name: "audit only", ...write("a", "A\n"), checkMode: true, control: "C-1" }, { name: "next", ...write("b", "B\n") }]);
    const run = await runEngine(fleet, playbook);
    const [audit, next] = run.byHost["h1"]?.tasks ?? [];
    expect(audit?.status).toBe("failed");
    expect(audit?.message).toBe(`not changed (audit only): would write ${path.join(fleet.roots["h1"] as string, "a")}`);
    expect(audit?.verdict).toMatchObject({ id: "C-1", status: "fail", expected: "A\n", actual: "(absent)" });
    expect(next?.status).toBe("changed");
    expect(existsSync(path.join(fleet.roots["h1"] as string, "a"))).toBe(false);
    const check = await runEngine(fleet, playbook, { check: true });
    expect(check.byHost["h1"]?.tasks[0]?.status).toBe("changed");
    expect(check.byHost["h1"]?.tasks[0]?.verdict?.status).toBe("fail");
  });
});

describe("engine: claims of skipped tasks", () => {
  it("a cluster-scoped task skipped by its condition is skipped for every member, not left unsettled", async () => {
    const fleet = localFleet(2, { h1: "c1", h2: "c1" });
    const playbook = playbookOf([{ name: "never", module: "run", args: { cmd: "true" }, scope: "cluster", when: ["false"], control: "C-9" }]);
    const run = await runEngine(fleet, playbook);
    expect([statuses(run.byHost["h1"]), statuses(run.byHost["h2"])]).toEqual([["never:skipped"], ["never:skipped"]]);
    expect(run.hosts.map((host) => host.tasks[0]?.verdict?.status)).toEqual(["not_applicable", "not_applicable"]);
  });
});

describe("engine: audit verdicts", () => {
  it("judge a control on the host as it is, even when an earlier change would fix it", async () => {
    const fleet = localFleet(1);
    const playbook = playbookOf([{ name: "fix", ...write("a", "A\n") }, { name: "control", ...write("a", "A\n"), control: "C-1" }]);
    const audit = await runEngine(fleet, playbook, { check: true });
    const control = audit.byHost["h1"]?.tasks[1];
    // the task would change nothing after "fix" (check = run), but the control fails today
    expect(control?.status).toBe("ok");
    expect(control?.verdict).toMatchObject({ id: "C-1", status: "fail", actual: "(absent)", expected: "A\n" });
    const run = await runEngine(fleet, playbook);
    expect(run.byHost["h1"]?.tasks[1]?.verdict?.status).toBe("pass");
  });
});

describe("engine: facts in the first task", () => {
  it("a first task whose condition and arguments read facts waits for the first gather", async () => {
    const { taskScope } = await import("../../../src/engine/scope.js");
    const { PendingValue } = await import("../../../src/engine/pending.js");
    const { evaluateCondition, parseExpression, scopeOf } = await import("../../../src/playbook/expression/index.js");
    const scope = taskScope({ hostVars: {}, play: { defaults: {}, vars: {}, varsFiles: [], location: { file: "p.yml" } }, registered: new Map(), extraVars: {}, facts: undefined });
    for (const source of ["facts.lxd.installed", "facts.kernel is defined", "'x' in facts"]) {
      expect(() => evaluateCondition(parseExpression(source), scopeOf(scope)), source).toThrow(PendingValue);
    }
  });
});

describe("engine: a first task that needs facts for its arguments", () => {
  it("reads the facts in one round trip and runs the task in the next", async () => {
    const { HOST_COLLECTIONS } = await import("../../../src/facts/host-collections.js");
    expect(HOST_COLLECTIONS.has("kernel")).toBe(true);
    const fleet = localFleet(1);
    const run = await runEngine(fleet, playbookOf([{ name: "kernel file", module: "content", args: { path: "{{ root }}/k", text: "{{ facts.kernel.machine }}\n" }, when: ["facts.kernel.release | length > 0"] }]));
    expect(statuses(run.byHost["h1"])).toEqual(["kernel file:changed"]);
    expect(run.byHost["h1"]?.error).toBeNull();
  });
});

describe("engine: one probe per fact and exec", () => {
  it("asks the host for a fact once, however many tasks need it", async () => {
    const fleet = localFleet(1);
    const run = await runEngine(fleet, playbookOf([{ name: "one", ...write("same", "x\n") }, { name: "two", ...write("same", "x\n") }, { name: "three", ...write("same", "x\n") }]), { check: true });
    const gather = run.scripts[0] ?? "";
    const probe = `base64 -w0 < ${path.join(fleet.roots["h1"] as string, "same")}`;
    expect(gather.split(probe).length - 1).toBe(1);
    expect(run.scripts).toHaveLength(1);
  });
});

describe("engine: read-only commands after changes", () => {
  it("run with the verify step, after the changes, in the same number of execs", async () => {
    const fleet = localFleet(1);
    const root = fleet.roots["h1"] as string;
    const playbook = playbookOf([
      { name: "write", ...write("f", "new\n") },
      { name: "read back", module: "run", args: { cmd: "cat {{ root }}/f" }, changedWhen: false, register: "back" },
      { name: "read again", module: "run", args: { cmd: "cat {{ root }}/f" }, changedWhen: false, when: ["1 == 2"] },
      { name: "after", ...write("g", "{{ back.stdout }}") },
    ]);
    writeFileSync(path.join(root, "f"), "old\n");
    const run = await runEngine(fleet, playbook);
    expect(statuses(run.byHost["h1"])).toEqual(["write:changed", "read back:ok", "read again:skipped", "after:changed"]);
    expect(run.byHost["h1"]?.tasks[1]?.output?.stdout).toBe("new\n");
    expect(readFileSync(path.join(root, "g"), "utf8")).toBe("new\n");
    // gather, apply, verify + the commands; then gather, apply, verify for "after"
    expect(run.byHost["h1"]?.execs).toBe(6);
    const again = await runEngine(fleet, playbook);
    expect(statuses(again.byHost["h1"])).toEqual(["write:ok", "read back:ok", "read again:skipped", "after:ok"]);
  });
});

describe("engine: a check that cannot read its state", () => {
  it("is an error of that control; the host's other tasks are still judged", async () => {
    const fleet = localFleet(1);
    const run = await runEngine(fleet, playbookOf([{ name: "daemon down", module: "unreadable", args: {}, control: "C-1" }, { name: "next", ...write("n", "n\n"), control: "C-2" }]), { check: true });
    expect(statuses(run.byHost["h1"])).toEqual(["daemon down:failed", "next:changed"]);
    expect(run.byHost["h1"]?.tasks.map((task) => task.verdict?.status)).toEqual(["error", "fail"]);
    expect(run.byHost["h1"]?.tasks[0]?.verdict?.message).toBe("the daemon does not answer");
  });
});

describe("engine: later plays", () => {
  it("a host with findings takes part in the next play; a host that failed hard does not", async () => {
    const fleet = localFleet(2, {}, { h1: { sub: "" }, h2: { sub: "missing-dir/" } });
    const first = playbookOf([
      { name: "finding", module: "unreadable", args: {}, control: "C-1" },
      { name: "write", module: "content", args: { path: "{{ root }}/{{ sub }}w", text: "w\n" } },
    ]).plays[0]!;
    const second = playbookOf([{ name: "later", ...write("later", "l\n") }]).plays[0]!;
    const run = await runEngine(fleet, { ...playbookOf([]), plays: [first, { ...second, name: "second play" }] });
    expect(statuses(run.byHost["h1"])).toEqual(["finding:failed", "write:changed", "later:changed"]);
    expect(statuses(run.byHost["h2"])).toEqual(["finding:failed", "write:failed"]);
  });
});
