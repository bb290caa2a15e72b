import { describe, expect, it } from "vitest";
import { fanOut, type FanOutEvent } from "../../../src/engine/fan-out.js";
import { FakeTransport } from "../../../src/transport/fake.js";
import { targetsNamed } from "./targets.js";

describe("fanOut", () => {
  it.each([
    { hosts: 30, forks: 5, handshakes: 2 },
    { hosts: 30, forks: 10, handshakes: 10 },
    { hosts: 4, forks: 50, handshakes: 32 },
  ])("bounds open connections by forks and connects in flight by handshakes ($hosts hosts, forks $forks, handshakes $handshakes)", async ({ hosts, forks, handshakes }) => {
    const transport = new FakeTransport(() => ({ connectDelayMs: 5, reply: () => ({ delayMs: 60 }) }));
    const runs = await fanOut(targetsNamed(hosts), transport, (connection) => connection.exec("true"), { forks, handshakes });
    expect(runs.every((run) => run.kind === "done")).toBe(true);
    expect(transport.peakOpenConnections).toBe(Math.min(forks, hosts));
    expect(transport.peakConnectsInFlight).toBe(Math.min(handshakes, forks, hosts));
    expect(transport.openConnections).toBe(0);
  });

  it("uses one connection per host for all of its commands", async () => {
    const transport = new FakeTransport();
    await fanOut(targetsNamed(3), transport, async (connection) => {
      await Promise.all([connection.exec("a"), connection.exec("b"), connection.exec("c")]);
    }, { forks: 2, handshakes: 2 });
    expect(transport.events.filter((event) => event.event === "connect")).toHaveLength(3);
    expect(transport.commandsRunOn("h2").sort()).toEqual(["a", "b", "c"]);
  });

  it("turns transport failures into unreachable and other throws into crashed, while the rest finish", async () => {
    const transport = new FakeTransport((host) => {
      if (host === "h2") return { unreachable: "timeout", connectDelayMs: 20 };
      if (host === "h3") return { reply: () => ({ lose: true }) };
      return {};
    });
    const runs = await fanOut(targetsNamed(4), transport, async (connection, target) => {
      if (target.host === "h4") throw new TypeError("bug in a module");
      return (await connection.exec("true")).exitCode;
    }, { forks: 4, handshakes: 4 });
    expect(runs.map((run) => [run.host, run.kind])).toEqual([["h1", "done"], ["h2", "unreachable"], ["h3", "unreachable"], ["h4", "crashed"]]);
    const h2 = runs[1];
    expect(h2?.kind === "unreachable" && h2.error.code).toBe("SSH_TIMEOUT");
    expect(runs[3]?.kind === "crashed" && runs[3].message).toContain("bug in a module");
    expect(transport.openConnections).toBe(0);
  });

  it("reports progress events for every host, finishing order first-come", async () => {
    const delays: Record<string, number> = { h1: 40, h2: 0, h3: 20 };
    const transport = new FakeTransport((host) => ({ reply: () => ({ delayMs: delays[host] ?? 0 }) }));
    const events: FanOutEvent<unknown>[] = [];
    await fanOut(targetsNamed(3), transport, (connection) => connection.exec("x"), { forks: 3, handshakes: 3, onEvent: (event) => events.push(event) });
    expect(events.filter((event) => event.type === "host-finished").map((event) => event.host)).toEqual(["h2", "h3", "h1"]);
    expect(events.filter((event) => event.type === "host-started")).toHaveLength(3);
    expect(events.filter((event) => event.type === "host-connected")).toHaveLength(3);
  });
});
