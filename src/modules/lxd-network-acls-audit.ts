import { z } from "zod";
import { parseNetworks, networksPath, networksRequest, networkAcls } from "../facts/lxd/objects-networks.js";
import { argsObject } from "./support/args.js";
import { listWords, lxdName, plural, unreadablePlan } from "./support/lxd-plan.js";
import { ok, type Module } from "./types.js";

const aclsAuditArgs = argsObject("lxd_network_acls_audit", {
  project: lxdName("project").default("default"),
  /** Networks that may go without an ACL. */
  allow: z.array(lxdName("network")).default([]),
});

export type LxdNetworkAclsAuditArgs = z.infer<typeof aclsAuditArgs>;

/** Network types whose instances' traffic ACLs can filter. */
const FILTERABLE = new Set(["bridge", "ovn"]);

/**
 * LXD-NET-01: every managed bridge or OVN network that instances use has at least one network
 * ACL (security.acls). Audit only: attaching an ACL adds a default reject, so it is the operator's
 * call (lxd_network_acl does it when asked).
 */
export const lxdNetworkAclsAuditModule: Module<LxdNetworkAclsAuditArgs> = {
  name: "lxd_network_acls_audit",
  description: "find managed bridge/OVN networks in use that have no network ACL",
  args: aclsAuditArgs,
  verifiable: true,
  facts: (args) => [networksRequest(args.project)],
  plan: (args, facts) => {
    const read = parseNetworks(facts.get(networksRequest(args.project)), networksPath(args.project));
    if (!read.ok) return unreadablePlan(read, "networks");
    const judged = read.value.filter((network) => network.managed && FILTERABLE.has(network.type) && network.usedBy.length > 0 && !args.allow.includes(network.name));
    const bare = judged.filter((network) => networkAcls(network).length === 0);
    if (judged.length === 0) return ok(`no managed bridge or OVN network in use in project ${args.project}`, "none in use");
    if (bare.length === 0) return ok(`${plural(judged.length, "network")} in use, each with an ACL`, `${judged.length} with ACLs`);
    const names = bare.map((network) => `${network.name} (${network.type}, used by ${plural(network.usedBy.length, "object")})`);
    return { kind: "fail", message: `no network ACL on ${listWords(names)}`, expected: "security.acls set on every network instances use", actual: `no ACL: ${listWords(bare.map((network) => network.name))}` };
  },
};
