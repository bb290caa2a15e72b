import { z } from "zod";
import { EXTENSION, hasExtension, lxdServerRequest, parseLxdServer } from "../facts/lxd/objects-common.js";
import { aclRuleText, networkAclsPath, networkAclsRequest, normaliseAclRule, parseNetworkAcls, type LxdAclRule, type LxdNetworkAcl } from "../facts/lxd/objects-network-acls.js";
import { networkAcls, networksPath, networksRequest, parseNetworks } from "../facts/lxd/objects-networks.js";
import { effectiveProject, parseProjects, projectsRequest } from "../facts/lxd/objects-projects.js";
import type { LxdQueryResult } from "../facts/lxd/query.js";
import { argsObject } from "./support/args.js";
import { editObjects, listResult, listWords, lxcCommand, lxdName, rawList, rawName, rawStringList, rawStrings, unreadablePlan, type RawObject } from "./support/lxd-plan.js";
import { ok, type FactEffect, type Module, type Plan, type PlannedCommand } from "./types.js";

export interface LxdNetworkAclArgs {
  name: string;
  project: string;
  /** Left as it is when not given. */
  description?: string;
  ingress: LxdAclRule[];
  egress: LxdAclRule[];
  /** Managed bridge or OVN networks of the project whose security.acls must include the ACL. */
  networks: string[];
}

const text = z
  .union([z.string(), z.number()])
  .transform(String)
  .refine((value) => !/[\n\r\0]/.test(value), "must be one line");
/** Ports as "80,443", 443 or [80, 443]. */
const ports = z.union([text, z.array(z.union([z.string(), z.number()]).transform(String))]).transform((value) => (Array.isArray(value) ? value.join(",") : value));
const subjects = z.union([text, z.array(z.string())]).transform((value) => (Array.isArray(value) ? value.join(",") : value));

const rule = z
  .strictObject({
    action: z.enum(["allow", "allow-stateless", "reject", "drop"], { error: "must be allow, allow-stateless, reject or drop" }),
    source: subjects.optional(),
    destination: subjects.optional(),
    protocol: z.enum(["icmp4", "icmp6", "tcp", "udp"], { error: "must be icmp4, icmp6, tcp or udp" }).optional(),
    source_port: ports.optional(),
    destination_port: ports.optional(),
    icmp_type: text.optional(),
    icmp_code: text.optional(),
    description: text.optional(),
    state: z.enum(["enabled", "disabled", "logged"], { error: "must be enabled, disabled or logged" }).default("enabled"),
  })
  .superRefine((value, ctx) => {
    const portsGiven = value.source_port !== undefined || value.destination_port !== undefined;
    if (portsGiven && value.protocol !== "tcp" && value.protocol !== "udp") ctx.addIssue({ code: "custom", message: "ports need protocol tcp or udp", path: ["protocol"] });
    const icmpGiven = value.icmp_type !== undefined || value.icmp_code !== undefined;
    if (icmpGiven && value.protocol !== "icmp4" && value.protocol !== "icmp6") ctx.addIssue({ code: "custom", message: "icmp_type and icmp_code need protocol icmp4 or icmp6", path: ["protocol"] });
  })
  .transform((value): LxdAclRule => normaliseAclRule(value));

/** LXD refuses two equal rules in one direction: say which, at its index. */
const rules = z
  .array(rule)
  .default([])
  .superRefine((list, ctx) => {
    list.forEach((item, index) => {
      const first = list.findIndex((other) => aclRuleText(other) === aclRuleText(item));
      if (first !== index) ctx.addIssue({ code: "custom", message: `duplicate of rule ${first} (LXD refuses duplicate rules)`, path: [index] });
    });
  });

export const lxdNetworkAclArgs: z.ZodType<LxdNetworkAclArgs, unknown> = argsObject("lxd_network_acl", {
  name: lxdName("network ACL"),
  project: lxdName("project").default("default"),
  description: text.optional(),
  ingress: rules,
  egress: rules,
  networks: z.array(lxdName("network")).default([]),
});

/**
 * A network ACL with exactly the given ingress and egress rules (LXD-NET-01). The rules are
 * compared as LXD stores them (trimmed, comma lists tidied, empty fields left out) and as a set
 * (LXD applies them order-free). Created with `POST /1.0/network-acls`, replaced with `PUT`.
 * With `networks`, the ACL is added to each network's security.acls: that puts a default reject
 * on the network, so it is done only for the networks named.
 */
