import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FleetError } from "../../../src/errors.js";
import { hostsOfShard, parseShard, placementKey, shardOfKey } from "../../../src/inventory/shard.js";

interface Host {
  name: string;
  cluster: string | null;
}

const hostsArbitrary = fc.uniqueArray(fc.record({ name: fc.string({ minLength: 1, maxLength: 12 }), cluster: fc.option(fc.constantFrom("c1", "c2", "c3", "edge"), { nil: null }) }), { selector: (host) => host.name, maxLength: 60 });

describe("parseShard", () => {
  it("reads I/N", () => {
    expect(parseShard("1/1")).toEqual({ index: 1, count: 1 });
    expect(parseShard(" 3/4 ")).toEqual({ index: 3, count: 4 });
  });

  it.each(["0/4", "5/4", "1/0", "1", "a/b", "1/4/2", "-1/4", "1.5/4", "", "1/10001"])("refuses %j as a usage error with an example", (text) => {
    let caught: unknown;
    try {
      parseShard(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FleetError);
    expect((caught as FleetError).category).toBe("usage");
    expect((caught as FleetError).code).toBe("SHARD_BAD_OPTION");
    expect((caught as FleetError).hint).toContain("--shard 2/4");
  });
});

describe("hostsOfShard", () => {
  it("puts every host in exactly one shard, for any N", () => {
    fc.assert(
      fc.property(hostsArbitrary, fc.integer({ min: 1, max: 12 }), (hosts, count) => {
        const parts = Array.from({ length: count }, (_, index) => hostsOfShard(hosts, { index: index + 1, count }));
        const names = parts.flat().map((host) => host.name);
        expect(names.slice().sort()).toEqual(hosts.map((host) => host.name).sort());
        expect(new Set(names).size).toBe(names.length);
      }),
    );
  });

  it("keeps the members of a cluster together", () => {
    fc.assert(
      fc.property(hostsArbitrary, fc.integer({ min: 2, max: 12 }), (hosts, count) => {
        for (let index = 1; index <= count; index++) {
          const clusters = new Set(hostsOfShard(hosts, { index, count }).flatMap((host) => (host.cluster === null ? [] : [host.cluster])));
          for (const cluster of clusters) {
            const members = hosts.filter((host) => host.cluster === cluster);
            expect(hostsOfShard(members, { index, count })).toEqual(members);
          }
        }
      }),
    );
  });

  it("depends on names only: order, other hosts and the machine do not move a host", () => {
    fc.assert(
      fc.property(hostsArbitrary, hostsArbitrary, fc.integer({ min: 1, max: 12 }), (hosts, others, count) => {
        const shardOf = (host: Host, among: readonly Host[]): number => {
          for (let index = 1; index <= count; index++) if (hostsOfShard(among, { index, count }).includes(host)) return index;
          return 0;
        };
        const mixed = [...others.filter((other) => !hosts.some((host) => host.name === other.name)), ...hosts].reverse();
        for (const host of hosts) expect(shardOf(host, mixed)).toBe(shardOf(host, hosts));
      }),
    );
  });

  it("is pinned: the partition of known names never changes between releases", () => {
    // a changed hash would move hosts between the shards of running CI matrices and Indexed Jobs
    expect(["host:tb1", "host:tb2", "host:tb3", "cluster:cluster1", "host:web01"].map((key) => shardOfKey(key, 4))).toEqual(PINNED);
    expect(placementKey({ name: "tbc1", cluster: "cluster1" })).toBe("cluster:cluster1");
  });

  it("spreads 1,000 standalone hosts evenly enough over 4 shards", () => {
    const hosts = Array.from({ length: 1000 }, (_, index) => ({ name: `host-${index}`, cluster: null }));
    const sizes = [1, 2, 3, 4].map((index) => hostsOfShard(hosts, { index, count: 4 }).length);
    for (const size of sizes) expect(Math.abs(size - 250)).toBeLessThan(50);
  });
});

const PINNED = [2, 4, 3, 2, 1];
