import { z } from "zod";
import { allProjectsPath, EXTENSION, lxdServerRequest, lxdTrue, parseLxdServer, type LxdRead } from "../facts/lxd/objects-common.js";
import { describeProvenance, instanceLabel, instancesRequest, parseInstances, provenance, type LxdInstance, type Provenance } from "../facts/lxd/objects-instances.js";
import { allNetworksRequest, networksPath, networksRequest, parseNetworks, type LxdNetwork } from "../facts/lxd/objects-networks.js";
import { allProfilesRequest, parseProfiles, PROFILES, profilesPath, profilesRequest, type LxdProfile } from "../facts/lxd/objects-profiles.js";
import { parseProjects, projectsRequest } from "../facts/lxd/objects-projects.js";
import { objectsSeenBy, type ScopedReads } from "../facts/lxd/objects-scoped.js";
import type { FactReader } from "../facts/types.js";
import { argsObject } from "./support/args.js";
import { listWords, lxdName, plural, unreadablePlan } from "./support/lxd-plan.js";
import { ok, type Module } from "./types.js";

export const INSTANCE_CHECKS = ["privileged", "nesting", "idmap", "limits", "devices", "disks", "nic_filtering"] as const;
export type InstanceCheck = (typeof INSTANCE_CHECKS)[number];
export const LIMITS = ["cpu", "memory", "processes"] as const;

export interface LxdInstancesAuditArgs {
  checks: InstanceCheck[];
  /** limits.<name> that every container must set. */
  limits: (typeof LIMITS)[number][];
  /** "instance/device", "project/instance/device" or "*\/device": passthrough devices allowed. */
  deviceAllowlist: string[];
  /** The same, for writable disks. */
  diskAllowlist: string[];
  /** Judge only the instances of these projects; undefined: every project. */
  projects: string[] | undefined;
}

const allowEntry = z.string().regex(/^([^\s/]+\/)?[^\s/]+\/[^\s/]+$/, 'must be "instance/device", "project/instance/device" or "*/device"');

export const lxdInstancesAuditArgs: z.ZodType<LxdInstancesAuditArgs, unknown> = argsObject("lxd_instances_audit", {
  checks: z
    .array(z.enum(INSTANCE_CHECKS, { error: `must be one of ${INSTANCE_CHECKS.join(", ")}` }))
    .min(1, "name at least one check")
    .default([...INSTANCE_CHECKS]),
  limits: z.array(z.enum(LIMITS, { error: `must be one of ${LIMITS.join(", ")}` })).default([...LIMITS]),
  device_allowlist: z.array(allowEntry).default([]),
  disk_allowlist: z.array(allowEntry).default([]),
  projects: z.array(lxdName("project")).min(1, "name at least one project, or leave projects out for all").optional(),
}).transform((args) => ({ checks: args.checks, limits: args.limits, deviceAllowlist: args.device_allowlist, diskAllowlist: args.disk_allowlist, projects: args.projects }));

/** Device types that hand a host device to the instance (LXD-DEV-01); NICs by nictype. */
const PASSTHROUGH_TYPES = new Set(["pci", "usb", "gpu", "unix-char", "unix-block", "unix-hotplug", "infiniband"]);
const PASSTHROUGH_NICS = new Set(["physical", "sriov"]);

type Severity = "critical" | "finding" | "advisory";
interface Finding {
  severity: Severity;
  instance: string;
  /** The finding in words, with value and source. */
  text: string;
  /** What was found, briefly: the `actual` of the report. */
  brief: string;
  controls: string[];
}

const perProjectNames = (args: LxdInstancesAuditArgs): string[] => args.projects ?? ["default"];

/**
 * Judges every instance on its expanded config and devices (profiles applied in order, then the
 * instance's own values): privileged containers (LXD-INS-01), nesting (LXD-INS-03; with
 * privileged: critical, root in the container can become root on the host), shared idmaps
 * (LXD-INS-04, advisory), missing limits (LXD-INS-02), passthrough devices (LXD-DEV-01), writable
 * disks (LXD-DEV-02), bridged NICs without IP filtering (LXD-DEV-03). Every finding names the
 * instance, the key or device, its value and who supplies it: the instance itself or the last of
 * its profiles that sets it (the one to fix). Audit only. Instances are cluster-wide: run it once.
 */
