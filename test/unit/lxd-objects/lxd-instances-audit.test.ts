import { describe, expect, it } from "vitest";
import { INSTANCES_PATH } from "../../../src/facts/lxd/objects-instances.js";
import type { FactValue } from "../../../src/facts/types.js";
import { lxdInstancesAuditModule } from "../../../src/modules/lxd-instances-audit.js";
import { planModule } from "../../support/plan-module.js";
import { argIssues, cluster, documented, expectFail, factsOf, json, withoutLxd, ok, tb3, type Facts } from "./support.js";

const INSTANCES = `lxd_query:${INSTANCES_PATH}`;
const plan = (args: unknown, facts: Facts) => planModule(lxdInstancesAuditModule, args, facts).plan;
const lines = (message: string): string[] => message.split("\n").slice(1);

/** The tb3 facts with only some of its instances. */
function onlyInstances(...names: string[]): Facts {
  const list = json(tb3, INSTANCES_PATH);
  if (!Array.isArray(list)) throw new Error("not a list");
  return { ...factsOf(tb3), [INSTANCES]: ok(list.filter((item) => typeof item === "object" && item !== null && !Array.isArray(item) && names.includes(item["name"] as string))) };
}

/** One tb3 instance, edited. */
function withInstance(name: string, edit: (instance: Record<string, FactValue>) => Record<string, FactValue>): Facts {
  const list = json(tb3, INSTANCES_PATH);
  if (!Array.isArray(list)) throw new Error("not a list");
  const found = list.find((item) => typeof item === "object" && item !== null && !Array.isArray(item) && item["name"] === name) as Record<string, FactValue>;
  return { ...factsOf(tb3), [INSTANCES]: ok([edit(found)]) };
}