export const lxdNetworkAclModule: Module<LxdNetworkAclArgs> = {
  name: "lxd_network_acl",
  description: "Hold an LXD network ACL's ingress/egress rules and, when networks are named, attach it to them",
  args: lxdNetworkAclArgs,
  facts: (args) => [lxdServerRequest, projectsRequest, networkAclsRequest(args.project), ...(args.networks.length > 0 ? [networksRequest(args.project)] : [])],
  plan: (args, facts) => {
    const server = parseLxdServer(facts.get(lxdServerRequest));
    if (!server.ok) return unreadablePlan(server, "the LXD server");
    if (!hasExtension(server.value, EXTENSION.networkAcls)) return { kind: "not_applicable", reason: `LXD ${server.value.version} has no network ACLs (API extension ${EXTENSION.networkAcls})` };
    const projects = parseProjects(facts.get(projectsRequest));
    if (!projects.ok) return unreadablePlan(projects, "projects");
    if (!projects.value.some((project) => project.name === args.project)) return { kind: "fail", message: `project ${args.project} does not exist (create it first, e.g. with lxd_project)` };
    const rawAcls = facts.get(networkAclsRequest(args.project));
    const acls = parseNetworkAcls(rawAcls, networkAclsPath(args.project));
    if (!acls.ok) return unreadablePlan(acls, `network ACLs of project ${args.project}`);
    const owner = effectiveProject(projects.value, args.project, "networks");
    const where = `network ACL ${args.name}${owner === "default" ? "" : ` (project ${owner})`}`;
    const acl = acls.value.find((candidate) => candidate.name === args.name);

    // Networks to attach to: each must be a managed bridge or OVN network the project sees.
    let rawNetworks: LxdQueryResult | undefined;
    const attach: string[] = [];
    if (args.networks.length > 0) {
      rawNetworks = facts.get(networksRequest(args.project));
      const networks = parseNetworks(rawNetworks, networksPath(args.project));
      if (!networks.ok) return unreadablePlan(networks, `networks of project ${args.project}`);
      const problems: string[] = [];
      for (const name of args.networks) {
        const network = networks.value.find((candidate) => candidate.name === name);
        if (network === undefined) problems.push(`no network ${name} in project ${args.project}`);
        else if (!network.managed) problems.push(`network ${name} is not managed by LXD`);
        else if (network.type !== "bridge" && network.type !== "ovn") problems.push(`network ${name} is a ${network.type} network (ACLs apply to bridge and ovn networks)`);
        else if (!networkAcls(network).includes(args.name)) attach.push(name);
      }
      if (problems.length > 0) return { kind: "fail", message: `cannot attach ${where}: ${problems.join("; ")}` };
    }

    const description = args.description ?? acl?.description ?? "";
    const sameRules = acl !== undefined && sameRuleSet(acl.ingress, args.ingress) && sameRuleSet(acl.egress, args.egress);
    const sameDescription = acl !== undefined && acl.description === description;
    if (acl !== undefined && sameRules && sameDescription && attach.length === 0) {
      const on = args.networks.length > 0 ? `, applied on ${listWords(args.networks)}` : "";
      return ok(`${where} has its ${args.ingress.length} ingress and ${args.egress.length} egress rules${on}`, rulesText(acl).trimEnd());
    }

    const commands: PlannedCommand[] = [];
    const body = { description, ingress: args.ingress, egress: args.egress };
    if (acl === undefined) {
      commands.push({ script: lxcCommand("query", "-X", "POST", "--data", JSON.stringify({ name: args.name, ...body, config: {} }), networkAclsUrl(args.project)), description: `create ${where}` });
    } else if (!sameRules || !sameDescription) {
      commands.push({ script: lxcCommand("query", "-X", "PUT", "--data", JSON.stringify({ ...body, config: acl.config }), networkAclsUrl(args.project, args.name)), description: `replace the rules of ${where}` });
    }
    const networks = rawNetworks === undefined ? [] : rawList(rawNetworks);
    for (const name of attach) {
      const current = networks.find((object) => rawName(object) === name);
      const list = [...networkAcls({ config: current === undefined ? {} : rawStrings(current, "config") }), args.name].join(",");
      commands.push({ script: lxcCommand("network", "set", name, `security.acls=${list}`, "--project", args.project), description: `apply ${where} on network ${name} (security.acls=${list})` });
    }

    const effects = predict(args, owner, description, acl, attach, rawAcls, rawNetworks);
    const after: LxdNetworkAcl = { name: args.name, project: undefined, description, ingress: args.ingress, egress: args.egress, config: acl?.config ?? {}, usedBy: [] };
    const summary = [acl === undefined ? `create ${where}` : !sameRules || !sameDescription ? `replace the rules of ${where}` : null, attach.length > 0 ? `apply it on ${listWords(attach)}` : null].filter((part): part is string => part !== null);
    return {
      kind: "change",
      summary: summary.join("; "),
      diff: { before: acl === undefined ? "" : rulesText(acl), after: rulesText(after) },
      commands,
      effects,
      expected: `${args.ingress.length} ingress and ${args.egress.length} egress rules${args.networks.length > 0 ? `, on ${listWords(args.networks)}` : ""}`,
      actual: acl === undefined ? `no ${where}` : `${acl.ingress.length} ingress and ${acl.egress.length} egress rules${attach.length > 0 ? `, not on ${listWords(attach)}` : ""}`,
    } satisfies Plan;
  },
  verifiable: true,
};

