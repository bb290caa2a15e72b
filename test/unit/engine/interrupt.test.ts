import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { localFleet, playbookOf, runEngine, statuses } from "./playbook-harness.js";

const write = (name: string, file: string, text: string) => ({ name, module: "content" as const, args: { path: `{{ root }}/${file}`, text } });

/** A sleep whose command line is unique to this test, to look for it among the machine's processes. */
const uniqueSleep = (): string => `sleep 3${Math.floor(Math.random() * 1e6)}.5`;
const stillRunning = (command: string): boolean => execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n").some((line) => line.includes(command));

/** Interrupts the run once `file` (in h1's root) exists: the task that creates it is then running. */
function interruptWhenExists(root: string, file: string): (interrupt: () => void) => void {
  return (interrupt) => {
    const poll = setInterval(() => {
      if (!existsSync(path.join(root, file))) return;
      clearInterval(poll);
      interrupt();
    }, 10);
  };
}

describe("engine: an interrupt", () => {
  it("during an apply kills the running command, keeps what was done, and runs nothing after it", async () => {
    const fleet = localFleet(1);
    const root = fleet.roots["h1"] as string;
    const sleep = uniqueSleep();
    const playbook = playbookOf([
      write("before", "a.conf", "A\n"),
      { name: "slow", module: "run", args: { cmd: `touch {{ root }}/started; ${sleep}; touch {{ root }}/slept` } },
      write("after", "c.conf", "C\n"),
    ]);
    const begun = Date.now();
    const run = await runEngine(fleet, playbook, { onStart: interruptWhenExists(root, "started") });
    expect(Date.now() - begun).toBeLessThan(10_000);
    const host = run.byHost["h1"];
    expect(host?.interrupted).toBe(true);
    expect(statuses(host)).toEqual(["before:changed", "slow:failed"]);
    // a command starts a round trip of its own: the change before it was applied and proven first
    expect(host?.tasks[0]?.message).not.toMatch(/not verified/);
    expect(host?.tasks[1]?.message).toMatch(/^interrupted while applying: .* may be partly done; run again to finish it$/);
    expect(existsSync(path.join(root, "a.conf"))).toBe(true);
    expect(existsSync(path.join(root, "slept"))).toBe(false);
    expect(existsSync(path.join(root, "c.conf"))).toBe(false);
    expect(stillRunning(sleep)).toBe(false);
  });

  it("while facts are read records nothing of that round trip and changes nothing", async () => {
    const fleet = localFleet(1);
    const root = fleet.roots["h1"] as string;
    const sleep = uniqueSleep();
    const playbook = playbookOf([
      { name: "probe", module: "run", args: { cmd: `touch {{ root }}/started; ${sleep}` }, changedWhen: false },
      write("after", "c.conf", "C\n"),
    ]);
    const run = await runEngine(fleet, playbook, { onStart: interruptWhenExists(root, "started") });
    const host = run.byHost["h1"];
    expect(host?.interrupted).toBe(true);
    expect(host?.tasks).toEqual([]);
    expect(host?.error).toMatch(/interrupted while reading the host's state/);
    expect(existsSync(path.join(root, "c.conf"))).toBe(false);
    expect(stillRunning(sleep)).toBe(false);
  });

  it("starts no host that was waiting for a fork, and says so in its result", async () => {
    const fleet = localFleet(3);
    const root = fleet.roots["h1"] as string;
    const playbook = playbookOf([{ name: "slow", module: "run", args: { cmd: `touch {{ root }}/started; ${uniqueSleep()}` } }]);
    const run = await runEngine(fleet, playbook, { forks: 1, onStart: interruptWhenExists(root, "started") });
    expect(run.byHost["h1"]?.interrupted).toBe(true);
    for (const name of ["h2", "h3"]) {
      expect(run.byHost[name]).toMatchObject({ interrupted: true, tasks: [], execs: 0, error: "not started: the run was interrupted" });
      expect(existsSync(path.join(fleet.roots[name] as string, "started"))).toBe(false);
    }
    // only h1's apply script was sent (the task reads no facts)
    expect(run.scripts.length).toBe(1);
  });

  it("between plays marks the hosts of the plays not run", async () => {
    const fleet = localFleet(2);
    const one = playbookOf([write("first", "a.conf", "A\n")]);
    const first = one.plays[0];
    if (first === undefined) throw new Error("no play");
    const playbook = { ...one, plays: [first, { ...first, name: "second play" }] };
    const run = await runEngine(fleet, playbook, { interruptAfter: 2 });
    for (const name of ["h1", "h2"]) {
      expect(statuses(run.byHost[name])).toEqual(["first:changed"]);
      expect(run.byHost[name]?.interrupted).toBe(true);
    }
  });

  it("that never comes changes nothing about a run", async () => {
    const fleet = localFleet(2);
    const run = await runEngine(fleet, playbookOf([write("first", "a.conf", "A\n")]));
    expect(run.hosts.map((host) => host.interrupted)).toEqual([false, false]);
  });
});
