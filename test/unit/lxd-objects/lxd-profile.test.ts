import { describe, expect, it } from "vitest";
import { parseInstances, INSTANCES_PATH } from "../../../src/facts/lxd/objects-instances.js";
import { LXC, type LxdQueryResult } from "../../../src/facts/lxd/query.js";
import type { FactValue } from "../../../src/facts/types.js";
import { lxdProfileModule } from "../../../src/modules/lxd-profile.js";
import { planModule } from "../../support/plan-module.js";
import { afterEffects, argIssues, expectChange, expectIdempotent, factsOf, json, withoutLxd, ok, tb3, type Facts } from "./support.js";

const plan = (args: unknown, facts: Facts = factsOf(tb3)) => planModule(lxdProfileModule, args, facts).plan;
const scripts = (args: unknown, facts: Facts = factsOf(tb3)): string[] => expectChange(plan(args, facts)).commands.map((command) => command.script);
const lxc = (words: string): string => `${LXC} ${words} </dev/null`;
const INSTANCES = `lxd_query:${INSTANCES_PATH}`;
const PROFILES = "lxd_query:/1.0/profiles?recursion=1&project=default";

function instancesIn(facts: Facts) {
  const read = parseInstances(facts[INSTANCES] as LxdQueryResult);
  if (!read.ok) throw new Error(read.message);
  return read.value;
}