export const lxdInstancesAuditModule: Module<LxdInstancesAuditArgs> = {
  name: "lxd_instances_audit",
  description: "Judge every LXD instance's expanded config: privileged, nesting, idmap, limits, passthrough devices, writable disks, NIC filtering",
  args: lxdInstancesAuditArgs,
  facts: (args) => [
    lxdServerRequest,
    instancesRequest,
    projectsRequest,
    allProfilesRequest,
    ...perProjectNames(args).map(profilesRequest),
    ...(args.checks.includes("nic_filtering") || args.checks.includes("devices") ? [allNetworksRequest, ...perProjectNames(args).map(networksRequest)] : []),
  ],
  plan: (args, facts) => {
    const server = parseLxdServer(facts.get(lxdServerRequest));
    if (!server.ok) return unreadablePlan(server, "the LXD server");
    const instancesRead = parseInstances(facts.get(instancesRequest));
    if (!instancesRead.ok) return unreadablePlan(instancesRead, "instances");
    const projects = parseProjects(facts.get(projectsRequest));
    if (!projects.ok) return unreadablePlan(projects, "projects");

    const instances = instancesRead.value.filter((instance) => args.projects === undefined || args.projects.includes(instance.project));
    if (instances.length === 0) return ok(args.projects === undefined ? "no instances" : `no instances in project ${listWords(args.projects)}`, "0 instances");

    const profileReads: ScopedReads<LxdProfile> = {
      server: server.value,
      projects: projects.value,
      feature: "profiles",
      extension: EXTENSION.profilesAllProjects,
      all: parseProfiles(facts.get(allProfilesRequest), allProjectsPath(PROFILES)),
      perProject: new Map(perProjectNames(args).map((name) => [name, parseProfiles(facts.get(profilesRequest(name)), profilesPath(name))])),
    };
    const networkReads = readNetworks(args, facts, server.value, projects.value);
    const notes = new Set<string>();
    const findings = instances.flatMap((instance) => judge(instance, args, profileReads, networkReads, notes));

    const checked = args.checks.join(", ");
    const note = notes.size > 0 ? ` (${[...notes].join("; ")})` : "";
    if (findings.length === 0) return ok(`${plural(instances.length, "instance")} judged (${checked}): no findings${note}`, `${instances.length} instances, no findings`);

    const order: Severity[] = ["critical", "finding", "advisory"];
    findings.sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity) || (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0));
    const critical = findings.filter((finding) => finding.severity === "critical").length;
    const offenders = new Set(findings.map((finding) => finding.instance)).size;
    const prefix: Record<Severity, string> = { critical: "CRITICAL ", finding: "", advisory: "advisory: " };
    const lines = findings.map((finding) => `- ${prefix[finding.severity]}${finding.instance}: ${finding.text} [${finding.controls.join(", ")}]`);
    return {
      kind: "fail",
      message: `${plural(findings.length, "finding")} on ${offenders} of ${plural(instances.length, "instance")}${critical > 0 ? ` (${critical} critical)` : ""}${note}:\n${lines.join("\n")}`,
      expected: expectation(args),
      actual: findings.map((finding) => `${finding.instance} ${finding.brief}`).join("; "),
    };
  },
  verifiable: true,
};

function readNetworks(args: LxdInstancesAuditArgs, facts: FactReader, server: ScopedReads<LxdNetwork>["server"], projects: ScopedReads<LxdNetwork>["projects"]): ScopedReads<LxdNetwork> | undefined {
  if (!args.checks.includes("nic_filtering") && !args.checks.includes("devices")) return undefined;
  return {
    server,
    projects,
    feature: "networks",
    extension: EXTENSION.networksAllProjects,
    all: parseNetworks(facts.get(allNetworksRequest), allProjectsPath("/1.0/networks")),
    perProject: new Map<string, LxdRead<LxdNetwork[]>>(perProjectNames(args).map((name) => [name, parseNetworks(facts.get(networksRequest(name)), networksPath(name))])),
  };
}

function expectation(args: LxdInstancesAuditArgs): string {
  const parts: Record<InstanceCheck, string> = {
    privileged: "no privileged containers",
    nesting: "no nesting",
    idmap: "isolated idmaps",
    limits: `${args.limits.map((limit) => `limits.${limit}`).join(", ")} set on every container`,
    devices: "no passthrough devices outside device_allowlist",
    disks: "read-only disks outside disk_allowlist",
    nic_filtering: "IPv4 and IPv6 filtering on bridged NICs",
  };
  return args.checks.map((check) => parts[check]).join("; ");
}

function allowed(list: readonly string[], instance: LxdInstance, device: string): boolean {
  return list.some((entry) => entry === `*/${device}` || entry === `${instance.name}/${device}` || entry === `${instance.project}/${instance.name}/${device}`);
}

