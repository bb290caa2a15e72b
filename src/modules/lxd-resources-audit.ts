import { z } from "zod";
import { allProjectsPath, EXTENSION, lxdServerRequest, objectUrl, parseLxdServer } from "../facts/lxd/objects-common.js";
import { allNetworksRequest, networksPath, networksRequest, parseNetworks, type LxdNetwork } from "../facts/lxd/objects-networks.js";
import { effectiveProject, parseProjects, projectsRequest } from "../facts/lxd/objects-projects.js";
import { allProjectsUsable, objectsOwnedBy, type ScopedReads } from "../facts/lxd/objects-scoped.js";
import { parseStoragePools, storagePoolsRequest, type LxdStoragePool } from "../facts/lxd/objects-storage-pools.js";
import type { FactReader, FactRequest } from "../facts/types.js";
import type { LxdQueryResult } from "../facts/lxd/query.js";
import { argsObject } from "./support/args.js";
import { listResult, listWords, lxcCommand, lxdName, plural, rawList, rawName, rawStringList, unreadablePlan, type RawObject } from "./support/lxd-plan.js";
import { ok, type FactEffect, type Module, type Plan, type PlannedCommand } from "./types.js";

export interface LxdResourcesAuditArgs {
  /** Projects whose networks are judged; undefined: every project (LXD 5.21+) or default (older). */
  projects: string[] | undefined;
  networks: boolean;
  storagePools: boolean;
  /** "name" (any project) or "project/name". */
  allowNetworks: string[];
  allowStoragePools: string[];
  /** Delete what is unused instead of failing. */
  remove: boolean;
}

const networkEntry = z.string().regex(/^([^\s/]+\/)?[^\s/]+$/, 'must be a network name or "project/name"');

export const lxdResourcesAuditArgs: z.ZodType<LxdResourcesAuditArgs, unknown> = argsObject("lxd_resources_audit", {
  projects: z.array(lxdName("project")).min(1, "name at least one project, or leave projects out for all").optional(),
  networks: z.boolean().default(true),
  storage_pools: z.boolean().default(true),
  allow_networks: z.array(networkEntry).default([]),
  allow_storage_pools: z.array(lxdName("storage pool")).default([]),
  remove: z.boolean().default(false),
}).transform((args) => ({
  projects: args.projects,
  networks: args.networks,
  storagePools: args.storage_pools,
  allowNetworks: args.allow_networks,
  allowStoragePools: args.allow_storage_pools,
  remove: args.remove,
}));

/** Per-project network reads: the projects named, or default (the only one an older LXD lists without all-projects). */
const perProjectNames = (args: LxdResourcesAuditArgs): string[] => args.projects ?? ["default"];

interface Unused {
  networks: { project: string; network: LxdNetwork }[];
  pools: LxdStoragePool[];
}

/**
 * Managed networks and storage pools that nothing uses (LXD-RES-01, LXD-RES-02): used_by empty
 * and not in the allowlist. Unmanaged networks (host interfaces) are never judged. Without
 * `remove` it is an audit (fail listing them); with `remove: true` it deletes them
 * (`lxc network delete N --project P`, `lxc storage delete P`). Networks, pools and their used_by
 * are cluster-wide: run it once per cluster, as root (used_by is filtered by permissions).
 */