describe("lxd_profile: plans on the tb3 scenario (LXD 5.0.2)", () => {
  it("a missing profile: create, set the keys, add the devices, add it to the instances", () => {
    const args = {
      name: "fleet-test-new",
      config: { "limits.cpu": 2, "security.nesting": false, "user.note": "it's mine" },
      devices: { data: { type: "disk", source: "/srv/data", path: "/mnt/data", readonly: true } },
      attach_to: ["fleet-test-clean", "c1"],
    };
    const first = expectChange(plan(args));
    expect(first.commands.map((command) => command.script)).toEqual([
      lxc("profile create fleet-test-new --project default"),
      lxc("profile set fleet-test-new limits.cpu=2 security.nesting=false 'user.note=it'\\''s mine' --project default"),
      lxc("profile device add fleet-test-new data disk source=/srv/data path=/mnt/data readonly=true --project default"),
      // in the order of the instance list
      lxc("profile add c1 fleet-test-new --project default"),
      lxc("profile add fleet-test-clean fleet-test-new --project default"),
    ]);
    expect(first.summary).toBe("profile fleet-test-new: create; limits.cpu: (unset) → 2; security.nesting: (unset) → false; user.note: (unset) → it's mine; add device data; add to c1 and fleet-test-clean");
    expect(first.diff?.before).toBe("");
    expect(first.diff?.after).toContain("profile fleet-test-new\nconfig:\n  limits.cpu: 2\n  security.nesting: false\n  user.note: it's mine\ndevices:\n  data:\n    path: /mnt/data\n");
    expect(first.diff?.after).toContain("used by:\n  default/c1: yes\n  default/fleet-test-clean: yes\n");
    expectIdempotent(lxdProfileModule, args, factsOf(tb3));
  });

  it("the predicted instances carry the profile last and its keys in their expanded config", () => {
    const args = { name: "fleet-test-new", config: { "limits.cpu": 2 }, attach_to: ["c1"] };
    const after = afterEffects(factsOf(tb3), expectChange(plan(args)));
    const c1 = instancesIn(after).find((instance) => instance.name === "c1");
    expect(c1?.profiles).toEqual(["default", "fleet-test-new"]);
    expect(c1?.expandedConfig["limits.cpu"]).toBe("2");
    // the instance's own config still wins over the profile
    const localpriv = instancesIn(afterEffects(factsOf(tb3), expectChange(plan({ ...args, config: { "limits.memory": "64MiB" }, attach_to: ["fleet-test-localpriv"] })))).find((instance) => instance.name === "fleet-test-localpriv");
    expect(localpriv?.expandedConfig["limits.memory"]).toBe("2GiB");
  });

  it("an existing profile that holds the values (booleans by meaning) is ok", () => {
    expect(plan({ name: "fleet-test-hardened", config: { "security.idmap.isolated": "yes", "limits.cpu": 1, "security.nesting": "off", "user.gone": null }, attach_to: ["fleet-test-clean"] })).toEqual({
      kind: "ok",
      reason: "profile fleet-test-hardened exists with security.idmap.isolated=true, limits.cpu=1, security.nesting=false, user.gone unset; used by fleet-test-clean of project default",
      actual: "limits.cpu: 1\nlimits.memory: 1GiB\nlimits.processes: 500\nsecurity.idmap.isolated: true\nsecurity.nesting: false",
    });
  });

  it("set and unset keys of an existing profile", () => {
    const args = { name: "fleet-test-hardened", config: { "limits.cpu": "4", "security.nesting": null, "security.idmap.isolated": "" } };
    expect(scripts(args)).toEqual([
      lxc("profile set fleet-test-hardened limits.cpu=4 --project default"),
      lxc("profile unset fleet-test-hardened security.nesting --project default"),
      lxc("profile unset fleet-test-hardened security.idmap.isolated --project default"),
    ]);
    const { first } = expectIdempotent(lxdProfileModule, args, factsOf(tb3));
    expect(first.expected).toBe("limits.cpu=4 security.nesting=(unset) security.idmap.isolated=(unset)");
    expect(first.actual).toBe("limits.cpu=1 security.nesting=false security.idmap.isolated=true");
    // both instances using the profile get the new value in their expanded config
    const after = instancesIn(afterEffects(factsOf(tb3), first));
    expect(after.filter((instance) => instance.expandedConfig["limits.cpu"] === "4").map((instance) => instance.name)).toEqual(["fleet-test-clean", "fleet-test-localpriv"]);
    expect(after.find((instance) => instance.name === "fleet-test-localpriv")?.expandedConfig["security.nesting"]).toBe("on");
  });

  it("devices are held exactly: keys set and unset, another type replaced, null removed", () => {
    const args = {
      name: "fleet-test-share",
      devices: { share: { type: "disk", source: "/srv", path: "/mnt/share", readonly: "true" }, logs: { type: "disk", source: "/var/log", path: "/mnt/logs" }, kvm: { type: "unix-char", source: "/dev/kvm" } },
    };
    expect(scripts(args)).toEqual([
      lxc("profile device set fleet-test-share share readonly=true --project default"),
      lxc("profile device unset fleet-test-share logs readonly --project default"),
      lxc("profile device add fleet-test-share kvm unix-char source=/dev/kvm --project default"),
    ]);
    expectIdempotent(lxdProfileModule, args, factsOf(tb3));

    // a key given as "" is a key the device must not have
    const blank = { name: "fleet-test-share", devices: { logs: { type: "disk", source: "/var/log", path: "/mnt/logs", readonly: "" } } };
    expect(scripts(blank)).toEqual([lxc("profile device unset fleet-test-share logs readonly --project default")]);
    expectIdempotent(lxdProfileModule, blank, factsOf(tb3));

    const replace = { name: "fleet-test-nest", devices: { gpu0: { type: "none" }, kvm: null } };
    expect(scripts(replace)).toEqual([
      lxc("profile device remove fleet-test-nest gpu0 --project default"),
      lxc("profile device add fleet-test-nest gpu0 none --project default"),
      lxc("profile device remove fleet-test-nest kvm --project default"),
    ]);
    const { first } = expectIdempotent(lxdProfileModule, replace, factsOf(tb3));
    const profpriv = instancesIn(afterEffects(factsOf(tb3), first)).find((instance) => instance.name === "fleet-test-profpriv");
    expect(profpriv?.expandedDevices).toMatchObject({ gpu0: { type: "none" } });
    expect(profpriv?.expandedDevices["kvm"]).toBeUndefined();
  });

  it('attach_to "all": every instance of the project that lacks it', () => {
    const args = { name: "fleet-test-hardened", attach_to: "all" };
    expect(scripts(args)).toEqual([
      lxc("profile add c1 fleet-test-hardened --project default"),
      lxc("profile add c2 fleet-test-hardened --project default"),
      lxc("profile add fleet-test-profpriv fleet-test-hardened --project default"),
    ]);
    const { first } = expectIdempotent(lxdProfileModule, args, factsOf(tb3));
    expect(first.summary).toBe("profile fleet-test-hardened: add to c1, c2 and fleet-test-profpriv");
    // fleet-test-pi is in another project: untouched
    expect(instancesIn(afterEffects(factsOf(tb3), first)).find((instance) => instance.name === "fleet-test-pi")?.profiles).toEqual(["default"]);
  });

  it("a project without its own profiles (features.profiles=false) uses the default project's: the profile is made there", () => {
    const projects = (json(tb3, "/1.0/projects?recursion=1") as Record<string, FactValue>[]).map((project) =>
      project["name"] === "fleet-test-p" ? { ...project, config: { "features.images": "true", "features.profiles": "false" }, used_by: ["/1.0/instances/fleet-test-pi?project=fleet-test-p"] } : project,
    );
    const facts: Facts = { ...factsOf(tb3), "lxd_query:/1.0/projects?recursion=1": ok(projects), "lxd_query:/1.0/profiles?recursion=1&project=fleet-test-p": factsOf(tb3)[PROFILES] as FactValue };
    const args = { name: "fleet-test-shared", project: "fleet-test-p", config: { "limits.processes": 100 }, attach_to: "all" };
    const first = expectChange(plan(args, facts));
    expect(first.summary).toBe("profile fleet-test-shared (project default, whose profiles fleet-test-p uses): create; limits.processes: (unset) → 100; add to fleet-test-pi");
    expect(first.commands.map((command) => command.script)).toEqual([
      lxc("profile create fleet-test-shared --project fleet-test-p"),
      lxc("profile set fleet-test-shared limits.processes=100 --project fleet-test-p"),
      lxc("profile add fleet-test-pi fleet-test-shared --project fleet-test-p"),
    ]);
    const after = afterEffects(facts, first);
    expect((after["lxd_query:/1.0/projects?recursion=1"] as { value: { name: string; used_by: string[] }[] }).value.find((project) => project.name === "default")?.used_by.filter((url) => url.startsWith("/1.0/profiles/"))).toEqual([
      "/1.0/profiles/default",
      "/1.0/profiles/fleet-test-hardened",
      "/1.0/profiles/fleet-test-nest",
      "/1.0/profiles/fleet-test-share",
      "/1.0/profiles/fleet-test-shared",
    ]);
    expect(instancesIn(after).find((instance) => instance.name === "fleet-test-pi")?.expandedConfig["limits.processes"]).toBe("100");
    expectIdempotent(lxdProfileModule, args, facts);
  });

  it("fails on instances that do not exist, and on a missing project", () => {
    expect(plan({ name: "p", attach_to: ["c1", "ghost", "fleet-test-pi"] })).toEqual({ kind: "fail", message: "cannot add profile p to ghost and fleet-test-pi: no such instance in project default" });
    expect(plan({ name: "p", project: "nope" }, { ...factsOf(tb3), "lxd_query:/1.0/profiles?recursion=1&project=nope": { ok: false, reason: "error", message: "x" } })).toEqual({
      kind: "fail",
      message: "project nope does not exist (create it first, e.g. with lxd_project)",
    });
  });

  it("no LXD: not applicable", () => {
    expect(plan({ name: "p" }, withoutLxd(factsOf(tb3)))).toEqual({ kind: "not_applicable", reason: "LXD is not installed" });
  });

  it("reads the projects, the project's profiles and all instances", () => {
    expect(planModule(lxdProfileModule, { name: "p", project: "fleet-test-p" }, factsOf(tb3)).requested).toEqual([
      "lxd_query:/1.0/projects?recursion=1",
      "lxd_query:/1.0/profiles?recursion=1&project=fleet-test-p",
      "lxd_query:/1.0/instances?recursion=1&all-projects=true",
    ]);
  });
});

