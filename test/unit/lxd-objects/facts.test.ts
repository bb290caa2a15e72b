import { describe, expect, it } from "vitest";
import { z } from "zod";
import { FactParseError } from "../../../src/facts/errors.js";
import { certificatesRequest, CERTIFICATES_PATH, IDENTITIES_PATH, opensslDate, parseCertificates, parseIdentities, pemValidity } from "../../../src/facts/lxd/objects-certificates.js";
import { hostTime } from "../../../src/facts/lxd/objects-clock.js";
import { EXTENSION, hasExtension, lxdFalse, lxdTrue, objectUrl, parseLxdServer, readLxd, sameLxdValue } from "../../../src/facts/lxd/objects-common.js";
import { describeProvenance, expandInstance, instanceLabel, INSTANCES_PATH, instancesRequest, parseInstances, provenance, type LxdInstance } from "../../../src/facts/lxd/objects-instances.js";
import { aclRuleText, normaliseAclRule, parseNetworkAcls } from "../../../src/facts/lxd/objects-network-acls.js";
import { networkAcls, parseNetworks } from "../../../src/facts/lxd/objects-networks.js";
import { parseProfiles, profilesPath, type LxdProfile } from "../../../src/facts/lxd/objects-profiles.js";
import { effectiveProject, parseProjects, PROJECTS_PATH } from "../../../src/facts/lxd/objects-projects.js";
import { objectsOwnedBy, objectsSeenBy, type ScopedReads } from "../../../src/facts/lxd/objects-scoped.js";
import { parseStoragePools } from "../../../src/facts/lxd/objects-storage-pools.js";
import { lxdQuery, type LxdQueryResult } from "../../../src/facts/lxd/query.js";
import { factKey } from "../../../src/facts/types.js";
import { certificatePem, cluster, documented, parseKeyed, query, roundTrips, server, tb3 } from "./support.js";

function value<T>(read: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!read.ok) throw new Error(read.message);
  return read.value;
}

