import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Coordinator } from "../../../src/engine/coordinator.js";
import { InterruptedError, TransportError } from "../../../src/transport/errors.js";
import type { ExecResult } from "../../../src/transport/types.js";
import { runHost, type Exec, type HostTask } from "./support/host-run-harness.js";
import { changesOnce, testModules } from "./support/test-modules.js";

/**
 * The engine's planner and apply step for one host (src/engine/host-run.ts), pinned where the
 * mutation run (test/mutation/) found decisions no unit test checked: which tasks share a round
 * trip, what a failure stops, what a cut-short apply records, and what registered results hold.
 */

const write = (name: string, file: string, text: string, more: Partial<HostTask> = {}): HostTask => ({ name, module: "content", args: { path: `{{ root }}/${file}`, text }, ...more });
const command = (name: string, cmd: string, more: Partial<HostTask> = {}): HostTask => ({ name, module: "run", args: { cmd }, ...more });
const readOnly = (name: string, cmd: string, more: Partial<HostTask> = {}): HostTask => command(name, cmd, { changedWhen: false, ...more });
const modules = testModules;
const applies = (execs: readonly Exec[]): Exec[] => execs.filter((exec) => exec.apply);

describe("tasks, handlers and the host's end state", () => {
  it("handlers run only when notified, marked as handlers; tasks are not", async () => {
    const out = await runHost([write("a", "a", "A", { notify: ["restart"] }), write("b", "b", "B")], { handlers: [command("restart", "true"), command("never notified", "true")] });
    expect(out.statuses).toEqual(["a:changed", "b:changed", "restart:changed"]);
    expect(out.results.map((result) => result.handler)).toEqual([false, false, true]);
  });

  it("a failed host runs no handler, even one notified before the failure", async () => {
    const out = await runHost([write("a", "a", "A", { notify: ["restart"] }), { name: "broken", module: "throwing", args: {} }], { modules, handlers: [command("restart", "true")] });
    expect(out.statuses).toEqual(["a:changed", "broken:failed"]);
    expect(out.run.failed).toBe(true);
  });

  it("tasks the run does not select are not run", async () => {
    const out = await runHost([write("a", "a", "A"), write("b", "b", "B"), write("c", "c", "C")], { selected: (task) => task.name !== "b" });
    expect(out.statuses).toEqual(["a:changed", "c:changed"]);
    expect(existsSync(path.join(out.root, "b"))).toBe(false);
  });

  it("a run interrupted before the host started: nothing runs, and it says so", async () => {
    const out = await runHost([write("a", "a", "A")], { stopRequested: () => true, interrupted: () => true });
    expect(out.results).toEqual([]);
    expect(out.run.interrupted).toBe(true);
    expect(out.run.error).toBe("interrupted: the tasks after this point did not run");
  });

  it("an interrupt that comes after the host's last task leaves the host complete", async () => {
    let interrupted = false;
    const out = await runHost([write("a", "a", "A"), write("b", "b", "B")], { interrupted: () => interrupted, onTaskResult: (result) => { if (result.name === "b") interrupted = true; } });
    expect(out.statuses).toEqual(["a:changed", "b:changed"]);
    expect(out.run.interrupted).toBe(false);
    expect(out.run.error).toBeNull();
  });

  it("a connection that breaks while reading the host makes it unreachable, not just failed", async () => {
    const out = await runHost([write("a", "a", "A")], { tamper: () => { throw new TransportError("connection-lost", "h1", "h1: read ECONNRESET"); } });
    expect(out.thrown).toBeUndefined();
    expect(out.run).toMatchObject({ failed: true, unreachable: true, interrupted: false });
    expect(out.run.error).toContain("ECONNRESET");
  });

  it("an unexpected error (a bug, not a host problem) is not swallowed", async () => {
    const out = await runHost([write("a", "a", "A")], { tamper: () => { throw new TypeError("a bug"); } });
    expect(out.thrown).toBeInstanceOf(TypeError);
    expect(out.run.unreachable).toBe(false);
  });

  it("an interrupt while reading the host: interrupted, neither failed nor unreachable", async () => {
    const out = await runHost([write("a", "a", "A")], { tamper: (_exec, run) => ({ ...run(), interrupted: true }) });
    expect(out.run).toMatchObject({ interrupted: true, failed: false, unreachable: false });
    expect(out.run.error).toMatch(/^interrupted while reading the host's state/);
    expect(out.results).toEqual([]);
  });
});

describe("what a task that cannot be planned does", () => {
  it("a condition that cannot be evaluated fails the task and stops the host", async () => {
    const out = await runHost([write("a", "a", "A", { when: ["nothere == 1"] }), write("b", "b", "B")]);
    expect(out.statuses).toEqual(["a:failed"]);
    expect(out.results[0]?.message).toMatch(/^when: undefined variable: nothere/);
    expect(out.connection.execs).toEqual([]);
    expect(out.run.failed).toBe(true);
  });

  it("an unknown module fails the task; the tasks after it are not even read", async () => {
    const out = await runHost([{ name: "typo", module: "contnet", args: {} }, write("b", "b", "B")]);
    expect(out.statuses).toEqual(["typo:failed"]);
    expect(out.results[0]?.message).toBe("unknown module contnet");
    expect(out.connection.execs).toEqual([]);
  });

  it("arguments the module refuses fail the task, each problem with its path", async () => {
    const out = await runHost([{ name: "bad", module: "content", args: { path: "/x" } }]);
    expect(out.statuses).toEqual(["bad:failed"]);
    expect(out.results[0]?.message).toMatch(/^content: content\.text: /);
  });

  it("arguments that cannot be rendered fail the task with the template's complaint", async () => {
    const out = await runHost([{ name: "bad", module: "content", args: { path: "{{ nothere }}", text: "x" } }]);
    expect(out.results[0]).toMatchObject({ status: "failed", message: "undefined variable nothere" });
  });

  it("a plan that throws fails the task (a hard failure: the host stops)", async () => {
    const out = await runHost([{ name: "boom", module: "throwing", args: {} }, write("b", "b", "B")], { modules });
    expect(out.statuses).toEqual(["boom:failed"]);
    expect(out.results[0]?.message).toBe("boom: the plan broke");
    expect(out.run.failed).toBe(true);
    expect(out.hostFailedCalls).toBe(1);
  });

  it("the onHostFailed hook is optional", async () => {
    const out = await runHost([{ name: "boom", module: "throwing", args: {} }], { modules, withoutHostFailedHook: true });
    expect(out.thrown).toBeUndefined();
    expect(out.run.failed).toBe(true);
  });

  it("ignore_errors keeps the host going after a hard failure", async () => {
    const out = await runHost([{ name: "boom", module: "throwing", args: {}, ignoreErrors: true }, write("b", "b", "B")], { modules });
    expect(out.statuses).toEqual(["boom:failed", "b:changed"]);
    expect(out.results.map((result) => result.ignored)).toEqual([true, false]);
    expect(out.run.failed).toBe(false);
  });

  it("a finding (fail plan) and not_applicable are judged, and the host goes on", async () => {
    const out = await runHost([{ name: "finding", module: "finding", args: {} }, { name: "na", module: "na", args: {} }, write("b", "b", "B")], { modules });
    expect(out.statuses).toEqual(["finding:failed", "na:skipped", "b:changed"]);
    expect(out.results[0]?.message).toBe("a finding");
    expect(out.results[1]?.message).toBe("not applicable: no LXD here");
    expect(out.results.map((result) => result.ignored)).toEqual([false, false, false]);
  });

  it("a fact that cannot be read fails the task that reads it", async () => {
    const out = await runHost([{ name: "reads", module: "unreadable_fact", args: {} }], { modules });
    expect(out.results[0]?.status).toBe("failed");
    expect(out.results[0]?.message).toContain("cannot parse the probe");
  });

  it("a false condition skips the task and names every condition", async () => {
    const out = await runHost([write("a", "a", "A", { when: ["1 == 1", "2 == 3"] })]);
    expect(out.results[0]).toMatchObject({ status: "skipped", message: "condition is false: 1 == 1 and 2 == 3" });
    // nothing to read: no exec at all
    expect(out.connection.execs).toEqual([]);
  });

  it("a condition that fails only once the round trip's command has run fails the task", async () => {
    const out = await runHost([readOnly("probe", "echo 5", { register: "r" }), write("b", "b", "B", { when: ["r.stdout > 5"] })]);
    expect(out.statuses).toEqual(["probe:ok", "b:failed"]);
    expect(out.results[1]?.message).toMatch(/^when: cannot compare string > number/);
  });

  it("a module's plan can judge conditions against the task's variables", async () => {
    const out = await runHost([{ name: "c", module: "condition", args: { condition: "inventory_hostname == 'h1'" } }], { modules });
    expect(out.results[0]?.message).toBe("holds: true");
  });
});

describe("commands: read-only, actions, registered results", () => {
  it("a command is an action (changed) unless changed_when is false", async () => {
    const out = await runHost([command("act", "true"), readOnly("look", "true")]);
    expect(out.statuses).toEqual(["act:changed", "look:ok"]);
  });

  it("a command-like module with no read-only script is planned as a module", async () => {
    const out = await runHost([{ name: "act", module: "noscript", args: {}, changedWhen: false }], { modules });
    expect(out.results[0]?.status).toBe("ok");
    expect(applies(out.connection.execs)).toHaveLength(1);
  });

  it("a failing read-only command fails the host: later tasks do not run", async () => {
    const out = await runHost([readOnly("check", "echo first >&2; echo last words >&2; exit 3"), write("b", "b", "B")]);
    expect(out.statuses).toEqual(["check:failed"]);
    expect(out.results[0]?.message).toBe("last words");
    expect(out.run.failed).toBe(true);
  });

  it.each([
    ["no stderr", "exit 4", "exit 4"],
    ["success", "true", "exit 0"],
  ])("a command's message: %s", async (_name, cmd, message) => {
    const out = await runHost([readOnly("c", cmd, { ignoreErrors: true })]);
    expect(out.results[0]?.message).toBe(message);
  });

  it("a command that exits 124 under its own timeout says it timed out", async () => {
    const out = await runHost([readOnly("slow", "exit 124", { timeoutSeconds: 7, ignoreErrors: true })]);
    expect(out.results[0]?.message).toBe("timed out after 7 s (the task's timeout); killed");
  });

  it("two read-only tasks running the same command each run it", async () => {
    const out = await runHost([readOnly("one", "cat /proc/sys/kernel/random/uuid"), readOnly("two", "cat /proc/sys/kernel/random/uuid")]);
    const [one, two] = out.results.map((result) => result.output?.stdout);
    expect(one).toMatch(/^[0-9a-f-]{36}\n$/);
    expect(two).not.toBe(one);
  });

  it("changed_when and failed_when see the command's result: failed, skipped, msg, stdout_lines, and the registered name", async () => {
    const out = await runHost([
      command("never changed", "true", { changedWhen: ["result.failed"] }),
      command("not skipped", "true", { failedWhen: ["result.skipped or result.msg != ''"] }),
      command("lines", "printf 'a\\n\\nb\\n'", { failedWhen: ["result.stdout_lines != ['a', 'b']"], register: "out" }),
      command("all conditions", "true", { changedWhen: ["result.rc == 0", "result.rc == 1"] }),
      // last: its non-zero exit ends the apply script (see the known gap below)
      command("by its name", "exit 3", { failedWhen: ["out.rc != 3"], register: "out", changedWhen: ["out.rc == 3 and out.failed"] }),
    ]);
    expect(out.statuses).toEqual(["never changed:ok", "not skipped:changed", "lines:changed", "all conditions:ok", "by its name:changed"]);
  });

  it("a registered result holds changed, failed, skipped, msg and the output lines", async () => {
    const out = await runHost([
      readOnly("out", "printf 'x\\n\\ny\\n'", { register: "r" }),
      write("skipped", "s", "S", { when: ["1 == 2"], register: "s" }),
      { name: "fails", module: "finding", args: {}, register: "f" },
      write("check", "c", "C", { when: ["r.stdout_lines == ['x', 'y'] and r.rc == 0 and not r.changed and not r.failed and not r.skipped", "s is skipped and not s.failed and s.msg == 'condition is false: 1 == 2'", "f is failed and f.msg == 'a finding'"] }),
    ], { modules });
    expect(out.statuses).toEqual(["out:ok", "skipped:skipped", "fails:failed", "check:changed"]);
  });
});

describe("round trips: what is read and applied together", () => {
  it("a command after a change reads the host after the change, from a fresh read", async () => {
    const out = await runHost([write("a", "x", "new"), readOnly("look", "cat {{ root }}/x")]);
    expect(out.results[1]?.output?.stdout).toBe("new");
  });

  it("a command after a change runs before any later change is applied", async () => {
    const out = await runHost([write("a", "x", "one"), readOnly("look", "cat {{ root }}/x"), write("b", "x", "two")]);
    expect(out.statuses).toEqual(["a:changed", "look:ok", "b:changed"]);
    expect(out.results[1]?.output?.stdout).toBe("one");
    expect(readFileSync(path.join(out.root, "x"), "utf8")).toBe("two");
  });

  it("a command after a change whose condition is false is skipped, not run", async () => {
    const out = await runHost([write("a", "x", "one"), readOnly("look", "cat {{ root }}/x", { when: ["1 == 2"] })]);
    expect(out.statuses).toEqual(["a:changed", "look:skipped"]);
  });

  it("a failing command after the changes fails the host", async () => {
    const out = await runHost([write("a", "x", "one"), readOnly("check", "exit 2")]);
    expect(out.statuses).toEqual(["a:changed", "check:failed"]);
    expect(out.run.failed).toBe(true);
  });

  it("a change that does not hold stops the commands that would read after it", async () => {
    const out = await runHost([{ name: "unsettable", module: "never", args: {} }, readOnly("look", "true")]);
    expect(out.statuses).toEqual(["unsettable:failed"]);
  });

  it("with nothing to read, nothing is executed", async () => {
    const out = await runHost([{ name: "na", module: "na", args: {} }], { modules });
    expect(out.connection.execs).toEqual([]);
  });

  it("a change records the facts it was planned from, and only those it read", async () => {
    const out = await runHost([{ name: "create", module: "reads_one", args: { path: "{{ root }}/a", other: "{{ root }}/b" } }], { modules });
    expect(out.results[0]?.status).toBe("changed");
    expect(Object.keys(out.results[0]?.factsRead ?? {})).toEqual([`file_content:${path.join(out.root, "a")}`]);
    const again = await runHost([{ name: "create", module: "reads_one", args: { path: "{{ root }}/a", other: "{{ root }}/b" } }], { modules, root: out.root });
    expect(again.results[0]?.status).toBe("ok");
    expect(again.results[0]?.factsRead).toBeUndefined();
  });
});

describe("become and timeouts reach the execs", () => {
  it("a play's become applies to its tasks; a task's own become wins", async () => {
    const out = await runHost([write("a", "a", "A"), write("b", "b", "B", { become: false, becomeUser: "nobody" })], { playBecome: true, playBecomeUser: "root" });
    // one gather per become setting, before the apply and again to verify
    const gathers = out.connection.execs.filter((exec) => !exec.apply);
    expect(gathers.map((exec) => [exec.options.become, exec.options.becomeUser])).toEqual([
      [true, "root"],
      [false, "nobody"],
      [true, "root"],
      [false, "nobody"],
    ]);
    expect(applies(out.connection.execs).map((exec) => [exec.options.become, exec.options.becomeUser])).toEqual([
      [true, "root"],
      [false, "nobody"],
    ]);
  });

  it("without become anywhere, no become option is passed", async () => {
    const out = await runHost([write("a", "a", "A")]);
    expect(out.connection.execs.every((exec) => !("become" in exec.options) && !("becomeUser" in exec.options))).toBe(true);
  });

  it("changes with the same become go in one apply; a task with a timeout goes alone, held to its timeout", async () => {
    const out = await runHost([write("a", "a", "A"), write("b", "b", "B"), write("timed", "t", "T", { timeoutSeconds: 30 }), write("c", "c", "C")]);
    const execs = applies(out.connection.execs);
    expect(execs.map((exec) => exec.stdin.match(/^\(\n/gm)?.length)).toEqual([2, 1, 1]);
    expect(execs.map((exec) => exec.options.timeoutMs)).toEqual([undefined, 36_000, undefined]);
  });

  it("a change that exits 124 under its timeout says so", async () => {
    const failing = { name: "slow", module: "run", args: { cmd: "exit 124" }, timeoutSeconds: 9 };
    const out = await runHost([{ ...failing, module: "content", args: { path: "{{ root }}/x", text: "x" } }], {
      tamper: (exec, run) => {
        const result = run();
        if (!exec.apply) return result;
        // the section ran and ended with 124, as `timeout` makes it
        return { ...result, stdout: result.stdout.replace(/ end 0\n/, " end 124\n") };
      },
    });
    expect(out.results[0]).toMatchObject({ status: "failed", message: `write ${path.join(out.root, "x")}: failed: timed out after 9 s (the task's timeout); killed` });
  });
});

describe("a failed apply", () => {
  it("a change that fails stops the apply: later changes are not applied nor recorded, and the host fails", async () => {
    const out = await runHost([write("bad", "missing/dir/x", "x", { timeoutSeconds: 30 }), write("later", "y", "Y")]);
    expect(out.statuses).toEqual(["bad:failed"]);
    expect(out.results[0]?.message).toMatch(new RegExp(`^write ${path.join(out.root, "missing/dir/x").replace(/[/.]/g, "\\$&")}: failed: .+`));
    expect(existsSync(path.join(out.root, "y"))).toBe(false);
    expect(out.run.failed).toBe(true);
  });

  it("a change that fails without a word says its exit status", async () => {
    const out = await runHost([write("bad", "x", "x")], { tamper: (exec, run) => {
      const result = run();
      return exec.apply ? { ...result, stdout: result.stdout.replace(/ end 0\n/, " end 3\n"), stderr: result.stderr.replace(/(@@fleet-\w+ 0\n)[^@]*/, "$1\n") } : result;
    } });
    expect(out.results[0]?.message).toBe(`write ${path.join(out.root, "x")}: failed with exit 3`);
  });

  it("with ignore_errors the failed change is ignored and the host goes on", async () => {
    const out = await runHost([write("bad", "missing/x", "x", { ignoreErrors: true }), write("later", "y", "Y")]);
    expect(out.statuses).toEqual(["bad:failed", "later:changed"]);
    expect(out.results[0]?.ignored).toBe(true);
    expect(out.run.failed).toBe(false);
  });

  it("a failing command run as a change is judged by its exit status", async () => {
    const out = await runHost([command("act", "echo nope >&2; exit 5"), write("later", "y", "Y")]);
    expect(out.statuses).toEqual(["act:failed"]);
    expect(out.results[0]?.message).toBe("nope");
    expect(out.run.failed).toBe(true);
  });

  it("an apply refused as a whole (sudo): the first change fails with why, the others are not recorded", async () => {
    const out = await runHost([write("a", "a", "A"), write("b", "b", "B")], { tamper: (exec, run) => (exec.apply ? { ...run(), stdout: "", stderr: "", exitCode: 1, becomeFailure: "a password is required" } : run()) });
    expect(out.statuses).toEqual(["a:failed"]);
    expect(out.results.map((result) => result.message)).toEqual(["become failed: a password is required"]);
    expect(out.run.failed).toBe(true);
  });
});

/** The apply's own output, cut where a section ends. */
function cutAfterSection(result: ExecResult, section: number): ExecResult {
  const marker = /@@fleet-\w+/.exec(result.stdout)?.[0] ?? "";
  const next = `${marker} ${section + 1}\n`;
  const keep = (stream: string): string => (stream.includes(next) ? stream.slice(0, stream.indexOf(next)) : stream);
  return { ...result, stdout: keep(result.stdout), stderr: keep(result.stderr) };
}

/** The apply's output with section `section` begun but not ended. */
function cutInSection(result: ExecResult, section: number): ExecResult {
  const marker = /@@fleet-\w+/.exec(result.stdout)?.[0] ?? "";
  const end = `\n${marker} ${section} end`;
  const keep = (stream: string): string => (stream.includes(end) ? stream.slice(0, stream.indexOf(end)) : stream);
  return { ...result, stdout: keep(result.stdout), stderr: keep(result.stderr) };
}

describe("an apply cut short", () => {
  const twoChanges = [write("a", "a", "A"), write("b", "b", "B"), write("c", "c", "C")];

  it("a lost connection: what finished is recorded unverified, the task it was in named, the host unreachable", async () => {
    const out = await runHost(twoChanges, { tamper: (exec, run) => {
      if (!exec.apply) return run();
      const partial = cutInSection(run(), 1);
      throw new TransportError("connection-lost", "h1", "the connection broke", { hint: "check the network", partialOutput: { stdout: partial.stdout, stderr: partial.stderr } });
    } });
    expect(out.statuses).toEqual(["a:changed"]);
    expect(out.results[0]?.message).toBe(`write ${path.join(out.root, "a")} (not verified: the connection broke)`);
    expect(out.run).toMatchObject({ failed: true, unreachable: true });
    expect(out.run.error).toBe('h1: the connection broke while applying "b" (it may be partly done; run again to finish it)');
    expect(out.hostFailedCalls).toBe(1);
  });

  it("a lost connection before any section ends: nothing recorded, the host's error is the transport's", async () => {
    let caught: TransportError | undefined;
    const out = await runHost(twoChanges, { tamper: (exec, run) => {
      if (!exec.apply) return run();
      run();
      caught = new TransportError("connection-lost", "h1", "the connection broke", { hint: "check the network", partialOutput: { stdout: "", stderr: "" } });
      throw caught;
    } });
    expect(caught).toBeDefined();
    expect(out.results).toEqual([]);
    expect(out.run.error).toBe("h1: the connection broke");
  });

  it("a transport error without partial output is not an apply that was cut: it propagates", async () => {
    const out = await runHost(twoChanges, { tamper: (exec, run) => {
      if (!exec.apply) return run();
      throw new TransportError("connection-lost", "h1", "gone");
    } });
    expect(out.run).toMatchObject({ unreachable: true, error: "h1: gone" });
    expect(out.results).toEqual([]);
  });

  it("an unexpected error while applying (a bug, not a host problem) is not swallowed", async () => {
    const out = await runHost(twoChanges, { tamper: (exec, run) => {
      if (!exec.apply) return run();
      throw new TypeError("a bug in the transport");
    } });
    expect(out.thrown).toBeInstanceOf(TypeError);
  });

  it("a host that stops answering within the tasks' timeouts: unreachable, with the time it was given", async () => {
    const out = await runHost([write("t1", "a", "A", { timeoutSeconds: 10 })], { tamper: (exec, run) => (exec.apply ? { ...cutInSection(run(), 0), exitCode: null, timedOut: true, killUnanswered: true } : run()) });
    expect(out.results).toEqual([]);
    expect(out.run).toMatchObject({ failed: true, unreachable: true });
    expect(out.run.error).toBe('h1: stopped answering: no answer within the tasks\' timeout (10 s + 5 s grace) while applying "t1" (it may be partly done; run again to finish it)');
  });

  it("an interrupted apply: the finished change unverified, the one in progress failed as partly done, the rest not run", async () => {
    const out = await runHost(twoChanges, { tamper: (exec, run) => (exec.apply ? { ...cutInSection(run(), 1), exitCode: null, interrupted: true } : run()) });
    expect(out.statuses).toEqual(["a:changed", "b:failed"]);
    expect(out.results[0]?.message).toBe(`write ${path.join(out.root, "a")} (not verified: the run was interrupted)`);
    expect(out.results[1]?.message).toBe(`interrupted while applying: write ${path.join(out.root, "b")} may be partly done; run again to finish it`);
    expect(out.run).toMatchObject({ interrupted: true, unreachable: false, failed: false, error: "interrupted: the tasks after this point did not run" });
  });

  it("an interrupted apply after a section failed: that change is failed with its exit status", async () => {
    const out = await runHost(twoChanges, { tamper: (exec, run) => {
      if (!exec.apply) return run();
      const cut = cutAfterSection(run(), 0);
      return { ...cut, stdout: cut.stdout.replace(/ end 0\n/, " end 2\n"), exitCode: null, interrupted: true };
    } });
    expect(out.statuses).toEqual(["a:failed"]);
    expect(out.results[0]?.message).toBe(`write ${path.join(out.root, "a")}: failed with exit 2`);
  });

  it("an interrupt while reading the changes back: applied changes recorded as not verified", async () => {
    let applied = false;
    const out = await runHost([write("a", "a", "A"), readOnly("look", "true")], { tamper: (exec, run) => {
      const result = run();
      if (exec.apply) applied = true;
      else if (applied) return { ...result, interrupted: true };
      return result;
    } });
    expect(out.statuses).toEqual(["a:changed"]);
    expect(out.results[0]?.message).toBe(`write ${path.join(out.root, "a")} (not verified: the run was interrupted)`);
    expect(out.run.interrupted).toBe(true);
  });
});

describe("proving changes: planning again after applying", () => {
  it("a plan that throws when planned again: not idempotent, with the error", async () => {
    const flaky = changesOnce("flaky", () => { throw new Error("cannot judge now"); });
    const out = await runHost([{ name: "f", module: "flaky", args: {} }], { modules: { flaky: flaky as never } });
    expect(out.results[0]).toMatchObject({ status: "failed", message: "not idempotent: after applying, the task still finds: cannot judge now" });
  });

  it("not_applicable after applying is as good as ok", async () => {
    const settles = changesOnce("settles", () => ({ kind: "not_applicable", reason: "gone" }));
    const out = await runHost([{ name: "s", module: "settles", args: {} }], { modules: { settles: settles as never } });
    expect(out.statuses).toEqual(["s:changed"]);
    expect(out.run.failed).toBe(false);
  });

  it("a change not idempotent under ignore_errors does not fail the host; with a control it is an error verdict", async () => {
    const out = await runHost([{ name: "u", module: "never", args: {}, ignoreErrors: true, control: "C-1" }, write("b", "b", "B")]);
    expect(out.statuses).toEqual(["u:failed", "b:changed"]);
    expect(out.results[0]?.ignored).toBe(true);
    expect(out.results[0]?.verdict).toMatchObject({ id: "C-1", status: "error", message: "not idempotent: set the unsettable" });
    expect(out.run.failed).toBe(false);
  });

  it("check mode proves verifiable changes only: a command's would-change is not a failure", async () => {
    const out = await runHost([command("act", "true"), write("a", "a", "A")], { check: true });
    expect(out.statuses).toEqual(["act:changed", "a:changed"]);
    expect(out.connection.execs.filter((exec) => exec.apply)).toEqual([]);
  });
});

describe("audit-only tasks (check_mode: true in a real run)", () => {
  it("report what they would change as a finding, with expected and actual", async () => {
    const out = await runHost([write("audit", "a", "A", { checkMode: true })]);
    expect(out.results[0]).toMatchObject({ status: "failed", message: `not changed (audit only): would write ${path.join(out.root, "a")}` });
    expect(out.results[0]?.plan).toMatchObject({ kind: "fail", expected: "A", actual: "(absent)" });
    expect(existsSync(path.join(out.root, "a"))).toBe(false);
  });

  it("under --check read like every other would-change", async () => {
    const out = await runHost([write("audit", "a", "A", { checkMode: true })], { check: true });
    expect(out.statuses).toEqual(["audit:changed"]);
  });
});

describe("tasks run once for many hosts", () => {
  it("each run_once task has its own claim", async () => {
    const coordinator = new Coordinator();
    const tasks = [command("first", "echo one", { runOnce: true }), command("second", "echo two", { runOnce: true })];
    const h1 = await runHost(tasks, { coordinator, host: "h1" });
    const h2 = await runHost(tasks, { coordinator, host: "h2" });
    expect(h1.results.map((result) => result.output?.stdout)).toEqual(["one\n", "two\n"]);
    expect(h2.results.map((result) => [result.output?.stdout, result.delegatedTo])).toEqual([
      ["one\n", "h1"],
      ["two\n", "h1"],
    ]);
  });

  it("a cluster task is shared by the members of a cluster only", async () => {
    const coordinator = new Coordinator();
    const task = [command("per cluster", "echo {{ inventory_hostname }}", { scope: "cluster" })];
    const a = await runHost(task, { coordinator, host: "a1", cluster: "A" });
    const b = await runHost(task, { coordinator, host: "a2", cluster: "A" });
    const solo1 = await runHost(task, { coordinator, host: "s1" });
    const solo2 = await runHost(task, { coordinator, host: "s2" });
    expect([a, b, solo1, solo2].map((out) => [out.results[0]?.output?.stdout, out.results[0]?.delegatedTo])).toEqual([
      ["a1\n", null],
      ["a1\n", "a1"],
      ["s1\n", null],
      ["s2\n", null],
    ]);
  });

  it("a host that stops before a task it claimed tells the others why, and they record it as not run", async () => {
    const shared = new Coordinator();
    // h1 claims "once" in its first round trip, then fails on "boom" before running it
    const owner = runHost([{ name: "boom", module: "throwing", args: {} }, command("once", "true", { runOnce: true })], { coordinator: shared, host: "h1", modules });
    const waiter = runHost([command("zero", "true"), command("once", "true", { runOnce: true })], { coordinator: shared, host: "h2", modules });
    const [ownerOut, waiterOut] = await Promise.all([owner, waiter]);
    expect(ownerOut.statuses).toEqual(["boom:failed"]);
    expect(waiterOut.results[1]).toMatchObject({ status: "failed", delegatedTo: "h1", message: "not run: h1, which ran it for the others, stopped before it" });
  });

  it("a delegated task after the point where the host stopped is not recorded", async () => {
    const coordinator = new Coordinator();
    await runHost([command("zero", "true"), command("once", "true", { runOnce: true })], { coordinator, host: "h1" });
    const h2 = await runHost([{ name: "zero", module: "throwing", args: {} }, command("once", "true", { runOnce: true })], { coordinator, host: "h2", modules });
    expect(h2.statuses).toEqual(["zero:failed"]);
  });
});

describe("failed_when and commands among the changes of one round trip (found by the mutation run, fixed)", () => {
  // The apply script stops at the first section that exits non-zero unless the task has
  // ignore_errors; a failed_when that accepts the exit must not drop the changes after it.
  it("a command whose failed_when accepts its non-zero exit does not drop the changes after it", async () => {
    const out = await runHost([command("tolerated", "exit 3", { failedWhen: false }), write("after", "after", "A")]);
    expect(out.statuses).toEqual(["tolerated:changed", "after:changed"]);
    expect(readFileSync(path.join(out.root, "after"), "utf8")).toBe("A");
  });

  it("a command whose failed_when rejects its exit 0 stops the host before the changes after it", async () => {
    const out = await runHost([command("rejected", "true", { failedWhen: true }), write("after", "after", "A")]);
    expect(out.statuses).toEqual(["rejected:failed"]);
    expect(out.run.failed).toBe(true);
    expect(existsSync(path.join(out.root, "after"))).toBe(false);
  });

  // A command's effects are not predicted: a file task after it is planned in the next round trip,
  // on the host as the command left it, never against the state predicted before the command.
  it("a file task after a command in the same round trip is judged on the host as the command left it", async () => {
    const out = await runHost([write("a", "x", "A"), command("overwrite", "printf B > {{ root }}/x"), write("a again", "x", "A")]);
    expect(out.statuses).toEqual(["a:changed", "overwrite:changed", "a again:changed"]);
    expect(readFileSync(path.join(out.root, "x"), "utf8")).toBe("A");
  });
});

describe("an apply whose record is lost, a verify cut by the connection (found by the mutation run, fixed)", () => {
  // The transport keeps the last 1 MiB of a command's output: a change printing more pushes the
  // start markers of the sections before it out. It was recorded as not run, with the host not failed.
  it("a task the script reached but whose output was cut fails the host, saying it may have run", async () => {
    const out = await runHost([write("a", "a", "A"), write("b", "b", "B")], { tamper: (exec, run) => {
      if (!exec.apply) return run();
      const whole = run();
      const marker = /@@fleet-\w+/.exec(whole.stdout)?.[0] ?? "";
      return { ...whole, stdout: whole.stdout.slice(whole.stdout.indexOf(`${marker} 1\n`)), truncated: true };
    } });
    // b's section is in the output: it ran, and is recorded as it ended
    expect(out.statuses).toEqual(["a:failed", "b:changed"]);
    expect(out.results[0]?.message).toBe(`write ${path.join(out.root, "a")}: no record of how it ended (the apply printed more output than fleet keeps, and the part that recorded it was cut); it may have run: run again to see the host's state`);
    expect(out.run.failed).toBe(true);
  });

  it("an unexpected error while reading the changes back (a bug, not the host) is not swallowed", async () => {
    let applied = false;
    const out = await runHost([write("a", "a", "A")], { tamper: (exec, run) => {
      if (exec.apply) applied = true;
      else if (applied) throw new TypeError("a bug in the transport");
      return run();
    } });
    expect(out.thrown).toBeInstanceOf(TypeError);
  });

  it("a connection lost while reading the changes back: the applied change is recorded unverified, the host unreachable", async () => {
    let applied = false;
    const out = await runHost([write("a", "a", "A"), readOnly("look", "true")], { tamper: (exec, run) => {
      if (exec.apply) applied = true;
      else if (applied) throw new TransportError("connection-lost", "h1", "h1: read ECONNRESET");
      return run();
    } });
    expect(out.statuses).toEqual(["a:changed"]);
    expect(out.results[0]?.message).toBe(`write ${path.join(out.root, "a")} (not verified: the connection broke)`);
    expect(out.run).toMatchObject({ failed: true, unreachable: true, interrupted: false });
  });
});

describe("handlers across round trips (found by the mutation run, fixed)", () => {
  // A round trip is cut at a task's index in its list; for handlers that list was the notified ones
  // alone, so a cut skipped the handlers after it: h2 never ran, and the host reported success.
  it("every notified handler runs, when one before them was not notified and a command splits them", async () => {
    const out = await runHost([write("a", "a", "A", { notify: ["h1", "h2"] })], {
      handlers: [write("h0", "h0", "0"), write("h1", "h1", "1"), command("h2", "printf 2 > {{ root }}/h2")],
    });
    expect(out.statuses).toEqual(["a:changed", "h1:changed", "h2:changed"]);
    expect(readFileSync(path.join(out.root, "h2"), "utf8")).toBe("2");
    expect(existsSync(path.join(out.root, "h0"))).toBe(false);
  });
});

describe("register names used again (found by the mutation run, fixed)", () => {
  // A task registering a name marked it pending for every task of the round trip, also the ones
  // before it: "b" waited for "c" forever and the host failed with ENGINE_NO_PROGRESS.
  it("a task between two tasks registering the same name sees the first one's result", async () => {
    const out = await runHost([write("a", "a", "A", { register: "r" }), write("b", "b", "B", { when: ["r.changed"] }), write("c", "c", "C", { register: "r" }), write("d", "d", "D", { when: ["r.changed"] })]);
    expect(out.statuses).toEqual(["a:changed", "b:changed", "c:changed", "d:changed"]);
    expect(out.run.error).toBeNull();
  });

  // a read-only command after a change, judging its output on that change's registered result, made the host run throw a raw PendingValue (an internal error)
  it("a read-only command after a change judges its failed_when on what the change registered", async () => {
    const out = await runHost([write("a", "a", "A", { register: "ra" }), readOnly("ro", "true", { failedWhen: ["not ra.changed"] })]);
    expect(out.thrown).toBeUndefined();
    expect(out.statuses).toEqual(["a:changed", "ro:ok"]);
  });

  it("a failed_when that names an undefined variable fails the task, saying so", async () => {
    const out = await runHost([readOnly("ro", "true", { failedWhen: ["nope.changed"] })]);
    expect(out.thrown).toBeUndefined();
    expect(out.statuses).toEqual(["ro:failed"]);
    expect(out.results[0]?.message).toMatch(/^changed_when\/failed_when: .*nope/);
  });

  it("a task whose condition reads the name it registers sees the value from before it", async () => {
    const out = await runHost([write("a", "a", "A"), command("c", "printf once >> {{ root }}/c", { when: ["r is not defined"], register: "r" }), write("after", "after", "X", { when: ["r.changed"] })]);
    expect(out.statuses).toEqual(["a:changed", "c:changed", "after:changed"]);
    expect(readFileSync(path.join(out.root, "c"), "utf8")).toBe("once");
    expect(out.run.error).toBeNull();
  });
});

// keep the import used when a test above is edited away
void writeFileSync;
void InterruptedError;
