import { describe, expect, it } from "vitest";
import { LXC } from "../../../src/facts/lxd/query.js";
import { lxdNetworkAclModule } from "../../../src/modules/lxd-network-acl.js";
import { planModule } from "../../support/plan-module.js";
import { afterEffects, argIssues, documented, expectChange, expectFail, expectIdempotent, factsOf, server, withoutLxd, tb3, type Facts } from "./support.js";

const plan = (args: unknown, facts: Facts = factsOf(tb3)) => planModule(lxdNetworkAclModule, args, facts).plan;
const lxc = (words: string): string => `${LXC} ${words} </dev/null`;
const web = { name: "fleet-test-web", description: "web", ingress: [{ action: "allow", source: "10.0.0.0/8,192.168.0.0/16", protocol: "tcp", destination_port: "80,443" }], egress: [{ action: "drop", state: "logged" }] };

describe("lxd_network_acl on tb3 (LXD 5.0.2)", () => {
  it("the ACL as captured is ok, whatever the spacing, port form or order of its rules", () => {
    expect(plan(web)).toEqual({
      kind: "ok",
      reason: "network ACL fleet-test-web has its 1 ingress and 1 egress rules",
      actual: "network ACL fleet-test-web\ndescription: web\ningress:\n  action=allow source=10.0.0.0/8,192.168.0.0/16 protocol=tcp destination_port=80,443 state=enabled\negress:\n  action=drop state=logged",
    });
    expect(plan({ ...web, ingress: [{ action: "allow", source: [" 10.0.0.0/8", "192.168.0.0/16 "], protocol: "tcp", destination_port: [80, 443], state: "enabled" }] }).kind).toBe("ok");
  });

  it("a missing ACL is created with one POST of its JSON", () => {
    const args = { name: "ssh-in", ingress: [{ action: "allow", protocol: "tcp", destination_port: 22, description: " admins " }] };
    const first = expectChange(plan(args));
    expect(first.commands).toEqual([
      {
        script: lxc(`query -X POST --data '{"name":"ssh-in","description":"","ingress":[{"action":"allow","state":"enabled","protocol":"tcp","destination_port":"22","description":"admins"}],"egress":[],"config":{}}' '/1.0/network-acls?project=default'`),
        description: "create network ACL ssh-in",
      },
    ]);
    expect(first.summary).toBe("create network ACL ssh-in");
    expect(first.actual).toBe("no network ACL ssh-in");
    expectIdempotent(lxdNetworkAclModule, args, factsOf(tb3));
  });

  it("other rules: one PUT with the ACL's config kept; the description kept when not given", () => {
    const args = { name: "fleet-test-web", ingress: web.ingress };
    const first = expectChange(plan(args));
    expect(first.commands.map((command) => command.script)).toEqual([
      lxc(`query -X PUT --data '{"description":"web","ingress":[{"action":"allow","state":"enabled","source":"10.0.0.0/8,192.168.0.0/16","protocol":"tcp","destination_port":"80,443"}],"egress":[],"config":{}}' '/1.0/network-acls/fleet-test-web?project=default'`),
    ]);
    expect(first.diff).toEqual({
      before: "network ACL fleet-test-web\ndescription: web\ningress:\n  action=allow source=10.0.0.0/8,192.168.0.0/16 protocol=tcp destination_port=80,443 state=enabled\negress:\n  action=drop state=logged\n",
      after: "network ACL fleet-test-web\ndescription: web\ningress:\n  action=allow source=10.0.0.0/8,192.168.0.0/16 protocol=tcp destination_port=80,443 state=enabled\negress:\n",
    });
    expectIdempotent(lxdNetworkAclModule, args, factsOf(tb3));
    expectIdempotent(lxdNetworkAclModule, { ...web, description: "web servers" }, factsOf(tb3));
  });

  it("a project without its own networks edits the default project's ACL", () => {
    expect(plan({ ...web, project: "fleet-test-p" }).kind).toBe("ok");
    expectIdempotent(lxdNetworkAclModule, { ...web, project: "fleet-test-p", egress: [] }, factsOf(tb3));
  });

  it("attaching: only managed bridge or OVN networks", () => {
    expect(expectFail(plan({ ...web, networks: ["fleet-test-mv", "eth0", "nope"] })).message).toBe(
      "cannot attach network ACL fleet-test-web: network fleet-test-mv is a macvlan network (ACLs apply to bridge and ovn networks); network eth0 is not managed by LXD; no network nope in project default",
    );
  });

  it("no LXD, or an LXD without network ACLs: not applicable", () => {
    const noLxd = withoutLxd(factsOf(tb3));
    expect(plan(web, noLxd)).toEqual({ kind: "not_applicable", reason: "LXD is not installed" });
    const old = { ...factsOf(tb3), "lxd_server:": { ...server(tb3), apiExtensions: ["projects"] } };
    expect(plan(web, old)).toEqual({ kind: "not_applicable", reason: "LXD 5.0.2 has no network ACLs (API extension network_acl)" });
  });

  it("reads the networks only when asked to attach", () => {
    expect(planModule(lxdNetworkAclModule, web, factsOf(tb3)).requested).toEqual(["lxd_server:", "lxd_query:/1.0/projects?recursion=1", "lxd_query:/1.0/network-acls?recursion=1&project=default"]);
    expect(planModule(lxdNetworkAclModule, { ...web, networks: ["x"] }, factsOf(tb3)).requested).toContain("lxd_query:/1.0/networks?recursion=1&project=default");
  });
});