function networkAclsUrl(project: string, name?: string): string {
  const path = name === undefined ? "/1.0/network-acls" : `/1.0/network-acls/${encodeURIComponent(name)}`;
  return `${path}?project=${encodeURIComponent(project)}`;
}

function sameRuleSet(found: readonly LxdAclRule[], wanted: readonly LxdAclRule[]): boolean {
  const key = (list: readonly LxdAclRule[]): string => list.map(aclRuleText).sort().join("\n");
  return found.length === wanted.length && key(found) === key(wanted);
}

function rulesText(acl: Pick<LxdNetworkAcl, "name" | "description" | "ingress" | "egress">): string {
  const lines = [`network ACL ${acl.name}`, `description: ${acl.description}`, "ingress:", ...acl.ingress.map((item) => `  ${aclRuleText(item)}`), "egress:", ...acl.egress.map((item) => `  ${aclRuleText(item)}`)];
  return `${lines.join("\n")}\n`;
}

/** The ACL list and the network list after the change, as LXD will answer them. */
function predict(args: LxdNetworkAclArgs, owner: string, description: string, acl: LxdNetworkAcl | undefined, attach: readonly string[], rawAcls: LxdQueryResult, rawNetworks: LxdQueryResult | undefined): FactEffect[] {
  const networkUrl = (name: string): string => (owner === "default" ? `/1.0/networks/${encodeURIComponent(name)}` : `/1.0/networks/${encodeURIComponent(name)}?project=${encodeURIComponent(owner)}`);
  const networks = rawNetworks === undefined ? [] : rawList(rawNetworks);
  const order = (url: string): number => networks.findIndex((object) => networkUrl(rawName(object)) === url);
  const withNetworks = (usedBy: readonly string[]): string[] => {
    const urls = [...usedBy, ...attach.map(networkUrl).filter((url) => !usedBy.includes(url))];
    const isNetwork = (url: string): boolean => url.startsWith("/1.0/networks/");
    // LXD lists the networks first, in network-list order, then profiles, instances, ACLs.
    return [...urls.filter(isNetwork).sort((a, b) => order(a) - order(b)), ...urls.filter((url) => !isNetwork(url))];
  };
  const fields = (object: RawObject): RawObject => ({ ...object, description, ingress: args.ingress.map(rawRule), egress: args.egress.map(rawRule), used_by: withNetworks(rawStringList(object, "used_by")) });
  const existing = rawList(rawAcls);
  const aclsAfter =
    acl === undefined
      ? [...existing, fields({ config: {}, name: args.name, used_by: [], ...(existing.some((object) => "project" in object) ? { project: owner } : {}) })]
      : editObjects(existing, (object) => rawName(object) === args.name, fields);
  const effects: FactEffect[] = [{ request: networkAclsRequest(args.project), value: listResult(aclsAfter) }];
  if (rawNetworks !== undefined && attach.length > 0) {
    const networksAfter = editObjects(
      networks,
      (object) => attach.includes(rawName(object)),
      (object) => {
        const config = rawStrings(object, "config");
        return { ...object, config: { ...config, "security.acls": [...networkAcls({ config }), args.name].join(",") } };
      },
    );
    effects.push({ request: networksRequest(args.project), value: listResult(networksAfter) });
  }
  return effects;
}

const rawRule = (item: LxdAclRule): RawObject => ({ ...item });
