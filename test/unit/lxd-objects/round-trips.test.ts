import { describe, expect, it } from "vitest";
import { factKey, type FactValue } from "../../../src/facts/types.js";
import { lxdNetworkAclModule } from "../../../src/modules/lxd-network-acl.js";
import { lxdProfileModule } from "../../../src/modules/lxd-profile.js";
import { lxdProjectModule } from "../../../src/modules/lxd-project.js";
import { lxdResourcesAuditModule } from "../../../src/modules/lxd-resources-audit.js";
import type { Module } from "../../../src/modules/types.js";
import { planModule } from "../../support/plan-module.js";
import { afterEffects, expectChange, parseKeyed, roundTrips } from "./support.js";

/**
 * Each round trip was run for real on tb3 (LXD 5.0.2) by capture.ts: the facts read, the
 * module's commands applied over SSH, the facts read again. Here, on that data: the plan is the
 * same as the one applied, the state read after it plans ok, and the effects predicted the
 * state read after it exactly (so later tasks of a check-mode run see the truth).
 */
const erase = <Args>(module: Module<Args>): Module<unknown> => module as unknown as Module<unknown>;
const modules: Record<string, Module<unknown>> = {
  lxd_project: erase(lxdProjectModule),
  lxd_profile: erase(lxdProfileModule),
  lxd_network_acl: erase(lxdNetworkAclModule),
  lxd_resources_audit: erase(lxdResourcesAuditModule),
};

describe("round trips applied on the testbed", () => {
  it("covers every changing module", () => {
    expect(new Set(roundTrips.map((trip) => trip.module))).toEqual(new Set(Object.keys(modules)));
  });

  describe.each(roundTrips.map((trip, index) => [`${index}: ${trip.module} ${JSON.stringify(trip.args)}`, trip] as const))("%s", (_, trip) => {
    const module = modules[trip.module];
    if (module === undefined) throw new Error(`no module ${trip.module}`);
    const before = parseKeyed(trip.before);
    const after = parseKeyed(trip.after);

    it("plans the commands that were applied", () => {
      const plan = expectChange(planModule(module, trip.args, before).plan);
      expect(plan.commands.map((command) => command.script)).toEqual(trip.commands);
    });

    it("the state read after applying plans ok", () => {
      expect(planModule(module, trip.args, after).plan.kind).toBe("ok");
    });

    it("the effects predicted the state read after applying", () => {
      const plan = expectChange(planModule(module, trip.args, before).plan);
      for (const effect of plan.effects) {
        const key = factKey(effect.request);
        if (key in after) expect(unorderedHostInterfaces(effect.value), key).toEqual(unorderedHostInterfaces(after[key] ?? null));
      }
      expect(planModule(module, trip.args, afterEffects(before, plan)).plan.kind).toBe("ok");
    });
  });
});

/**
 * LXD 5.0 lists the users of an unmanaged host interface (the parent of a macvlan network) from
 * a map, so in any order from one read to the next: those lists are compared as sets.
 */
function unorderedHostInterfaces(value: FactValue): FactValue {
  if (typeof value !== "object" || value === null || Array.isArray(value) || !Array.isArray(value["value"])) return value;
  return {
    ...value,
    value: value["value"].map((item) =>
      typeof item === "object" && item !== null && !Array.isArray(item) && item["managed"] === false && Array.isArray(item["used_by"]) ? { ...item, used_by: [...item["used_by"]].sort() } : item,
    ),
  };
}