describe("lxd_network_acl attaching (LXD 5.21 shape: bridges)", () => {
  const facts = factsOf(documented);
  const rule = { action: "allow", source: "@external", protocol: "tcp", destination_port: "80,443" };

  it("adds the ACL to each network's security.acls, after the ones it has", () => {
    const args = { name: "web", description: "Web servers", ingress: [rule], networks: ["lxdbr0", "spare0"] };
    const first = expectChange(plan(args, facts));
    expect(first.commands.map((command) => command.script)).toEqual([lxc("network set spare0 security.acls=web --project default")]);
    expect(first.summary).toBe("apply it on spare0");
    const { second } = expectIdempotent(lxdNetworkAclModule, args, facts);
    expect(second).toMatchObject({ reason: "network ACL web has its 1 ingress and 0 egress rules, applied on lxdbr0 and spare0" });

    const more = expectChange(plan({ name: "ops", ingress: [{ action: "allow", protocol: "icmp4" }], networks: ["lxdbr0"] }, facts));
    expect(more.commands.map((command) => command.script)).toEqual([
      lxc(`query -X POST --data '{"name":"ops","description":"","ingress":[{"action":"allow","state":"enabled","protocol":"icmp4"}],"egress":[],"config":{}}' '/1.0/network-acls?project=default'`),
      lxc("network set lxdbr0 security.acls=web,ops --project default"),
    ]);
    // the new ACL lists the network in its used_by, and names its project as 5.21 does
    const after = afterEffects(facts, more);
    expect((after["lxd_query:/1.0/network-acls?recursion=1&project=default"] as { value: unknown[] }).value.at(-1)).toMatchObject({ name: "ops", project: "default", used_by: ["/1.0/networks/lxdbr0"] });
  });
});

describe("lxd_network_acl arguments", () => {
  it.each<[unknown, string[]]>([
    [{ name: "a", ingress: [{ action: "accept" }] }, ["ingress.0.action: must be allow, allow-stateless, reject or drop"]],
    [{ name: "a", ingress: [{ action: "allow", destination_port: 22 }] }, ["ingress.0.protocol: ports need protocol tcp or udp"]],
    [{ name: "a", egress: [{ action: "drop", protocol: "tcp", icmp_type: 8 }] }, ["egress.0.protocol: icmp_type and icmp_code need protocol icmp4 or icmp6"]],
    [{ name: "a", ingress: [{ action: "allow", state: "on" }] }, ["ingress.0.state: must be enabled, disabled or logged"]],
    [{ name: "a", ingress: [{ action: "allow", port: 22 }] }, ['ingress.0: Unrecognized key: "port"']],
    [
      { name: "a", ingress: [{ action: "allow", source: "10.0.0.0/8" }, { action: "allow", source: " 10.0.0.0/8", state: "enabled" }] },
      ["ingress.1: duplicate of rule 0 (LXD refuses duplicate rules)"],
    ],
    [{ name: "a", networks: "lxdbr0" }, ["networks: Invalid input: expected array, received string"]],
    [{ name: "a", rules: [] }, [': unknown argument "rules" of lxd_network_acl (it takes description, egress, ingress, name, networks, project)']],
  ])("%j", (raw, issues) => expect(argIssues(lxdNetworkAclModule, raw)).toEqual(issues));
});
