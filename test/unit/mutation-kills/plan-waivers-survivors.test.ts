import { describe, expect, it, vi } from "vitest";
import { FleetError } from "../../../src/errors.js";
import type { FleetReport } from "../../../src/report/types.js";
import { applyWaivers, reportInventory, type Waiver } from "../../../src/report/waivers.js";
import { syntheticReport } from "../../support/synthetic-report.js";

/**
 * Survivors of the mutation run (test/mutation/) in src/report/waivers.ts: the inventory a report
 * is matched as, and which failures of host selection mean "no host". (The survivors of
 * src/plan/decide.ts are all equivalent: see test/mutation/equivalent-mutants.md.)
 */

/** The next selectHosts call throws this instead of selecting: every other call is the real one. */
const selection = vi.hoisted(() => ({ failNextWith: undefined as unknown }));

vi.mock("../../../src/inventory/select.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../../src/inventory/select.js")>();
  const selectHosts: typeof actual.selectHosts = (...args) => {
    const failure = selection.failNextWith;
    if (failure !== undefined) {
      selection.failNextWith = undefined;
      throw failure;
    }
    return actual.selectHosts(...args);
  };
  return { ...actual, selectHosts };
});

const waiver = (fields: Partial<Waiver> & Pick<Waiver, "control">): Waiver => ({ hosts: "all", justification: "accepted", expires: null, rule: null, ...fields });
const now = new Date("2026-12-02T12:00:00Z");

/** tb1 (group standalone, no cluster) and tbc1 (groups lxd and cluster1, in cluster cluster1); every control fails. */
function fleet(groups: string[][] = [["standalone"], ["lxd"]]): FleetReport {
  const report = syntheticReport([["fail"], ["fail"]], [null, "cluster1"]);
  const names = ["tb1", "tbc1"];
  report.hosts.forEach((host, index) => {
    host.name = names[index] ?? host.name;
    host.groups = groups[index] ?? [];
  });
  return report;
}

describe("reportInventory: the report as the inventory a waiver's host pattern selects from", () => {
  it("every host is in all, in its own groups and in its cluster's group, and in nothing else; no sources, no warnings", () => {
    const inventory = reportInventory(fleet());
    expect(inventory.sources).toEqual([]);
    expect(inventory.warnings).toEqual([]);
    expect([...inventory.groups.values()]).toEqual([
      { name: "all", children: [], hosts: ["tb1", "tbc1"], vars: {} },
      { name: "standalone", children: [], hosts: ["tb1"], vars: {} },
      { name: "lxd", children: [], hosts: ["tbc1"], vars: {} },
      { name: "cluster1", children: [], hosts: ["tbc1"], vars: {} },
    ]);
    expect([...inventory.hosts.values()]).toEqual([
      { name: "tb1", vars: {}, groups: ["all", "standalone"], cluster: null },
      { name: "tbc1", vars: {}, groups: ["all", "lxd", "cluster1"], cluster: "cluster1" },
    ]);
  });

  it("a host whose inventory group is named like its cluster is listed in that group once", () => {
    const inventory = reportInventory(fleet([["standalone"], ["cluster1"]]));
    expect(inventory.groups.get("cluster1")?.hosts).toEqual(["tbc1"]);
    expect(inventory.groups.get("all")?.hosts).toEqual(["tb1", "tbc1"]);
  });
});

describe("applyWaivers: what a failure of host selection means", () => {
  it("a FleetError (the pattern names nothing here) is no host: the waiver is ignored with a warning", () => {
    selection.failNextWith = new FleetError("INVENTORY_NO_MATCH", '"tb1" matches no group or host');
    const { report, warnings } = applyWaivers(fleet(), [waiver({ control: "C-0", hosts: "tb1" })], now);
    expect(report.hosts.map((host) => host.controls[0]?.status)).toEqual(["fail", "fail"]);
    expect(warnings).toEqual(['waiver C-0 on tb1: hosts "tb1" match no host of the report']);
  });

  it("any other error is a fault, raised as it is: not hidden as a waiver that matches no host", () => {
    const fault = new TypeError("cannot read properties of undefined");
    selection.failNextWith = fault;
    expect(() => applyWaivers(fleet(), [waiver({ control: "C-0", hosts: "tb1" })], now)).toThrow(fault);
    // and without the fault the same waiver applies
    expect(applyWaivers(fleet(), [waiver({ control: "C-0", hosts: "tb1" })], now).report.hosts.map((host) => host.controls[0]?.status)).toEqual(["waived", "fail"]);
  });
});
