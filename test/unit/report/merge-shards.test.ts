import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hostsOfShard } from "../../../src/inventory/shard.js";
import { parseReport } from "../../../src/report/load-report.js";
import { mergeReports, ReportMergeCode } from "../../../src/report/merge.js";
import type { FleetReport } from "../../../src/report/types.js";
import { caughtFleetError } from "../../support/caught.js";
import { syntheticReport } from "../../support/synthetic-report.js";

/** The report of one unsharded run over 12 hosts, two of them in a cluster. */
const whole = (): FleetReport => syntheticReport(Array.from({ length: 12 }, (_, index) => [index % 3 === 0 ? "fail" : "pass", "pass"]), ["c1", "c1"]);

/** What shard `index` of `count` would have reported of the same run. */
function shardReport(report: FleetReport, index: number, count: number): FleetReport {
  const hosts = hostsOfShard(report.hosts, { index, count });
  return { ...report, shard: { index, count }, hosts, summary: { ...report.summary, hosts: hosts.length } };
}

describe("fleet report merge of a run split with --shard", () => {
  it("accepts every shard once, in any order, and the merged report is not a shard", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 1000 }), (count, seed) => {
        const parts = Array.from({ length: count }, (_, index) => shardReport(whole(), index + 1, count));
        const order = parts.map((_, index) => index).sort((a, b) => ((a * 7919 + seed) % count) - ((b * 7919 + seed) % count));
        const merged = mergeReports(order.map((index) => parts[index] as FleetReport));
        expect(merged.shard).toBeUndefined();
        expect(merged.hosts.map((host) => host.name).sort()).toEqual(whole().hosts.map((host) => host.name).sort());
      }),
    );
  });

  it("refuses a set with a shard missing, naming it", () => {
    const parts = [1, 2, 4].map((index) => shardReport(whole(), index, 4));
    const error = caughtFleetError(() => mergeReports(parts, ["a.json", "b.json", "d.json"]));
    expect(error.code).toBe(ReportMergeCode.shards);
    expect(error.message).toBe("shard 3/4 is missing");
    expect(error.category).toBe("usage");
  });

  it("names how many shards are missing when several are", () => {
    const error = caughtFleetError(() => mergeReports([shardReport(whole(), 2, 5)]));
    expect(error.message).toBe("4 shards are missing: 1/5, 3/5, 4/5, 5/5");
  });

  it("refuses a shard given twice, also an empty one (the host overlap check cannot see that)", () => {
    const empty = { ...shardReport(whole(), 1, 2), hosts: [] };
    const error = caughtFleetError(() => mergeReports([empty, shardReport(whole(), 2, 2), empty], ["one.json", "two.json", "again.json"]));
    expect(error.code).toBe(ReportMergeCode.shards);
    expect(error.message).toBe("shard 1/2 is given twice: one.json and again.json");
  });

  it("refuses shards of different splits", () => {
    const error = caughtFleetError(() => mergeReports([shardReport(whole(), 1, 2), shardReport(whole(), 2, 3)], ["x.json", "y.json"]));
    expect(error.message).toBe("y.json is shard 2/3, x.json is shard 1/2");
  });

  it("refuses a whole run's report among shards'", () => {
    const error = caughtFleetError(() => mergeReports([shardReport(whole(), 1, 2), { ...whole(), hosts: [] }], ["s1.json", "all.json"]));
    expect(error.message).toBe("all.json is not a shard's report, s1.json is shard 1/2");
  });

  it("keeps a cluster's members in one shard", () => {
    for (let count = 1; count <= 12; count++) {
      const holding = Array.from({ length: count }, (_, index) => shardReport(whole(), index + 1, count)).filter((part) => part.hosts.some((host) => host.cluster === "c1"));
      expect(holding.length).toBe(1);
      expect(holding[0]?.hosts.filter((host) => host.cluster === "c1").length).toBe(2);
    }
  });
});

describe("the shard field of a saved report", () => {
  const text = (shard: unknown): string => JSON.stringify({ ...whole(), hosts: [], summary: { ...whole().summary, hosts: 0 }, shard }, null, 2);

  it("is read back as written", () => {
    expect(parseReport(text({ index: 2, count: 4 }), "s.json").shard).toEqual({ index: 2, count: 4 });
    expect(parseReport(text(undefined), "s.json").shard).toBeUndefined();
  });

  it("is refused, located, when the index is outside 1..count", () => {
    expect(() => parseReport(text({ index: 5, count: 4 }), "s.json")).toThrow(/shard: shard index must be between 1 and count/);
  });
});
