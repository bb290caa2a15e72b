import { describe, expect, it } from "vitest";
import type { HostRun } from "../../../src/engine/fan-out.js";
import { KeptConnections } from "../../../src/engine/kept-connections.js";
import type { Playbook } from "../../../src/playbook/types.js";
import type { Connection } from "../../../src/transport/types.js";
import { localFleet, playbookOf, runEngine, statuses, type TaskSpec } from "./playbook-harness.js";

const write = (file: string, text: string): TaskSpec => ({ name: file, module: "content", args: { path: `{{ root }}/${file}`, text } });

/** One play per entry, each on its host pattern. */
function playsOf(...plays: { hosts: string; tasks: TaskSpec[] }[]): Playbook {
  const built = plays.map(({ hosts, tasks }, index) => ({ ...(playbookOf(tasks, { hosts }).plays[0] as Playbook["plays"][number]), name: `play ${index + 1}` }));
  return { ...playbookOf([]), plays: built };
}

const count = (events: readonly string[], event: string): number => events.filter((entry) => entry === event).length;

describe("engine: one connection per host across the plays of a run", () => {
  it("a host in every play connects once, and every connection is closed at the end", async () => {
    const fleet = localFleet(3);
    const run = await runEngine(fleet, playsOf({ hosts: "all", tasks: [write("a", "A\n")] }, { hosts: "all", tasks: [write("b", "B\n")] }, { hosts: "all", tasks: [write("c", "C\n")] }));
    for (const host of ["h1", "h2", "h3"]) {
      expect(statuses(run.byHost[host])).toEqual(["a:changed", "b:changed", "c:changed"]);
      expect(count(run.connections, `connect ${host}`), host).toBe(1);
      expect(count(run.connections, `close ${host}`), host).toBe(1);
    }
    // closed after its last play, not before
    expect(run.connections.indexOf("close h1")).toBeGreaterThan(run.connections.indexOf("connect h3"));
  });

  it("a host left out of the middle play keeps its connection for the last one; a host done early is closed", async () => {
    const fleet = localFleet(3);
    const run = await runEngine(fleet, playsOf({ hosts: "all", tasks: [write("a", "A\n")] }, { hosts: "h1,h3", tasks: [write("b", "B\n")] }, { hosts: "h1,h2", tasks: [write("c", "C\n")] }));
    expect(statuses(run.byHost["h2"])).toEqual(["a:changed", "c:changed"]);
    expect(statuses(run.byHost["h3"])).toEqual(["a:changed", "b:changed"]);
    for (const host of ["h1", "h2", "h3"]) expect([count(run.connections, `connect ${host}`), count(run.connections, `close ${host}`)], host).toEqual([1, 1]);
  });

  it("with more hosts than forks, a host reconnects for each play (no more than forks connections open)", async () => {
    const fleet = localFleet(3);
    const run = await runEngine(fleet, playsOf({ hosts: "all", tasks: [write("a", "A\n")] }, { hosts: "all", tasks: [write("b", "B\n")] }), { forks: 2 });
    for (const host of ["h1", "h2", "h3"]) expect([count(run.connections, `connect ${host}`), count(run.connections, `close ${host}`)], host).toEqual([2, 2]);
    let open = 0;
    let peak = 0;
    for (const event of run.connections) {
      open += event.startsWith("connect") ? 1 : -1;
      peak = Math.max(peak, open);
    }
    expect(peak).toBe(2);
  });

  it("a host that failed is closed after its play and takes no part in the next", async () => {
    const fleet = localFleet(2);
    const failing: TaskSpec = { name: "fails on h1", module: "run", args: { cmd: "test \"$(basename {{ root }})\" != h1" }, changedWhen: false };
    const run = await runEngine(fleet, playsOf({ hosts: "all", tasks: [failing] }, { hosts: "all", tasks: [write("b", "B\n")] }));
    expect(statuses(run.byHost["h1"])).toEqual(["fails on h1:failed"]);
    expect(statuses(run.byHost["h2"])).toEqual(["fails on h1:ok", "b:changed"]);
    expect(run.connections.indexOf("close h1")).toBeLessThan(run.connections.indexOf("close h2"));
    for (const host of ["h1", "h2"]) expect([count(run.connections, `connect ${host}`), count(run.connections, `close ${host}`)], host).toEqual([1, 1]);
  });

  it("an interrupted run closes the connections it kept", async () => {
    const fleet = localFleet(2);
    const run = await runEngine(fleet, playsOf({ hosts: "all", tasks: [write("a", "A\n")] }, { hosts: "all", tasks: [write("b", "B\n")] }), { interruptAfter: 2 });
    expect(run.hosts.every((host) => host.interrupted)).toBe(true);
    for (const host of ["h1", "h2"]) expect([count(run.connections, `connect ${host}`), count(run.connections, `close ${host}`)], host).toEqual([1, 1]);
  });
});

describe("KeptConnections", () => {
  /** A host's share that ended well (`true`) or not; the connection tells the host. */
  const ended = (well: boolean): HostRun<boolean> => ({ host: "", kind: "done", value: well, durationMs: 0 });
  const keptWhile = (neededLater: (host: string) => boolean): KeptConnections<boolean> => new KeptConnections<boolean>((run) => run.kind === "done" && run.value, neededLater);
  const connectionOf = (host: string, usable: boolean | undefined, closed: string[]): Connection => ({
    host,
    ...(usable === undefined ? {} : { usable }),
    exec: () => Promise.reject(new Error("not used")),
    close: () => {
      closed.push(host);
      return Promise.resolve();
    },
  });

  it("keeps a well-ended host's connection only while a later play needs it, and hands it over once", async () => {
    const closed: string[] = [];
    const kept = keptWhile((host) => host !== "done");
    const later = connectionOf("later", true, closed);
    await kept.release(later, ended(true));
    await kept.release(connectionOf("done", true, closed), ended(true));
    await kept.release(connectionOf("failed", true, closed), ended(false));
    expect(closed).toEqual(["done", "failed"]);
    expect(kept.take("later")).toBe(later);
    expect(kept.take("later")).toBeUndefined();
  });

  it("does not hand over a connection that broke while kept: it is closed and the host connects again", async () => {
    const closed: string[] = [];
    const kept = keptWhile(() => true);
    await kept.release(connectionOf("broken", false, closed), ended(true));
    await kept.release(connectionOf("unknown", undefined, closed), ended(true));
    expect(kept.take("broken")).toBeUndefined();
    expect(closed).toEqual(["broken"]);
    expect(kept.take("unknown")?.host).toBe("unknown");
  });

  it("closeAll closes all but the hosts still in the run", async () => {
    const closed: string[] = [];
    const kept = keptWhile(() => true);
    for (const host of ["a", "b", "c"]) await kept.release(connectionOf(host, true, closed), ended(true));
    await kept.closeAll((host) => host === "b");
    expect(closed.sort()).toEqual(["a", "c"]);
    expect(kept.size).toBe(1);
    await kept.closeAll();
    expect(closed.sort()).toEqual(["a", "b", "c"]);
    expect(kept.size).toBe(0);
  });
});