describe("lxd_profile arguments", () => {
  it.each<[unknown, string[]]>([
    [{ name: "a b" }, ['name: a profile name has no spaces, "/", ",", quotes or backslashes']],
    [{ name: "p", config: { "limits.cpu": { max: 2 } } }, ["config.limits.cpu: must be a string, number, boolean or null (null unsets the key)"]],
    [{ name: "p", config: { "bad key": 1 } }, ["config.bad key: a config key has only letters, digits and . _ : -, and starts with a letter, digit or _"]],
    [{ name: "p", config: { "user.x": "a\nb" } }, ["config.user.x: must be one line"]],
    [{ name: "p", devices: { eth0: { nictype: "bridged" } } }, ['devices.eth0: a device needs a "type" (disk, nic, unix-char, ...)']],
    [{ name: "p", devices: { eth0: { type: "nic", parent: ["x"] } } }, ["devices.eth0.parent: must be a string, number or boolean"]],
    [{ name: "p", attach_to: "some" }, ['attach_to: must be a list of instance names or "all"']],
    [{ name: "p", attach_to: ["c1", ""] }, ["attach_to.1: an instance name must not be empty"]],
    [{ name: "p", profile: "x" }, [': unknown argument "profile" of lxd_profile (it takes attach_to, config, devices, name, project)']],
    [{}, ["name: must be a profile name"]],
  ])("%j", (raw, issues) => expect(argIssues(lxdProfileModule, raw)).toEqual(issues));
});
