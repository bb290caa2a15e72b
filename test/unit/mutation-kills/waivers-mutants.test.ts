import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ControlStatus } from "../../../src/engine/results.js";
import type { FleetReport } from "../../../src/report/types.js";
import { applyWaivers, type Waiver } from "../../../src/report/waivers.js";
import { syntheticReport } from "../../support/synthetic-report.js";

/**
 * Waivers turn failures into accepted ones: a host pattern that waives more hosts than it names
 * hides real findings. These pin the pattern rules and the score the mutation run found unguarded.
 */

const waiver = (fields: Partial<Waiver> & Pick<Waiver, "control">): Waiver => ({ hosts: "all", justification: "accepted", expires: null, rule: null, ...fields });
const now = new Date("2026-12-02T12:00:00Z");

/** tb1, tb2 (standalone), tbc1, tbc2 (lxd, cluster1), web1 (web, lxd); every control fails unless given. */
function fleet(statuses: ControlStatus[][] = []): FleetReport {
  const names = ["tb1", "tb2", "tbc1", "tbc2", "web1"];
  const report = syntheticReport(
    names.map((_, index) => statuses[index] ?? ["fail", "fail", "fail"]),
    [null, null, "cluster1", "cluster1", null],
  );
  const groups = [["standalone"], ["standalone"], ["lxd"], ["lxd"], ["web", "lxd"]];
  report.hosts.forEach((host, index) => {
    host.name = names[index] ?? host.name;
    host.groups = groups[index] ?? [];
  });
  return report;
}

const waivedCells = (report: FleetReport): string[] => report.hosts.flatMap((host) => host.controls.filter((result) => result.status === "waived").map((result) => `${host.name}/${result.id}`));
const waivedBy = (hosts: string): string[] => waivedCells(applyWaivers(fleet(), [waiver({ control: "C-0", hosts })], now).report);

describe("waiver host patterns on a report", () => {
  it("a term naming no host of the report adds none, even with a ! or & inside the name; the other terms still select", () => {
    expect(waivedBy("tb2,tb1!")).toEqual(["tb2/C-0"]);
    expect(waivedBy("tb2,tb&1")).toEqual(["tb2/C-0"]);
  });

  it("an & term that matches nothing leaves no host, whatever the other terms select", () => {
    expect(waivedBy("tb*,&nothere")).toEqual([]);
    const { warnings } = applyWaivers(fleet(), [waiver({ control: "C-0", hosts: "tb*,&nothere" })], now);
    expect(warnings).toEqual(['waiver C-0 on tb*,&nothere: hosts "tb*,&nothere" match no host of the report']);
  });

  it("when no plain term matches, & and ! terms alone do not widen the waiver to every host", () => {
    expect(waivedBy("nothere,!tb1")).toEqual([]);
    expect(waivedBy("nothere,&tb*")).toEqual([]);
    // without a plain term at all, ! and & apply to all hosts, as with -l
    expect(waivedBy("!tb1")).toEqual(["tb2/C-0", "tbc1/C-0", "tbc2/C-0", "web1/C-0"]);
  });

  it("never reads a pattern file (@FILE): a report's waivers name hosts, not files", () => {
    const file = join(mkdtempSync(join(tmpdir(), "fleet-waiver-")), "hosts.txt");
    writeFileSync(file, "tb1\n");
    const { report, warnings } = applyWaivers(fleet(), [waiver({ control: "C-0", hosts: `@${file}` })], now);
    expect(waivedCells(report)).toEqual([]);
    expect(warnings).toEqual([`waiver C-0 on @${file}: hosts ${JSON.stringify(`@${file}`)} match no host of the report`]);
  });
});

describe("the score after waivers", () => {
  it("is weighted by the severity of each control in the report's catalogue", () => {
    // C-0 critical (4), C-1 high (3), C-2 medium (2): one host, C-0 passes, C-1 fails, C-2 fails and is waived
    const report = syntheticReport([["pass", "fail", "fail"]]);
    const { report: waived } = applyWaivers(report, [waiver({ control: "C-2" })], now);
    expect(waived.hosts[0]?.controls.map((result) => result.status)).toEqual(["pass", "fail", "waived"]);
    expect(waived.summary.score).toBe(57.1);
  });
});
