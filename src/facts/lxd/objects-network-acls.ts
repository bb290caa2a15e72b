import { z } from "zod";
import { fact, type FactRequest } from "../types.js";
import { allProjectsPath, projectPath, readLxd, stringList, stringMap, type LxdRead } from "./objects-common.js";
import { lxdQuery, type LxdQueryResult } from "./query.js";

/**
 * Network ACLs as one project sees them (`/1.0/network-acls?recursion=1&project=P`: the
 * default project's when features.networks is off), or of every project (`all-projects=true`,
 * LXD 5.21+: extension network_acls_all_projects).
 */
export interface LxdAclRule {
  action: string;
  source?: string;
  destination?: string;
  protocol?: string;
  source_port?: string;
  destination_port?: string;
  icmp_type?: string;
  icmp_code?: string;
  description?: string;
  state: string;
}

export interface LxdNetworkAcl {
  name: string;
  project: string | undefined;
  description: string;
  ingress: LxdAclRule[];
  egress: LxdAclRule[];
  config: Record<string, string>;
  usedBy: string[];
}

export const RULE_FIELDS = ["action", "source", "destination", "protocol", "source_port", "destination_port", "icmp_type", "icmp_code", "description", "state"] as const;

const optionalText = z.string().nullish();
const ruleSchema = z
  .object({
    action: z.string(),
    source: optionalText,
    destination: optionalText,
    protocol: optionalText,
    source_port: optionalText,
    destination_port: optionalText,
    icmp_type: optionalText,
    icmp_code: optionalText,
    description: optionalText,
    state: z.string().nullish(),
  })
  .transform((rule): LxdAclRule => normaliseAclRule({ ...rule, state: rule.state ?? "" }));

const rules = z
  .array(ruleSchema)
  .nullish()
  .transform((value) => value ?? []);

const aclSchema = z
  .object({ name: z.string(), project: z.string().nullish(), description: z.string().nullish(), ingress: rules, egress: rules, config: stringMap, used_by: stringList })
  .transform(
    (acl): LxdNetworkAcl => ({
      name: acl.name,
      project: acl.project || undefined,
      description: acl.description ?? "",
      ingress: acl.ingress,
      egress: acl.egress,
      config: acl.config,
      usedBy: acl.used_by,
    }),
  );

export const NETWORK_ACLS = "/1.0/network-acls";
export const networkAclsPath = (project: string): string => projectPath(NETWORK_ACLS, project);
export const networkAclsRequest = (project: string): FactRequest<LxdQueryResult> => fact(lxdQuery, networkAclsPath(project));
export const allNetworkAclsRequest: FactRequest<LxdQueryResult> = fact(lxdQuery, allProjectsPath(NETWORK_ACLS));
export const parseNetworkAcls = (result: LxdQueryResult, apiPath: string): LxdRead<LxdNetworkAcl[]> => readLxd(result, z.array(aclSchema), apiPath);

/**
 * A rule as LXD stores it (api.NetworkACLRule.Normalise): fields trimmed, the entries of the
 * comma lists (source, destination, ports) trimmed, and empty optional fields left out (they are
 * `omitempty` in the JSON).
 */
export function normaliseAclRule(rule: { action: string; state: string } & Partial<Record<(typeof RULE_FIELDS)[number], string | null | undefined>>): LxdAclRule {
  const list = (value: string | null | undefined): string =>
    (value ?? "")
      .split(",")
      .map((part) => part.trim())
      .join(",");
  const normal: LxdAclRule = { action: rule.action.trim(), state: rule.state.trim() };
  const optional: Record<string, string> = {
    source: list(rule.source),
    destination: list(rule.destination),
    protocol: (rule.protocol ?? "").trim(),
    source_port: list(rule.source_port),
    destination_port: list(rule.destination_port),
    icmp_type: (rule.icmp_type ?? "").trim(),
    icmp_code: (rule.icmp_code ?? "").trim(),
    description: (rule.description ?? "").trim(),
  };
  for (const [field, value] of Object.entries(optional)) if (value !== "") Object.assign(normal, { [field]: value });
  return normal;
}

/** One line per rule, fields in a fixed order: for diffs and for order-free comparison. */
export function aclRuleText(rule: LxdAclRule): string {
  return RULE_FIELDS.filter((field) => rule[field] !== undefined && rule[field] !== "")
    .map((field) => `${field}=${rule[field] ?? ""}`)
    .join(" ");
}