describe("lxd_instances_audit on the tb3 scenario (LXD 5.0.2)", () => {
  it("names every offender, its key, value and who sets it; privileged + nesting is critical", () => {
    const failed = expectFail(plan({ projects: ["default", "fleet-test-p"] }, factsOf(tb3)));
    expect(failed.message.split("\n")[0]).toBe("14 findings on 5 of 6 instances (2 critical):");
    expect(lines(failed.message)).toEqual([
      "- CRITICAL default/fleet-test-localpriv: security.privileged=TRUE (instance config) and security.nesting=on (instance config): root in the container can become root on the host [LXD-INS-01, LXD-INS-03]",
      "- CRITICAL default/fleet-test-profpriv: security.privileged=yes (profile fleet-test-nest) and security.nesting=true (profile fleet-test-nest): root in the container can become root on the host [LXD-INS-01, LXD-INS-03]",
      "- default/c1: limits.cpu, limits.memory and limits.processes not set by any profile or the instance: no cap on the host's resources [LXD-INS-02]",
      "- default/c2: security.privileged=true (instance config): a privileged container runs as host root [LXD-INS-01]",
      "- default/c2: limits.cpu, limits.memory and limits.processes not set by any profile or the instance: no cap on the host's resources [LXD-INS-02]",
      "- default/fleet-test-localpriv: disk logs (type=disk source=/var/log path=/mnt/logs) from instance device is writable, not in disk_allowlist [LXD-DEV-02]",
      "- default/fleet-test-localpriv: disk share (type=disk source=/srv path=/mnt/share) from profile fleet-test-share is writable, not in disk_allowlist [LXD-DEV-02]",
      "- default/fleet-test-profpriv: limits.cpu, limits.memory and limits.processes not set by any profile or the instance: no cap on the host's resources [LXD-INS-02]",
      "- default/fleet-test-profpriv: bridged NIC eth0 (type=nic nictype=bridged parent=eth0) from instance device lacks security.ipv4_filtering=true and security.ipv6_filtering=true: it can spoof addresses [LXD-DEV-03]",
      "- default/fleet-test-profpriv: device gpu0 (type=gpu) from profile fleet-test-nest passes a host device through, not in device_allowlist [LXD-DEV-01]",
      "- default/fleet-test-profpriv: device kvm (type=unix-char source=/dev/kvm) from profile fleet-test-nest passes a host device through, not in device_allowlist [LXD-DEV-01]",
      "- fleet-test-p/fleet-test-pi: limits.memory and limits.processes not set by any profile or the instance: no cap on the host's resources [LXD-INS-02]",
      "- advisory: default/c1: security.idmap.isolated unset: shares its uid/gid range with other containers [LXD-INS-04]",
      "- advisory: fleet-test-p/fleet-test-pi: security.idmap.isolated unset: shares its uid/gid range with other containers [LXD-INS-04]",
    ]);
    expect(failed.expected).toBe(
      "no privileged containers; no nesting; isolated idmaps; limits.cpu, limits.memory, limits.processes set on every container; no passthrough devices outside device_allowlist; read-only disks outside disk_allowlist; IPv4 and IPv6 filtering on bridged NICs",
    );
    expect(failed.actual?.split("; ").slice(0, 4)).toEqual([
      "default/fleet-test-localpriv security.privileged=TRUE security.nesting=on",
      "default/fleet-test-profpriv security.privileged=yes security.nesting=true",
      "default/c1 limits.cpu,limits.memory,limits.processes unset",
      "default/c2 security.privileged=true",
    ]);
  });

  it("the clean instance (hardened profile, filtered NIC) passes: ok with the count judged", () => {
    expect(plan({}, onlyInstances("fleet-test-clean"))).toEqual({
      kind: "ok",
      reason: "1 instance judged (privileged, nesting, idmap, limits, devices, disks, nic_filtering): no findings",
      actual: "1 instances, no findings",
    });
  });

  it("privileged + nesting set by a profile vs by the instance: the source named is the one to fix", () => {
    const byProfile = expectFail(plan({ checks: ["privileged", "nesting"] }, onlyInstances("fleet-test-profpriv"))).message;
    expect(byProfile).toContain("security.privileged=yes (profile fleet-test-nest) and security.nesting=true (profile fleet-test-nest)");
    const byInstance = expectFail(plan({ checks: ["privileged", "nesting"] }, onlyInstances("fleet-test-localpriv"))).message;
    // the instance's nesting=on wins over its profile fleet-test-hardened's nesting=false
    expect(byInstance).toContain("security.privileged=TRUE (instance config) and security.nesting=on (instance config)");
  });

  it("nesting alone is a finding, not critical", () => {
    const facts = withInstance("fleet-test-profpriv", (instance) => ({ ...instance, config: { "security.privileged": "false" }, expanded_config: { "security.nesting": "true", "security.privileged": "false" } }));
    expect(expectFail(plan({ checks: ["privileged", "nesting"] }, facts)).message).toBe(
      "1 finding on 1 of 1 instance:\n- default/fleet-test-profpriv: security.nesting=true (profile fleet-test-nest): nesting lets the container run its own containers and mount more [LXD-INS-03]",
    );
  });

  it("without the profiles of a project (LXD 5.0 lists them per project), the source is 'a profile' and the message says why", () => {
    const failed = expectFail(plan({ checks: ["limits", "privileged"], limits: ["cpu"] }, withInstance("fleet-test-pi", (instance) => ({ ...instance, expanded_config: { "security.privileged": "1" } }))));
    expect(failed.message).toContain("security.privileged=1 (a profile (profiles of project fleet-test-p not read))");
    expect(failed.message.split("\n")[0]).toBe(
      "2 findings on 1 of 1 instance (profiles of project fleet-test-p not read, so which profile sets a value is not known (LXD before 5.21 lists profiles one project at a time: name it in projects)):",
    );
  });

  it("projects filters the instances judged", () => {
    const failed = expectFail(plan({ projects: ["fleet-test-p"] }, factsOf(tb3)));
    expect(lines(failed.message).every((line) => line.includes("fleet-test-p/fleet-test-pi"))).toBe(true);
    expect(failed.message).toContain("limits.memory and limits.processes not set");
  });

  it("allowlists: instance/device, project/instance/device and */device", () => {
    const failed = expectFail(
      plan({ checks: ["devices", "disks"], device_allowlist: ["fleet-test-profpriv/kvm", "*/gpu0"], disk_allowlist: ["default/fleet-test-localpriv/share"] }, factsOf(tb3)),
    );
    expect(lines(failed.message)).toEqual(["- default/fleet-test-localpriv: disk logs (type=disk source=/var/log path=/mnt/logs) from instance device is writable, not in disk_allowlist [LXD-DEV-02]"]);
    expect(plan({ checks: ["devices", "disks"], device_allowlist: ["*/kvm", "*/gpu0"], disk_allowlist: ["*/share", "fleet-test-localpriv/logs"] }, factsOf(tb3)).kind).toBe("ok");
  });

  it("a read-only disk (readonly=on) and the root disk are not findings", () => {
    const facts = withInstance("fleet-test-localpriv", (instance) => ({ ...instance, devices: {}, expanded_devices: { root: { path: "/", pool: "default", type: "disk" }, logs: { path: "/mnt/logs", readonly: "on", source: "/var/log", type: "disk" } } }));
    expect(plan({ checks: ["disks"] }, facts).kind).toBe("ok");
  });

  it("limits: only the ones asked for", () => {
    expect(lines(expectFail(plan({ checks: ["limits"], limits: ["cpu"] }, factsOf(tb3))).message)).toEqual([
      "- default/c1: limits.cpu not set by any profile or the instance: no cap on the host's resources [LXD-INS-02]",
      "- default/c2: limits.cpu not set by any profile or the instance: no cap on the host's resources [LXD-INS-02]",
      "- default/fleet-test-profpriv: limits.cpu not set by any profile or the instance: no cap on the host's resources [LXD-INS-02]",
      "- fleet-test-q/fleet-test-qi: limits.cpu not set by any profile or the instance: no cap on the host's resources [LXD-INS-02]",
    ]);
  });

  it("virtual machines are not judged on container keys, but their devices are", () => {
    const facts = withInstance("fleet-test-profpriv", (instance) => ({ ...instance, type: "virtual-machine" }));
    expect(lines(expectFail(plan({}, facts)).message).map((line) => line.replace(/ \(.*$/, ""))).toEqual([
      "- default/fleet-test-profpriv: bridged NIC eth0",
      "- default/fleet-test-profpriv: device gpu0",
      "- default/fleet-test-profpriv: device kvm",
    ]);
  });

  it("a NIC on a network of a project whose networks were not read is not judged, and the message says so", () => {
    const projects = json(tb3, "/1.0/projects?recursion=1") as Record<string, FactValue>[];
    const facts: Facts = {
      ...withInstance("fleet-test-pi", (instance) => ({ ...instance, expanded_config: { "limits.cpu": "1", "limits.memory": "1GiB", "limits.processes": "9", "security.idmap.isolated": "true" }, expanded_devices: { eth0: { network: "tenantbr", type: "nic" } } })),
      "lxd_query:/1.0/projects?recursion=1": ok(projects.map((project) => (project["name"] === "fleet-test-p" ? { ...project, config: { "features.networks": "true", "features.profiles": "true" } } : project))),
    };
    expect(plan({}, facts)).toEqual({
      kind: "ok",
      reason:
        "1 instance judged (privileged, nesting, idmap, limits, devices, disks, nic_filtering): no findings (NIC fleet-test-p/fleet-test-pi eth0 not judged: networks of project fleet-test-p not read (LXD before 5.21 lists networks one project at a time: name it in projects))",
      actual: "1 instances, no findings",
    });
  });

  it("no instances: ok", () => {
    expect(plan({}, { ...factsOf(tb3), [INSTANCES]: ok([]) })).toEqual({ kind: "ok", reason: "no instances", actual: "0 instances" });
    expect(plan({ projects: ["nope"] }, factsOf(tb3))).toEqual({ kind: "ok", reason: "no instances in project nope", actual: "0 instances" });
  });

  it("no LXD: not applicable", () => {
    const facts = withoutLxd(factsOf(tb3));
    expect(plan({}, facts)).toEqual({ kind: "not_applicable", reason: "LXD is not installed" });
  });

  it("reads: server, instances of all projects, projects, profiles and networks (all-projects and per project)", () => {
    expect(planModule(lxdInstancesAuditModule, {}, factsOf(tb3)).requested).toEqual([
      "lxd_server:",
      "lxd_query:/1.0/instances?recursion=1&all-projects=true",
      "lxd_query:/1.0/projects?recursion=1",
      "lxd_query:/1.0/profiles?recursion=1&all-projects=true",
      "lxd_query:/1.0/profiles?recursion=1&project=default",
      "lxd_query:/1.0/networks?recursion=1&all-projects=true",
      "lxd_query:/1.0/networks?recursion=1&project=default",
    ]);
    expect(planModule(lxdInstancesAuditModule, { checks: ["privileged"], projects: ["fleet-test-p"] }, factsOf(tb3)).requested).toEqual([
      "lxd_server:",
      "lxd_query:/1.0/instances?recursion=1&all-projects=true",
      "lxd_query:/1.0/projects?recursion=1",
      "lxd_query:/1.0/profiles?recursion=1&all-projects=true",
      "lxd_query:/1.0/profiles?recursion=1&project=fleet-test-p",
    ]);
  });
});

describe("lxd_instances_audit on other shapes", () => {
  it("a cluster: instances named with their member", () => {
    expect(lines(expectFail(plan({ checks: ["privileged"] }, factsOf(cluster))).message)).toEqual(["- default/c2@tbc2: security.privileged=true (instance config): a privileged container runs as host root [LXD-INS-01]"]);
  });

  it("LXD 5.21 shape: all-projects profiles and networks; a project without its own profiles and networks uses default's", () => {
    expect(lines(expectFail(plan({}, factsOf(documented))).message)).toEqual([
      "- CRITICAL p1/app1: security.privileged=On (instance config) and security.nesting=1 (profile tenant): root in the container can become root on the host [LXD-INS-01, LXD-INS-03]",
      // network=lxdbr0 is a bridge: the NIC is bridged although it names no nictype
      "- default/web1: bridged NIC eth0 (type=nic network=lxdbr0) from profile default lacks security.ipv4_filtering=true and security.ipv6_filtering=true: it can spoof addresses [LXD-DEV-03]",
      "- shared/svc1: bridged NIC eth0 (type=nic network=lxdbr0) from profile default lacks security.ipv4_filtering=true and security.ipv6_filtering=true: it can spoof addresses [LXD-DEV-03]",
    ]);
  });
});

describe("lxd_instances_audit arguments", () => {
  it.each<[unknown, string[]]>([
    [{ checks: ["privileged", "bogus"] }, ["checks.1: must be one of privileged, nesting, idmap, limits, devices, disks, nic_filtering"]],
    [{ checks: [] }, ["checks: name at least one check"]],
    [{ limits: ["cpu", "disk"] }, ["limits.1: must be one of cpu, memory, processes"]],
    [{ device_allowlist: ["c1/kvm", "kvm"] }, ['device_allowlist.1: must be "instance/device", "project/instance/device" or "*/device"']],
    [{ disk_allowlist: "c1/data" }, ["disk_allowlist: Invalid input: expected array, received string"]],
    [{ projects: [] }, ["projects: name at least one project, or leave projects out for all"]],
    [{ fix: true }, [': unknown argument "fix" of lxd_instances_audit (it takes checks, device_allowlist, disk_allowlist, limits, projects)']],
  ])("%j", (raw, issues) => expect(argIssues(lxdInstancesAuditModule, raw)).toEqual(issues));
});