export const lxdResourcesAuditModule: Module<LxdResourcesAuditArgs> = {
  name: "lxd_resources_audit",
  description: "Find (or with remove: true delete) managed LXD networks and storage pools that nothing uses",
  args: lxdResourcesAuditArgs,
  facts: (args) => [
    lxdServerRequest,
    projectsRequest,
    ...(args.networks ? [allNetworksRequest, ...perProjectNames(args).map(networksRequest)] : []),
    ...(args.storagePools ? [storagePoolsRequest] : []),
  ],
  plan: (args, facts) => {
    const server = parseLxdServer(facts.get(lxdServerRequest));
    if (!server.ok) return unreadablePlan(server, "the LXD server");
    const projects = parseProjects(facts.get(projectsRequest));
    if (!projects.ok) return unreadablePlan(projects, "projects");
    const unknown = (args.projects ?? []).filter((name) => !projects.value.some((project) => project.name === name));
    if (unknown.length > 0) return { kind: "fail", message: `no project ${listWords(unknown)} on this LXD server` };

    const unused: Unused = { networks: [], pools: [] };
    const notes: string[] = [];
    let judgedNetworks = 0;
    let reads: ScopedReads<LxdNetwork> | undefined;
    if (args.networks) {
      reads = {
        server: server.value,
        projects: projects.value,
        feature: "networks",
        extension: EXTENSION.networksAllProjects,
        all: parseNetworks(facts.get(allNetworksRequest), allProjectsPath("/1.0/networks")),
        perProject: new Map(perProjectNames(args).map((name) => [name, parseNetworks(facts.get(networksRequest(name)), networksPath(name))])),
      };
      const failed = [...reads.perProject.values()].find((read) => !read.ok);
      if (failed !== undefined && !failed.ok) return unreadablePlan(failed, "networks");
      const judged = args.projects ?? (allProjectsUsable(reads) ? projects.value.map((project) => project.name) : ["default"]);
      const notRead: string[] = [];
      for (const project of judged) {
        const owned = objectsOwnedBy(reads, project);
        if (owned === undefined) {
          notRead.push(project);
          continue;
        }
        for (const network of owned.filter((candidate) => candidate.managed)) {
          judgedNetworks += 1;
          if (network.usedBy.length === 0 && !allowedNetwork(args.allowNetworks, project, network.name)) unused.networks.push({ project, network });
        }
      }
      if (args.projects === undefined && !allProjectsUsable(reads)) {
        const others = projects.value.filter((project) => project.name !== "default" && effectiveProject(projects.value, project.name, "networks") === project.name).map((project) => project.name);
        if (others.length > 0) notes.push(`networks of ${listWords(others)} not judged: LXD ${server.value.version} lists networks one project at a time (name them in projects)`);
      }
      if (notRead.length > 0) notes.push(`networks of ${listWords(notRead)} not read`);
    }
    let judgedPools = 0;
    if (args.storagePools) {
      const pools = parseStoragePools(facts.get(storagePoolsRequest));
      if (!pools.ok) return unreadablePlan(pools, "storage pools");
      judgedPools = pools.value.length;
      unused.pools = pools.value.filter((pool) => pool.usedBy.length === 0 && !args.allowStoragePools.includes(pool.name));
    }

    const judged = [args.networks ? plural(judgedNetworks, "managed network") : null, args.storagePools ? plural(judgedPools, "storage pool") : null].filter((part) => part !== null).join(" and ");
    const note = notes.length > 0 ? ` (${notes.join("; ")})` : "";
    const findings = [
      ...unused.networks.map(({ project, network }) => `network ${project}/${network.name} (${network.type}) is used by nothing`),
      ...unused.pools.map((pool) => `storage pool ${pool.name} (${pool.driver}) is used by nothing`),
    ];
    if (findings.length === 0) return ok(`no unused resources among ${judged}${note}`, "none unused");
    const names = [...unused.networks.map(({ project, network }) => `network ${project}/${network.name}`), ...unused.pools.map((pool) => `storage pool ${pool.name}`)];
    if (!args.remove) {
      return {
        kind: "fail",
        message: `${plural(findings.length, "unused resource")} [LXD-RES-01/02]${note}:\n${findings.map((line) => `- ${line}`).join("\n")}\nDelete them (remove: true) or list them in allow_networks / allow_storage_pools.`,
        expected: "no managed network or storage pool without users, outside the allowlist",
        actual: names.join(", "),
      };
    }
    return removalPlan(args, unused, names, note, facts, reads);
  },
  verifiable: true,
};

function allowedNetwork(allow: readonly string[], project: string, name: string): boolean {
  return allow.includes(name) || allow.includes(`${project}/${name}`);
}

function removalPlan(args: LxdResourcesAuditArgs, unused: Unused, names: string[], note: string, facts: FactReader, reads: ScopedReads<LxdNetwork> | undefined): Plan {
  const commands: PlannedCommand[] = [
    ...unused.networks.map(({ project, network }) => ({ script: lxcCommand("network", "delete", network.name, "--project", project), description: `delete unused network ${project}/${network.name} (${network.type})` })),
    ...unused.pools.map((pool) => ({ script: lxcCommand("storage", "delete", pool.name), description: `delete unused storage pool ${pool.name} (${pool.driver})` })),
  ];
  const effects: FactEffect[] = [];
  if (unused.networks.length > 0 && reads !== undefined) {
    const gone = (owner: string, name: string): boolean => unused.networks.some(({ project, network }) => project === owner && network.name === name);
    const urls = new Set(unused.networks.map(({ project, network }) => objectUrl("/1.0/networks", network.name, project)));
    // A deleted network leaves the list, and the used_by of its parent interface (macvlan, physical...).
    const dropUrls = (object: RawObject): RawObject => (Array.isArray(object["used_by"]) ? { ...object, used_by: rawStringList(object, "used_by").filter((url) => !urls.has(url)) } : object);
    const without = (request: FactRequest<LxdQueryResult>, owner: (object: RawObject) => string): void => {
      const objects = rawList(facts.get(request));
      effects.push({ request, value: listResult(objects.filter((object) => !gone(owner(object), rawName(object))).map(dropUrls)) });
    };
    if (allProjectsUsable(reads)) without(allNetworksRequest, (object) => (typeof object["project"] === "string" && object["project"] !== "" ? object["project"] : "default"));
    for (const project of perProjectNames(args)) without(networksRequest(project), () => effectiveProject(reads.projects, project, "networks"));
    const projectsAfter = rawList(facts.get(projectsRequest)).map(dropUrls);
    effects.push({ request: projectsRequest, value: listResult(projectsAfter) });
  }
  if (unused.pools.length > 0) {
    const gone = new Set(unused.pools.map((pool) => pool.name));
    effects.push({ request: storagePoolsRequest, value: listResult(rawList(facts.get(storagePoolsRequest)).filter((object) => !gone.has(rawName(object)))) });
  }
  return {
    kind: "change",
    summary: `delete unused ${listWords(names)}${note}`,
    diff: { before: names.map((name) => `${name}\n`).join(""), after: "" },
    commands,
    effects,
    expected: "no managed network or storage pool without users, outside the allowlist",
    actual: names.join(", "),
  };
}
