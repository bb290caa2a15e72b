import { describe, expect, it } from "vitest";
import { LXC } from "../../../src/facts/lxd/query.js";
import { lxdProjectModule } from "../../../src/modules/lxd-project.js";
import { planModule } from "../../support/plan-module.js";
import { argIssues, documented, expectChange, expectIdempotent, factsOf, withoutLxd, tb3, type Facts } from "./support.js";

const plan = (args: unknown, facts: Facts = factsOf(tb3)) => planModule(lxdProjectModule, args, facts).plan;
const lxc = (words: string): string => `${LXC} ${words} </dev/null`;

describe("lxd_project on tb3 (LXD 5.0.2)", () => {
  it("a missing project is created with its config in one command (never visible unrestricted)", () => {
    const args = { name: "tenant-a", config: { restricted: true, "restricted.containers.nesting": "block", "limits.containers": 10, "user.gone": null } };
    const first = expectChange(plan(args));
    expect(first.commands).toEqual([
      { script: lxc("project create tenant-a -c restricted=true -c restricted.containers.nesting=block -c limits.containers=10"), description: "create LXD project tenant-a with restricted, restricted.containers.nesting, limits.containers" },
    ]);
    expect(first.summary).toBe("create project tenant-a (restricted=true restricted.containers.nesting=block limits.containers=10)");
    expect(first.diff).toEqual({
      before: "",
      after:
        "project tenant-a\n  features.images: true\n  features.profiles: true\n  features.storage.volumes: true\n  limits.containers: 10\n  restricted: true\n  restricted.containers.nesting: block\n",
    });
    const { second } = expectIdempotent(lxdProjectModule, args, factsOf(tb3));
    expect(second).toEqual({
      kind: "ok",
      reason: "project tenant-a holds limits.containers=10, restricted=true, restricted.containers.nesting=block, user.gone unset",
      actual: "limits.containers: 10\nrestricted: true\nrestricted.containers.nesting: block",
    });
  });

  it("a new project's predicted reads: the project list in name order, and its own default profile", () => {
    const first = expectChange(plan({ name: "aaa" }));
    const projects = first.effects.find((effect) => effect.request.arg === "/1.0/projects?recursion=1")?.value as { value: { name: string; used_by: string[] }[] };
    expect(projects.value.map((project) => project.name)).toEqual(["aaa", "default", "fleet-test-p", "fleet-test-q"]);
    expect(projects.value[0]?.used_by).toEqual(["/1.0/profiles/default?project=aaa"]);
    expect(first.effects.find((effect) => effect.request.arg === "/1.0/profiles?recursion=1&project=aaa")?.value).toEqual({
      ok: true,
      value: [{ config: {}, description: "Default LXD profile for project aaa", devices: {}, name: "default", used_by: [] }],
    });
    // without its own networks it sees the default project's ACLs: nothing predicted for them
    expect(first.effects.map((effect) => effect.request.arg)).toEqual(["/1.0/projects?recursion=1", "/1.0/profiles?recursion=1&project=aaa"]);
  });

  it("features.profiles=false: no own profiles, nothing predicted for them; features.networks=true: its (empty) ACL list", () => {
    const first = expectChange(plan({ name: "flat", config: { "features.profiles": false, "features.networks": true } }));
    expect(first.effects.map((effect) => effect.request.arg)).toEqual(["/1.0/projects?recursion=1", "/1.0/network-acls?recursion=1&project=flat"]);
  });

  it("an existing project: set what differs, unset what is null; booleans by meaning", () => {
    const args = { name: "fleet-test-p", config: { restricted: "yes", "features.images": 1, "features.storage.volumes": null } };
    const first = expectChange(plan(args));
    expect(first.commands.map((command) => command.script)).toEqual([lxc("project set fleet-test-p restricted=yes"), lxc("project unset fleet-test-p features.storage.volumes")]);
    expect(first.summary).toBe("project fleet-test-p: features.storage.volumes true → (unset), restricted (unset) → yes");
    expect(first.expected).toBe("features.storage.volumes=(unset) restricted=yes");
    expect(first.actual).toBe("features.storage.volumes=true restricted=(unset)");
    expect(first.diff).toEqual({ before: "features.storage.volumes: true\n", after: "restricted: yes\n" });
    expectIdempotent(lxdProjectModule, args, factsOf(tb3));
  });

  it("ok when the keys hold", () => {
    expect(plan({ name: "fleet-test-p", config: { "features.profiles": "on" } })).toEqual({ kind: "ok", reason: "project fleet-test-p holds features.profiles=true", actual: "features.profiles: true" });
    expect(plan({ name: "default" })).toEqual({ kind: "ok", reason: "project default exists" });
  });

  it("no LXD: not applicable", () => {
    expect(plan({ name: "x" }, withoutLxd(factsOf(tb3)))).toEqual({ kind: "not_applicable", reason: "LXD is not installed" });
  });
});

describe("lxd_project on the LXD 5.21 shape", () => {
  it("a new project also gets features.storage.buckets, and its profile names its project", () => {
    const first = expectChange(plan({ name: "p2", config: { restricted: true } }, factsOf(documented)));
    expect(first.diff?.after).toContain("  features.storage.buckets: true\n");
    expect(first.effects.find((effect) => effect.request.arg === "/1.0/profiles?recursion=1&project=p2")?.value).toMatchObject({ value: [{ name: "default", project: "p2" }] });
    expectIdempotent(lxdProjectModule, { name: "p2", config: { restricted: true } }, factsOf(documented));
  });
});

describe("lxd_project arguments", () => {
  it.each<[unknown, string[]]>([
    [{ name: "a/b" }, ['name: a project name has no spaces, "/", ",", quotes or backslashes']],
    [{ name: "p", config: { restricted: [true] } }, ["config.restricted: must be a string, number, boolean or null (null unsets the key)"]],
    [{ name: "p", config: ["restricted=true"] }, ["config: Invalid input: expected record, received array"]],
    [{ name: "p", description: "x" }, [': unknown argument "description" of lxd_project (it takes config, name)']],
  ])("%j", (raw, issues) => expect(argIssues(lxdProjectModule, raw)).toEqual(issues));
});