function judge(instance: LxdInstance, args: LxdInstancesAuditArgs, profileReads: ScopedReads<LxdProfile>, networkReads: ScopedReads<LxdNetwork> | undefined, notes: Set<string>): Finding[] {
  const label = instanceLabel(instance);
  const findings: Finding[] = [];
  const add = (severity: Severity, text: string, brief: string, ...controls: string[]): void => void findings.push({ severity, instance: label, text, brief, controls });
  const profiles = objectsSeenBy(profileReads, instance.project);
  const described = (source: Provenance, device: boolean): string => {
    if (source.kind === "unknown" && profiles === undefined) notes.add(`profiles of project ${instance.project} not read, so which profile sets a value is not known (LXD before 5.21 lists profiles one project at a time: name it in projects)`);
    return describeProvenance(source, device);
  };
  const config = instance.expandedConfig;
  const source = (key: string): string => described(provenance(instance, { key }, profiles), false);
  const deviceSource = (device: string): string => described(provenance(instance, { device }, profiles), true);
  const setting = (key: string): string => `${key}=${config[key] ?? ""} (${source(key)})`;
  const has = (check: InstanceCheck): boolean => args.checks.includes(check);

  if (instance.type === "container") {
    const privileged = lxdTrue(config["security.privileged"]);
    const nesting = lxdTrue(config["security.nesting"]);
    if (privileged && nesting && (has("privileged") || has("nesting"))) {
      add("critical", `${setting("security.privileged")} and ${setting("security.nesting")}: root in the container can become root on the host`, `security.privileged=${config["security.privileged"] ?? ""} security.nesting=${config["security.nesting"] ?? ""}`, "LXD-INS-01", "LXD-INS-03");
    } else {
      if (privileged && has("privileged")) add("finding", `${setting("security.privileged")}: a privileged container runs as host root`, `security.privileged=${config["security.privileged"] ?? ""}`, "LXD-INS-01");
      if (nesting && has("nesting")) add("finding", `${setting("security.nesting")}: nesting lets the container run its own containers and mount more`, `security.nesting=${config["security.nesting"] ?? ""}`, "LXD-INS-03");
    }
    if (has("idmap") && !privileged && !lxdTrue(config["security.idmap.isolated"])) {
      const value = config["security.idmap.isolated"];
      add("advisory", `${value === undefined ? "security.idmap.isolated unset" : setting("security.idmap.isolated")}: shares its uid/gid range with other containers`, `security.idmap.isolated=${value ?? "(unset)"}`, "LXD-INS-04");
    }
    if (has("limits")) {
      const missing = args.limits.map((limit) => `limits.${limit}`).filter((key) => (config[key] ?? "") === "");
      if (missing.length > 0) add("finding", `${listWords(missing)} not set by any profile or the instance: no cap on the host's resources`, `${missing.join(",")} unset`, "LXD-INS-02");
    }
  }

  for (const [name, device] of Object.entries(instance.expandedDevices)) {
    const type = device["type"] ?? "";
    const lookup = device["network"] !== undefined && device["network"] !== "" ? networkOf(networkReads, instance, device["network"]) : undefined;
    const network = typeof lookup === "object" ? lookup : undefined;
    const nictype = device["nictype"] ?? (network !== undefined ? nicTypeOf(network.type) : undefined);
    const words = deviceWords(device);
    if (has("devices") && (PASSTHROUGH_TYPES.has(type) || (type === "nic" && nictype !== undefined && PASSTHROUGH_NICS.has(nictype))) && !allowed(args.deviceAllowlist, instance, name)) {
      add("finding", `device ${name} (${words}) from ${deviceSource(name)} passes a host device through, not in device_allowlist`, `device ${name} (${type === "nic" ? `nic ${nictype ?? ""}` : type})`, "LXD-DEV-01");
    }
    if (has("disks") && type === "disk" && (device["path"] ?? "") !== "/" && device["source"] !== "cloud-init:config" && !lxdTrue(device["readonly"]) && !allowed(args.diskAllowlist, instance, name)) {
      add("finding", `disk ${name} (${words}) from ${deviceSource(name)} is writable, not in disk_allowlist`, `disk ${name} writable`, "LXD-DEV-02");
    }
    if (has("nic_filtering") && type === "nic") {
      if (device["nictype"] === undefined && typeof lookup === "string") {
        notes.add(
          lookup === "unread"
            ? `NIC ${label} ${name} not judged: networks of project ${instance.project} not read (LXD before 5.21 lists networks one project at a time: name it in projects)`
            : `NIC ${label} ${name} not judged: no network ${device["network"] ?? ""} in project ${instance.project}`,
        );
        continue;
      }
      const bridged = nictype === "bridged";
      const unfiltered = ["security.ipv4_filtering", "security.ipv6_filtering"].filter((key) => !lxdTrue(device[key]));
      if (bridged && unfiltered.length > 0) add("finding", `bridged NIC ${name} (${words}) from ${deviceSource(name)} lacks ${listWords(unfiltered.map((key) => `${key}=true`))}: it can spoof addresses`, `NIC ${name} unfiltered`, "LXD-DEV-03");
    }
  }
  return findings;
}

/** The network a NIC names, as the instance's project sees it, or why it is not known. */
function networkOf(reads: ScopedReads<LxdNetwork> | undefined, instance: LxdInstance, name: string): LxdNetwork | "unread" | "absent" {
  const networks = reads === undefined ? undefined : objectsSeenBy(reads, instance.project);
  if (networks === undefined) return "unread";
  return networks.find((network) => network.name === name) ?? "absent";
}

/** The nictype LXD derives from a managed network's type. */
function nicTypeOf(networkType: string): string | undefined {
  const types: Record<string, string> = { bridge: "bridged", macvlan: "macvlan", sriov: "sriov", physical: "physical", ovn: "ovn" };
  return types[networkType];
}

function deviceWords(device: Record<string, string>): string {
  const keys = ["type", "nictype", "network", "parent", "source", "pool", "path", "readonly", "productid", "vendorid", "pci", "id"];
  return keys
    .filter((key) => device[key] !== undefined)
    .map((key) => `${key}=${device[key] ?? ""}`)
    .join(" ");
}
