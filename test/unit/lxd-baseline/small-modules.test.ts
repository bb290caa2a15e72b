import { describe, expect, it } from "vitest";
import type { FactValue } from "../../../src/facts/types.js";
import { listensEverywhere, lxdHttpsAddressModule } from "../../../src/modules/lxd-https-address.js";
import { lxdNetworkAclsAuditModule } from "../../../src/modules/lxd-network-acls-audit.js";
import { lxdProjectsAuditModule } from "../../../src/modules/lxd-projects-audit.js";
import { manualModule } from "../../../src/modules/manual.js";
import { planModule } from "../../support/plan-module.js";

const server = (config: Record<string, string>): FactValue => ({ state: "server", version: "5.0.2", lts: true, ltsReported: false, apiExtensions: [], trusted: true, clustered: false, serverName: "none", pid: 1, config, hidden: [] });

describe("manual", () => {
  it("is not applicable, saying manual and what to verify, until evidence is given", () => {
    expect(planModule(manualModule, { check: "MFA is enforced at the IdP" }, {}).plan).toEqual({ kind: "not_applicable", reason: "manual: MFA is enforced at the IdP (record the evidence in the playbook's vars to pass it)" });
    expect(planModule(manualModule, { check: "MFA", evidence: "ticket SEC-12, 2026-11-30" }, {}).plan).toMatchObject({ kind: "ok", reason: "evidence: ticket SEC-12, 2026-11-30" });
  });
});

describe("lxd_https_address", () => {
  it.each([
    [":8443", true],
    ["0.0.0.0:8443", true],
    ["[::]:8443", true],
    ["0.0.0.0", true],
    ["::", true],
    ["[::]", true],
    ["", false],
    ["127.0.0.1:8443", false],
    ["192.0.2.10", false],
    ["[2001:db8::1]:8443", false],
    ["lxd.example.net:8443", false],
  ])("%s listens everywhere: %s", (address, everywhere) => {
    expect(listensEverywhere(address)).toBe(everywhere);
  });

  it("audits without an address, sets one when given, and predicts exactly", () => {
    const facts = (address: string) => ({ "lxd_server:": server(address === "" ? {} : { "core.https_address": address }) });
    expect(planModule(lxdHttpsAddressModule, {}, facts("[::]:8443")).plan).toMatchObject({ kind: "fail", actual: "[::]:8443" });
    expect(planModule(lxdHttpsAddressModule, {}, facts("")).plan).toMatchObject({ kind: "ok" });
    const { plan } = planModule(lxdHttpsAddressModule, { address: "127.0.1.2:8443" }, facts(":8443"));
    if (plan.kind !== "change") throw new Error("expected a change");
    expect(plan.commands[0]?.script).toContain("config set core.https_address=127.0.1.2:8443");
    const after = { "lxd_server:": plan.effects[0]?.value as FactValue };
    expect(planModule(lxdHttpsAddressModule, { address: "127.0.1.2:8443" }, after).plan.kind).toBe("ok");
    expect(planModule(lxdHttpsAddressModule, {}, { "lxd_server:": { state: "no_lxd", message: "no lxc" } }).plan.kind).toBe("not_applicable");
  });
});

describe("lxd_projects_audit", () => {
  const projects = (list: Array<{ name: string; config: Record<string, string> }>) => ({ "lxd_query:/1.0/projects?recursion=1": { ok: true, value: list.map((project) => ({ ...project, description: "", used_by: [] })) } });
  it("fails on tenant projects that are not restricted, names them, allows the default and the allowlist", () => {
    const facts = projects([{ name: "default", config: {} }, { name: "team-a", config: { restricted: "true" } }, { name: "team-b", config: {} }, { name: "ops", config: {} }]);
    expect(planModule(lxdProjectsAuditModule, { allow: ["ops"] }, facts).plan).toMatchObject({ kind: "fail", message: "project team-b is not restricted" });
    expect(planModule(lxdProjectsAuditModule, { allow: ["ops", "team-b"] }, facts).plan).toMatchObject({ kind: "ok", reason: "1 tenant project restricted" });
    expect(planModule(lxdProjectsAuditModule, { allow: ["ops", "team-b"], require: { "restricted.containers.nesting": "block" } }, facts).plan).toMatchObject({ kind: "fail", message: "project team-a: restricted.containers.nesting is unset, not block" });
  });
});

describe("lxd_network_acls_audit", () => {
  const networks = (list: Array<{ name: string; type: string; managed: boolean; used_by: string[]; config?: Record<string, string> }>) => ({ "lxd_query:/1.0/networks?recursion=1&project=default": { ok: true, value: list.map((network) => ({ config: {}, ...network })) } });
  it("fails on managed bridges in use without an ACL; unused, unmanaged and allowed ones are left alone", () => {
    const facts = networks([
      { name: "lxdbr0", type: "bridge", managed: true, used_by: ["/1.0/profiles/default"] },
      { name: "lxdbr1", type: "bridge", managed: true, used_by: ["/1.0/instances/c1"], config: { "security.acls": "web" } },
      { name: "idle", type: "bridge", managed: true, used_by: [] },
      { name: "eth0", type: "physical", managed: false, used_by: [] },
    ]);
    expect(planModule(lxdNetworkAclsAuditModule, {}, facts).plan).toMatchObject({ kind: "fail", actual: "no ACL: lxdbr0" });
    expect(planModule(lxdNetworkAclsAuditModule, { allow: ["lxdbr0"] }, facts).plan).toMatchObject({ kind: "ok", reason: "1 network in use, each with an ACL" });
  });
});
