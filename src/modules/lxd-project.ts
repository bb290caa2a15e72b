import { z } from "zod";
import { EXTENSION, hasExtension, lxdServerRequest, lxdTrue, objectUrl, parseLxdServer, type LxdServer } from "../facts/lxd/objects-common.js";
import { networkAclsRequest } from "../facts/lxd/objects-network-acls.js";
import { profilesRequest } from "../facts/lxd/objects-profiles.js";
import type { LxdQueryResult } from "../facts/lxd/query.js";
import { parseProjects, projectsRequest, type LxdProject } from "../facts/lxd/objects-projects.js";
import { argsObject } from "./support/args.js";
import {
  applyConfigDiff,
  assignments,
  configDiff,
  configMap,
  editObjects,
  emptyDiff,
  listResult,
  listWords,
  lxcCommand,
  lxdName,
  mapText,
  rawList,
  rawName,
  rawStrings,
  sortedRecord,
  unreadablePlan,
  type RawObject,
} from "./support/lxd-plan.js";
import { ok, type FactEffect, type Module, type Plan, type PlannedCommand } from "./types.js";

export interface LxdProjectArgs {
  name: string;
  /** Keys to hold (null: unset). Keys not named are left alone. */
  config: Record<string, string | null>;
}

export const lxdProjectArgs: z.ZodType<LxdProjectArgs, unknown> = argsObject("lxd_project", {
  name: lxdName("project"),
  config: configMap.default({}),
});

/** Features a new project gets when its config does not name them (lxd/db/cluster ProjectFeatures). */
function defaultFeatures(server: LxdServer): string[] {
  const features = ["features.images", "features.profiles", "features.storage.volumes"];
  if (hasExtension(server, EXTENSION.storageBuckets)) features.push("features.storage.buckets");
  return features;
}

/**
 * An LXD project with the given config (LXD-MU-02: restricted=true and restricted.* for tenant
 * projects). Projects are cluster-wide: run it once per cluster. A missing project is created with
 * its config in one `lxc project create -c` (so it is never visible unrestricted); an existing one
 * gets `lxc project set` of the differing keys and `lxc project unset` of the keys given as null.
 */
export const lxdProjectModule: Module<LxdProjectArgs> = {
  name: "lxd_project",
  description: "Create an LXD project if missing and hold its config keys (restricted, restricted.*, features.*, limits.*)",
  args: lxdProjectArgs,
  facts: () => [lxdServerRequest, projectsRequest],
  plan: (args, facts) => {
    const server = parseLxdServer(facts.get(lxdServerRequest));
    const projects = parseProjects(facts.get(projectsRequest));
    if (!projects.ok) return unreadablePlan(projects, "projects");
    if (!server.ok) return unreadablePlan(server, "server");

    const found = projects.value.find((project) => project.name === args.name);
    return found === undefined ? createPlan(args, server.value, facts.get(projectsRequest)) : updatePlan(args, found, facts.get(projectsRequest));
  },
  verifiable: true,
};

function createPlan(args: LxdProjectArgs, server: LxdServer, projectsRead: LxdQueryResult): Plan {
  const given = Object.fromEntries(Object.entries(args.config).filter((entry): entry is [string, string] => entry[1] !== null));
  const config = sortedRecord({ ...Object.fromEntries(defaultFeatures(server).map((feature) => [feature, "true"])), ...given });
  const ownProfiles = lxdTrue(config["features.profiles"]);
  const ownNetworks = lxdTrue(config["features.networks"]);
  const created: RawObject = {
    config,
    description: "",
    name: args.name,
    // LXD creates the project's default profile when it has its own profiles.
    used_by: ownProfiles ? [objectUrl("/1.0/profiles", "default", args.name)] : [],
  };
  const projects = [...rawList(projectsRead), created].sort((a, b) => (rawName(a) < rawName(b) ? -1 : rawName(a) > rawName(b) ? 1 : 0));
  const effects: FactEffect[] = [{ request: projectsRequest, value: listResult(projects) }];
  // What the new project sees, when it owns it (else it sees the default project's, unpredicted here).
  const field = (extension: string): RawObject => (hasExtension(server, extension) ? { project: args.name } : {});
  if (ownProfiles) {
    effects.push({
      request: profilesRequest(args.name),
      value: listResult([{ config: {}, description: `Default LXD profile for project ${args.name}`, devices: {}, name: "default", used_by: [], ...field(EXTENSION.profilesAllProjects) }]),
    });
  }
  if (ownNetworks) effects.push({ request: networkAclsRequest(args.name), value: listResult([]) });

  const words = ["project", "create", args.name, ...Object.entries(given).flatMap(([key, value]) => ["-c", `${key}=${value}`])];
  const commands: PlannedCommand[] = [{ script: lxcCommand(...words), description: `create LXD project ${args.name}${Object.keys(given).length > 0 ? ` with ${Object.keys(given).join(", ")}` : ""}` }];
  return {
    kind: "change",
    summary: `create project ${args.name}${Object.keys(given).length > 0 ? ` (${assignments(given).join(" ")})` : ""}`,
    diff: { before: "", after: `project ${args.name}\n${mapText(config, "  ")}` },
    commands,
    effects,
    expected: `project ${args.name} with ${assignments(given).join(" ") || "default config"}`,
    actual: `no project ${args.name}`,
  };
}

function updatePlan(args: LxdProjectArgs, found: LxdProject, projectsRead: LxdQueryResult): Plan {
  const diff = configDiff(found.config, args.config);
  const held = Object.keys(args.config).sort();
  if (emptyDiff(diff)) {
    if (held.length === 0) return ok(`project ${args.name} exists`);
    return ok(`project ${args.name} holds ${held.map((key) => describeHeld(key, found.config[key])).join(", ")}`, mapText(pick(found.config, held)).trimEnd());
  }
  const after = applyConfigDiff(found.config, diff);
  const commands: PlannedCommand[] = [];
  if (Object.keys(diff.set).length > 0) commands.push({ script: lxcCommand("project", "set", args.name, ...assignments(diff.set)), description: `set ${listWords(Object.keys(diff.set))} on project ${args.name}` });
  for (const key of diff.unset) commands.push({ script: lxcCommand("project", "unset", args.name, key), description: `unset ${key} on project ${args.name}` });
  const projects = editObjects(
    rawList(projectsRead),
    (object) => rawName(object) === args.name,
    (object) => ({ ...object, config: applyConfigDiff(rawStrings(object, "config"), diff) }),
  );
  const changed = [...Object.keys(diff.set), ...diff.unset].sort();
  return {
    kind: "change",
    summary: `project ${args.name}: ${changed.map((key) => `${key} ${found.config[key] ?? "(unset)"} → ${after[key] ?? "(unset)"}`).join(", ")}`,
    diff: { before: mapText(pick(found.config, changed)), after: mapText(pick(after, changed)) },
    commands,
    effects: [{ request: projectsRequest, value: listResult(projects) }],
    expected: changed.map((key) => `${key}=${after[key] ?? "(unset)"}`).join(" "),
    actual: changed.map((key) => `${key}=${found.config[key] ?? "(unset)"}`).join(" "),
  };
}

const describeHeld = (key: string, value: string | undefined): string => (value === undefined ? `${key} unset` : `${key}=${value}`);

function pick(config: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((key) => Object.hasOwn(config, key)).map((key) => [key, config[key] ?? ""]));
}
