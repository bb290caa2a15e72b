import { describe, expect, it } from "vitest";
import { LXC } from "../../../src/facts/lxd/query.js";
import type { FactValue } from "../../../src/facts/types.js";
import { lxdResourcesAuditModule } from "../../../src/modules/lxd-resources-audit.js";
import { planModule } from "../../support/plan-module.js";
import { afterEffects, argIssues, cluster, documented, expectChange, expectFail, expectIdempotent, factsOf, json, withoutLxd, ok, tb3, type Facts } from "./support.js";

const plan = (args: unknown, facts: Facts = factsOf(tb3)) => planModule(lxdResourcesAuditModule, args, facts).plan;
const lxc = (words: string): string => `${LXC} ${words} </dev/null`;

describe("lxd_resources_audit on tb3 (LXD 5.0.2)", () => {
  it("lists the managed networks and pools nothing uses; unmanaged interfaces are never judged", () => {
    expect(plan({})).toEqual({
      kind: "fail",
      message:
        "2 unused resources [LXD-RES-01/02]:\n- network default/fleet-test-mv2 (macvlan) is used by nothing\n- storage pool fleet-test-unused (dir) is used by nothing\nDelete them (remove: true) or list them in allow_networks / allow_storage_pools.",
      expected: "no managed network or storage pool without users, outside the allowlist",
      actual: "network default/fleet-test-mv2, storage pool fleet-test-unused",
    });
  });

  it("the allowlist keeps them", () => {
    expect(plan({ allow_networks: ["default/fleet-test-mv2"], allow_storage_pools: ["fleet-test-unused"] })).toEqual({
      kind: "ok",
      reason: "no unused resources among 2 managed networks and 2 storage pools",
      actual: "none unused",
    });
    expect(plan({ allow_networks: ["fleet-test-mv2"], storage_pools: false }).kind).toBe("ok");
  });

  it("remove: true deletes them, and the predicted reads no longer list them", () => {
    const args = { remove: true };
    const first = expectChange(plan(args));
    expect(first.commands).toEqual([
      { script: lxc("network delete fleet-test-mv2 --project default"), description: "delete unused network default/fleet-test-mv2 (macvlan)" },
      { script: lxc("storage delete fleet-test-unused"), description: "delete unused storage pool fleet-test-unused (dir)" },
    ]);
    expect(first.summary).toBe("delete unused network default/fleet-test-mv2 and storage pool fleet-test-unused");
    expect(first.diff).toEqual({ before: "network default/fleet-test-mv2\nstorage pool fleet-test-unused\n", after: "" });
    const { second } = expectIdempotent(lxdResourcesAuditModule, args, factsOf(tb3));
    expect(second).toEqual({ kind: "ok", reason: "no unused resources among 1 managed network and 1 storage pool", actual: "none unused" });
    // the all-projects read of 5.0.2 is not trusted, so not predicted
    expect(first.effects.map((effect) => effect.request.arg)).toEqual(["/1.0/networks?recursion=1&project=default", "/1.0/projects?recursion=1", "/1.0/storage-pools?recursion=1"]);
  });

  it("only what is asked: networks or pools", () => {
    expect(expectFail(plan({ networks: false })).actual).toBe("storage pool fleet-test-unused");
    expect(expectFail(plan({ storage_pools: false })).actual).toBe("network default/fleet-test-mv2");
    expect(planModule(lxdResourcesAuditModule, { storage_pools: false }, factsOf(tb3)).requested).toEqual([
      "lxd_server:",
      "lxd_query:/1.0/projects?recursion=1",
      "lxd_query:/1.0/networks?recursion=1&all-projects=true",
      "lxd_query:/1.0/networks?recursion=1&project=default",
    ]);
  });

  it("a project that borrows the default project's networks owns none", () => {
    expect(expectFail(plan({ projects: ["fleet-test-p"] })).actual).toBe("storage pool fleet-test-unused");
  });

  it("5.0: projects with their own networks not named are said to be unjudged", () => {
    const projects = (json(tb3, "/1.0/projects?recursion=1") as Record<string, FactValue>[]).map((project) =>
      project["name"] === "fleet-test-p" ? { ...project, config: { "features.networks": "true" } } : project,
    );
    const facts = { ...factsOf(tb3), "lxd_query:/1.0/projects?recursion=1": ok(projects) };
    expect(plan({ allow_networks: ["fleet-test-mv2"], storage_pools: false }, facts)).toEqual({
      kind: "ok",
      reason: "no unused resources among 2 managed networks (networks of fleet-test-p not judged: LXD 5.0.2 lists networks one project at a time (name them in projects))",
      actual: "none unused",
    });
  });

  it("an unknown project, no LXD", () => {
    expect(plan({ projects: ["default", "ghost"] })).toEqual({ kind: "fail", message: "no project ghost on this LXD server" });
    expect(plan({}, withoutLxd(factsOf(tb3)))).toEqual({ kind: "not_applicable", reason: "LXD is not installed" });
  });

  it("a cluster's pool in use is fine", () => {
    expect(plan({ networks: false }, factsOf(cluster))).toEqual({ kind: "ok", reason: "no unused resources among 1 storage pool", actual: "none unused" });
  });
});

describe("lxd_resources_audit on the LXD 5.21 shape (all projects in one read)", () => {
  it("every project's networks; removal predicts the all-projects read and the project's own", () => {
    const facts = factsOf(documented);
    expect(expectFail(plan({}, facts)).actual).toBe("network default/spare0, network p1/idle");
    const first = expectChange(plan({ remove: true }, facts));
    expect(first.commands.map((command) => command.script)).toEqual([lxc("network delete spare0 --project default"), lxc("network delete idle --project p1")]);
    const after = afterEffects(facts, first);
    expect((after["lxd_query:/1.0/networks?recursion=1&all-projects=true"] as { value: { name: string }[] }).value.map((network) => network.name)).toEqual(["lxdbr0", "eth0", "ovn0"]);
    expectIdempotent(lxdResourcesAuditModule, { remove: true }, facts);
  });
});

describe("lxd_resources_audit arguments", () => {
  it.each<[unknown, string[]]>([
    [{ allow_networks: ["a/b/c"] }, ['allow_networks.0: must be a network name or "project/name"']],
    [{ remove: "yes" }, ["remove: Invalid input: expected boolean, received string"]],
    [{ projects: [] }, ["projects: name at least one project, or leave projects out for all"]],
    [{ allowlist: [] }, [': unknown argument "allowlist" of lxd_resources_audit (it takes allow_networks, allow_storage_pools, networks, projects, remove, storage_pools)']],
  ])("%j", (raw, issues) => expect(argIssues(lxdResourcesAuditModule, raw)).toEqual(issues));
});