const tb3Instances = value(parseInstances(query(tb3, INSTANCES_PATH)));
const tb3Projects = value(parseProjects(query(tb3, PROJECTS_PATH)));
const tb3Server = value(parseLxdServer(server(tb3)));
const docServer = value(parseLxdServer(server(documented)));
const docProjects = value(parseProjects(query(documented, PROJECTS_PATH)));
const instance = (name: string, list: LxdInstance[] = tb3Instances): LxdInstance => {
  const found = list.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no instance ${name}`);
  return found;
};
const tb3Profiles = (project: string): LxdProfile[] => value(parseProfiles(query(tb3, profilesPath(project)), profilesPath(project)));

describe("LXD booleans (shared.IsTrue / IsFalse)", () => {
  it.each(["true", "TRUE", "1", "yes", "Yes", "on", "ON", " on "])("%j is true", (word) => expect(lxdTrue(word)).toBe(true));
  it.each(["false", "0", "no", "off", "", "2", "enabled", "y"])("%j is not true", (word) => expect(lxdTrue(word)).toBe(false));
  it("undefined (unset) is neither", () => {
    expect(lxdTrue(undefined)).toBe(false);
    expect(lxdFalse(undefined)).toBe(false);
  });
  it.each(["false", "0", "No", "OFF"])("%j is an explicit false", (word) => expect(lxdFalse(word)).toBe(true));
  it.each<[string, string | undefined, boolean]>([
    ["true", "1", true],
    ["true", "On", true],
    ["false", "off", true],
    ["false", undefined, false],
    ["true", "false", false],
    ["1", "true", true],
    ["2", "2", true],
    ["2GiB", "2GB", false],
    ["block", "Block", false],
  ])("wanted %j, found %j: same = %s", (wanted, found, same) => expect(sameLxdValue(wanted, found)).toBe(same));
});

describe("reading lxc query results", () => {
  it("no lxc on the host", () => {
    expect(parseInstances(lxdQuery.parse(tb3.noLxd, INSTANCES_PATH))).toEqual({ ok: false, reason: "no-lxd", message: "lxc is not installed" });
  });
  it("an endpoint the server does not have (5.0.2: /1.0/auth/identities) is missing", () => {
    expect(parseIdentities(query(tb3, IDENTITIES_PATH))).toEqual({ ok: false, reason: "missing", message: "lxc query /1.0/auth/identities?recursion=1: not found" });
  });
  it("a missing project is an error, with LXD's words", () => {
    const path = "/1.0/profiles?recursion=1&project=fleet-test-nope";
    expect(parseProfiles(query(tb3, path), path)).toEqual({ ok: false, reason: "error", message: `lxc query ${path}: Failed loading project "fleet-test-nope": Project not found` });
  });
  it("unexpected JSON names where", () => {
    expect(parseInstances({ ok: true, value: [{ name: "c1", config: { a: ["x"] } }] })).toEqual({
      ok: false,
      reason: "error",
      message: expect.stringMatching(/^lxc query \/1\.0\/instances\?recursion=1&all-projects=true: unexpected JSON at 0\.config\.a: /),
    });
    expect(readLxd({ ok: true, value: {} }, z.array(z.string()), "/x")).toMatchObject({ ok: false, reason: "error", message: expect.stringMatching(/^lxc query \/x: unexpected JSON: /) });
  });
});

describe("server (/1.0)", () => {
  it("5.0.2: version, extensions; no all-projects listing of profiles, networks or ACLs", () => {
    expect(tb3Server.version).toBe("5.0.2");
    expect(tb3Server.clustered).toBe(false);
    expect(hasExtension(tb3Server, EXTENSION.instancesAllProjects)).toBe(true);
    expect(hasExtension(tb3Server, EXTENSION.networkAcls)).toBe(true);
    for (const extension of [EXTENSION.profilesAllProjects, EXTENSION.networksAllProjects, EXTENSION.networkAclsAllProjects]) expect(hasExtension(tb3Server, extension)).toBe(false);
  });
  it("a cluster member says so; its config holds the member's addresses", () => {
    const member = value(parseLxdServer(server(cluster)));
    expect(member.clustered).toBe(true);
    expect(member.config).toEqual({ "cluster.https_address": "127.0.1.101:8443", "core.https_address": "127.0.1.101:8443" });
  });
  it("read through the shared lxd_server fact: no LXD, or an error, say so", () => {
    expect(parseLxdServer({ state: "no_lxd", message: "lxc is not installed" })).toEqual({ ok: false, reason: "no-lxd", message: "lxc is not installed" });
    expect(parseLxdServer({ state: "error", message: "Get http://unix.socket/1.0: connection refused" })).toEqual({ ok: false, reason: "error", message: "lxc query /1.0: Get http://unix.socket/1.0: connection refused" });
  });
});

describe("instances (all projects)", () => {
  it("5.0.2: every project's instances, with project and location", () => {
    expect(tb3Instances.map(instanceLabel).sort()).toEqual(["default/c1", "default/c2", "default/fleet-test-clean", "default/fleet-test-localpriv", "default/fleet-test-profpriv", "fleet-test-p/fleet-test-pi", "fleet-test-q/fleet-test-qi"]);
    expect(instance("c2").config["security.privileged"]).toBe("true");
    expect(instance("fleet-test-localpriv").profiles).toEqual(["default", "fleet-test-hardened", "fleet-test-share"]);
  });
  it("a cluster names the member of each instance", () => {
    const instances = value(parseInstances(query(cluster, INSTANCES_PATH)));
    expect(instances.map(instanceLabel)).toEqual(["default/c1@tbc1", "default/c2@tbc2"]);
  });
  it("before instance_all_projects there is no project field: default", () => {
    expect(value(parseInstances({ ok: true, value: [{ name: "old", profiles: null, config: null }] }))[0]).toMatchObject({ name: "old", project: "default", profiles: [], config: {}, expandedDevices: {} });
  });

  describe("expansion replays profiles in order, then the instance: it gives LXD's expanded config and devices", () => {
    const cases: [string, LxdInstance, LxdProfile[]][] = [
      ...tb3Instances.map((item): [string, LxdInstance, LxdProfile[]] => [`tb3 ${instanceLabel(item)}`, item, tb3Profiles(item.project)]),
      ...roundTrips.flatMap((trip, index) => {
        const facts = parseKeyed(trip.after);
        const instances = facts[factKey(instancesRequest)];
        if (instances === undefined) return [];
        // the instances whose profiles the same read holds
        return value(parseInstances(instances as LxdQueryResult)).flatMap((item): [string, LxdInstance, LxdProfile[]][] => {
          const path = profilesPath(item.project);
          const raw = facts[`lxd_query:${path}`];
          return raw === undefined ? [] : [[`round trip ${index} ${instanceLabel(item)}`, item, value(parseProfiles(raw as LxdQueryResult, path))]];
        });
      }),
    ];
    it.each(cases)("%s", (_, item, profiles) => {
      expect(expandInstance(item, profiles)).toEqual({ config: item.expandedConfig, devices: item.expandedDevices });
    });
  });

  describe("provenance: the instance itself, else the last profile that sets it", () => {
    const profiles = tb3Profiles("default");
    it.each<[string, { key: string } | { device: string }, string]>([
      ["fleet-test-profpriv", { key: "security.privileged" }, "profile fleet-test-nest"],
      ["fleet-test-profpriv", { key: "security.nesting" }, "profile fleet-test-nest"],
      ["fleet-test-localpriv", { key: "security.privileged" }, "instance config"],
      // the instance's own nesting=on wins over fleet-test-hardened's false
      ["fleet-test-localpriv", { key: "security.nesting" }, "instance config"],
      ["fleet-test-localpriv", { key: "limits.cpu" }, "profile fleet-test-hardened"],
      ["fleet-test-localpriv", { key: "limits.memory" }, "instance config"],
      ["fleet-test-localpriv", { device: "share" }, "profile fleet-test-share"],
      ["fleet-test-localpriv", { device: "logs" }, "instance device"],
      ["fleet-test-localpriv", { device: "root" }, "profile default"],
      ["c2", { key: "security.privileged" }, "instance config"],
      ["c1", { key: "limits.cpu" }, "not set by any profile or the instance"],
    ])("%s %j: %s", (name, what, words) => {
      expect(describeProvenance(provenance(instance(name), what, profiles), "device" in what)).toBe(words);
    });
    it("profiles not read: a profile, not known which", () => {
      expect(provenance(instance("fleet-test-profpriv"), { key: "security.nesting" }, undefined)).toEqual({ kind: "unknown", why: "profiles of project default not read" });
    });
    it("a later profile wins over an earlier one", () => {
      const item = { ...instance("fleet-test-clean"), profiles: ["default", "a", "b"], config: {}, expandedConfig: { "limits.cpu": "4" } };
      const layers = [
        { name: "a", config: { "limits.cpu": "2" }, devices: {} },
        { name: "b", config: { "limits.cpu": "4" }, devices: {} },
      ];
      expect(provenance(item, { key: "limits.cpu" }, layers)).toEqual({ kind: "profile", profile: "b" });
    });
  });
});

describe("projects", () => {
  it("5.0.2: a new project gets images, profiles and storage volumes features, not networks", () => {
    expect(tb3Projects.map((project) => project.name)).toEqual(["default", "fleet-test-p", "fleet-test-q"]);
    expect(tb3Projects[1]?.config).toEqual({ "features.images": "true", "features.profiles": "true", "features.storage.volumes": "true" });
    // created with -c features.profiles=false: the other defaults still apply
    expect(tb3Projects[2]?.config).toEqual({ "features.images": "true", "features.profiles": "false", "features.storage.volumes": "true" });
  });
  it.each<[string, "profiles" | "networks", string]>([
    ["default", "profiles", "default"],
    ["fleet-test-p", "profiles", "fleet-test-p"],
    ["fleet-test-p", "networks", "default"],
    ["fleet-test-q", "profiles", "default"],
    ["no-such", "networks", "no-such"],
  ])("tb3: %s sees the %s of %s", (project, feature, owner) => expect(effectiveProject(tb3Projects, project, feature)).toBe(owner));
  it.each<[string, "profiles" | "networks", string]>([
    ["p1", "networks", "p1"],
    ["shared", "profiles", "default"],
  ])("5.21 shape: %s sees the %s of %s", (project, feature, owner) => expect(effectiveProject(docProjects, project, feature)).toBe(owner));
});

describe("profiles, networks and ACLs by project", () => {
  it("5.0.2 ignores all-projects: the answer is the default project's, without project fields", () => {
    expect(query(tb3, "/1.0/profiles?recursion=1&all-projects=true")).toEqual(query(tb3, profilesPath("default")));
    // (the used_by of an unmanaged interface comes in any order: LXD builds it from a map)
    const networks = (path: string) => value(parseNetworks(query(tb3, path), path)).map((network) => ({ ...network, usedBy: [...network.usedBy].sort() }));
    expect(networks("/1.0/networks?recursion=1&all-projects=true")).toEqual(networks("/1.0/networks?recursion=1&project=default"));
    expect(tb3Profiles("default").every((profile) => profile.project === undefined)).toBe(true);
  });

  const tb3Reads: ScopedReads<LxdProfile> = {
    server: tb3Server,
    projects: tb3Projects,
    feature: "profiles",
    extension: EXTENSION.profilesAllProjects,
    all: parseProfiles(query(tb3, "/1.0/profiles?recursion=1&all-projects=true"), "all"),
    perProject: new Map([["default", parseProfiles(query(tb3, profilesPath("default")), "default")]]),
  };
  it("5.0.2: a project read one by one is known, the others are not (the all-projects answer is not trusted)", () => {
    // fleet-test-q has no profiles of its own: it sees the default project's, read with default
    expect(objectsSeenBy(tb3Reads, "fleet-test-q")?.map((profile) => profile.name)).toEqual(["default", "fleet-test-hardened", "fleet-test-nest", "fleet-test-share"]);
    expect(query(tb3, profilesPath("fleet-test-q"))).toEqual(query(tb3, profilesPath("default")));
    expect(objectsSeenBy(tb3Reads, "default")?.map((profile) => profile.name)).toEqual(["default", "fleet-test-hardened", "fleet-test-nest", "fleet-test-share"]);
    expect(objectsSeenBy(tb3Reads, "fleet-test-p")).toBeUndefined();
    expect(objectsOwnedBy(tb3Reads, "fleet-test-p")).toBeUndefined();
  });

  const docReads: ScopedReads<LxdProfile> = {
    server: docServer,
    projects: docProjects,
    feature: "profiles",
    extension: EXTENSION.profilesAllProjects,
    all: parseProfiles(query(documented, "/1.0/profiles?recursion=1&all-projects=true"), "all"),
    perProject: new Map(),
  };
  it("5.21 shape: all-projects gives each project its own, and a project without features.profiles the default project's", () => {
    expect(objectsSeenBy(docReads, "p1")?.map((profile) => `${profile.project}/${profile.name}`)).toEqual(["p1/default", "p1/tenant"]);
    expect(objectsSeenBy(docReads, "shared")?.map((profile) => `${profile.project}/${profile.name}`)).toEqual(["default/default"]);
    expect(objectsOwnedBy(docReads, "shared")).toEqual([]);
  });

  it("networks: managed flag, type, used_by (null is empty), ACLs applied", () => {
    const networks = value(parseNetworks(query(tb3, "/1.0/networks?recursion=1&project=default"), "n"));
    expect(networks.map((network) => [network.name, network.type, network.managed, network.usedBy.length])).toEqual([
      ["fleet-test-mv", "macvlan", true, 1],
      ["fleet-test-mv2", "macvlan", true, 0],
      ["lo", "loopback", false, 0],
      ["ifb0", "unknown", false, 0],
      ["ifb1", "unknown", false, 0],
      ["eth0", "physical", false, 4],
    ]);
    const doc = value(parseNetworks(query(documented, "/1.0/networks?recursion=1&all-projects=true"), "n"));
    expect(doc.map((network) => `${network.project}/${network.name}`)).toEqual(["default/lxdbr0", "default/spare0", "default/eth0", "p1/ovn0", "p1/idle"]);
    expect(networkAcls(doc[0] ?? { config: {} })).toEqual(["web"]);
    expect(networkAcls({ config: { "security.acls": " a, b ,," } })).toEqual(["a", "b"]);
  });

  it("ACLs: rules as LXD normalised what was posted (trimmed lists, no empty fields)", () => {
    const acls = value(parseNetworkAcls(query(tb3, "/1.0/network-acls?recursion=1&project=default"), "a"));
    expect(acls).toEqual([
      {
        name: "fleet-test-web",
        project: undefined,
        description: "web",
        config: {},
        usedBy: [],
        ingress: [{ action: "allow", source: "10.0.0.0/8,192.168.0.0/16", protocol: "tcp", destination_port: "80,443", state: "enabled" }],
        egress: [{ action: "drop", state: "logged" }],
      },
    ]);
    // capture.ts posted the ingress rule with spaces: the same normalisation here
    expect(normaliseAclRule({ action: "allow", source: " 10.0.0.0/8 , 192.168.0.0/16", protocol: "tcp", destination_port: "80, 443", state: "enabled" })).toEqual(acls[0]?.ingress[0]);
    expect(aclRuleText(acls[0]?.egress[0] ?? { action: "", state: "" })).toBe("action=drop state=logged");
    // a project without features.networks sees the default project's ACLs
    expect(query(tb3, "/1.0/network-acls?recursion=1&project=fleet-test-p")).toEqual(query(tb3, "/1.0/network-acls?recursion=1&project=default"));
    const doc = value(parseNetworkAcls(query(documented, "/1.0/network-acls?recursion=1&all-projects=true"), "a"));
    expect(doc.map((acl) => `${acl.project}/${acl.name}`)).toEqual(["default/web", "p1/deny"]);
  });

  it("storage pools: used_by null is empty", () => {
    expect(value(parseStoragePools(query(tb3, "/1.0/storage-pools?recursion=1"))).map((pool) => [pool.name, pool.driver, pool.usedBy.length])).toEqual([
      ["default", "dir", 8],
      ["fleet-test-unused", "dir", 0],
    ]);
  });

  it("used_by URLs name the project outside default", () => {
    expect(objectUrl("/1.0/instances", "c1", "default")).toBe("/1.0/instances/c1");
    expect(objectUrl("/1.0/instances", "fleet-test-pi", "fleet-test-p")).toBe("/1.0/instances/fleet-test-pi?project=fleet-test-p");
  });
});

describe("certificates", () => {
  it("5.0.2: type, restricted, projects, name, fingerprint; dates read from the PEM", () => {
    const certificates = value(parseCertificates(query(tb3, CERTIFICATES_PATH)));
    expect(certificates.map((certificate) => [certificate.type, certificate.name, certificate.restricted, certificate.projects])).toEqual([
      ["metrics", "fleet-test-metrics", false, []],
      ["client", "fleet-test-restricted", true, []],
      ["client", "fleet-test-stranger", false, []],
      ["client", "fleet-test-admin", false, []],
      ["client", "fleet-test-soon", true, ["default", "fleet-test-p"]],
    ]);
    for (const certificate of certificates) expect(certificate.validity).toMatchObject({ ok: true, fingerprint: certificate.fingerprint });
    expect(certificates.find((certificate) => certificate.name === "fleet-test-soon")?.validity).toEqual({
      ok: true,
      subject: "CN=fleet-test-soon",
      notBefore: "2026-12-02T20:01:16.000Z",
      notAfter: "2026-12-12T20:01:16.000Z",
      fingerprint: "c2c52de00dd4db111d1d78f731f3ec6abe63cef8ccfc590fd82d4c35242a9d11",
    });
  });

  it("a cluster's members are server certificates", () => {
    expect(value(parseCertificates(query(cluster, CERTIFICATES_PATH))).map((certificate) => [certificate.type, certificate.name])).toEqual([
      ["server", "tbc2"],
      ["server", "tbc1"],
    ]);
  });

  it.each([
    // openssl x509 -noout -startdate -enddate of each fixture
    ["admin", "2026-12-02T20:01:16.000Z", "2036-11-29T20:01:16.000Z"],
    ["soon", "2026-12-02T20:01:16.000Z", "2026-12-12T20:01:16.000Z"],
    ["expired", "2020-01-01T00:00:00.000Z", "2021-01-01T00:00:00.000Z"],
    ["metrics", "2026-12-02T20:01:31.000Z", "2027-12-02T20:01:31.000Z"],
  ])("PEM %s.crt: NotBefore %s, NotAfter %s", (name, notBefore, notAfter) => {
    expect(pemValidity(certificatePem(name))).toMatchObject({ ok: true, subject: `CN=fleet-test-${name}`, notBefore, notAfter });
  });

  it("not a certificate", () => {
    expect(pemValidity("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")).toMatchObject({ ok: false, message: expect.stringMatching(/^not a PEM certificate/) });
    expect(value(parseCertificates({ ok: true, value: [{ fingerprint: "ab", type: "client" }] }))[0]?.validity).toEqual({ ok: false, message: "no certificate in the API answer" });
  });

  it.each([
    ["Dec  2 20:01:16 2026 GMT", "2026-12-02T20:01:16.000Z"],
    ["Jan 31 23:59:59 2049 GMT", "2049-01-31T23:59:59.000Z"],
    ["Feb 29 00:00:00 2028 GMT", "2028-02-29T00:00:00.000Z"],
    ["2026-12-02", undefined],
    ["Foo  2 20:01:16 2026 GMT", undefined],
  ])("OpenSSL date %j", (text, iso) => expect(opensslDate(text)).toBe(iso));

  it("5.21+ identities: fine-grained TLS identities carry their PEM, bearer ones an expiry", () => {
    const identities = value(parseIdentities(query(documented, IDENTITIES_PATH)));
    expect(identities.map((identity) => [identity.authenticationMethod, identity.type, identity.name])).toEqual([
      ["tls", "Client certificate (unrestricted)", "fleet-test-admin"],
      ["tls", "Client certificate", "ops-laptop"],
      ["tls", "Client certificate (pending)", "pending-one"],
      ["oidc", "OIDC client", "Jane Doe"],
      ["bearer", "Client token bearer", "ci"],
      ["tls", "Client certificate", "old-tool"],
    ]);
    expect(identities[1]?.validity).toMatchObject({ ok: true, notAfter: "2026-12-12T20:01:16.000Z" });
    expect(identities[2]?.validity).toBeUndefined();
    expect(identities[4]?.expiresAt).toBe("2026-12-20T00:00:00.000Z");
  });

  it("the certificate request is one lxc query", () => {
    expect(factKey(certificatesRequest)).toBe("lxd_query:/1.0/certificates?recursion=1");
    expect(certificatesRequest.kind.probe(certificatesRequest.arg)).toContain("query '/1.0/certificates?recursion=1' </dev/null");
  });
});

describe("host clock", () => {
  it("reads date -u +%s as captured on tb3", () => {
    expect(hostTime.parse(tb3.hostTime, "")).toBe(1796243312);
    expect(hostTime.probe("")).toBe("date -u +%s");
  });
  it("anything else is a fact parse error", () => {
    expect(() => hostTime.parse({ stdout: "Wed Dec 2\n", stderr: "", exitCode: 0 }, "")).toThrow(FactParseError);
    expect(() => hostTime.parse({ stdout: "", stderr: "date: not found", exitCode: 127 }, "")).toThrow(/exit 127/);
  });
});
