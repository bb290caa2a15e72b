import { z } from "zod";
import { objectUrl } from "../facts/lxd/objects-common.js";
import { expandInstance, instancesRequest, parseInstances, type LxdInstance, type ProfileLayer } from "../facts/lxd/objects-instances.js";
import { parseProfiles, profilesPath, profilesRequest, type LxdProfile } from "../facts/lxd/objects-profiles.js";
import { effectiveProject, parseProjects, projectsRequest } from "../facts/lxd/objects-projects.js";
import type { LxdQueryResult } from "../facts/lxd/query.js";
import { argsObject } from "./support/args.js";
import {
  applyConfigDiff,
  assignments,
  configDiff,
  configKey,
  configMap,
  keyedRecord,
  editObjects,
  emptyDiff,
  listResult,
  listWords,
  lxcCommand,
  lxdName,
  mapText,
  plural,
  rawDevices,
  rawList,
  rawName,
  rawStringList,
  rawStrings,
  sortedRecord,
  unreadablePlan,
  type ConfigDiff,
  type RawObject,
} from "./support/lxd-plan.js";
import { ok, type FactEffect, type Module, type Plan, type PlannedCommand } from "./types.js";

export interface LxdProfileArgs {
  name: string;
  project: string;
  /** Keys to hold (null: unset); keys not named are left alone. */
  config: Record<string, string | null>;
  /** Devices to hold exactly (null: remove); devices not named are left alone. */
  devices: Record<string, Record<string, string> | null>;
  /** Instances of the project that must use the profile, or "all" of them. */
  attachTo: string[] | "all";
}

const deviceValue = z
  .union([z.string(), z.number(), z.boolean()], { error: "must be a string, number or boolean" })
  .transform(String)
  .refine((value) => !/[\n\r\0]/.test(value), "must be one line");

/** A device as held exactly; a key given as "" is a key the device must not have (LXD drops keys set to ""). */
const device = keyedRecord(deviceValue, configKey)
  .transform((settings) => Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== "")))
  .refine((settings) => typeof settings["type"] === "string" && settings["type"] !== "", { message: 'a device needs a "type" (disk, nic, unix-char, ...)' })
  .nullable();

export const lxdProfileArgs: z.ZodType<LxdProfileArgs, unknown> = argsObject("lxd_profile", {
  name: lxdName("profile"),
  project: lxdName("project").default("default"),
  config: configMap.default({}),
  devices: keyedRecord(device, { test: (name) => lxdName("device").safeParse(name).success, message: 'a device name has no spaces, "/", ",", quotes or backslashes' }).default({}),
  attach_to: z
    .union([z.literal("all"), z.array(lxdName("instance"))], { error: 'must be a list of instance names or "all"' })
    .default([]),
}).transform(({ attach_to, ...rest }) => ({ ...rest, attachTo: attach_to }));

/**
 * An LXD profile with the given config keys and devices, added to instances (LXD-PRF-01: apply
 * hardening through a profile; LXD-INS-02 limits, LXD-DEV-03 NIC filtering...). The profile is
 * created when missing; `lxc profile add` appends it to an instance's profile list, so it comes
 * last and wins over the instance's other profiles (the instance's own config still wins over it).
 * Profiles are cluster-wide: run it once per cluster.
 */
export const lxdProfileModule: Module<LxdProfileArgs> = {
  name: "lxd_profile",
  description: "Create an LXD profile if missing, hold its config keys and devices, and add it to instances",
  args: lxdProfileArgs,
  facts: (args) => [projectsRequest, profilesRequest(args.project), instancesRequest],
  plan: (args, facts) => {
    const projectsRead = parseProjects(facts.get(projectsRequest));
    if (!projectsRead.ok) return unreadablePlan(projectsRead, "projects");
    if (!projectsRead.value.some((project) => project.name === args.project)) return { kind: "fail", message: `project ${args.project} does not exist (create it first, e.g. with lxd_project)` };
    const rawProfiles = facts.get(profilesRequest(args.project));
    const profilesRead = parseProfiles(rawProfiles, profilesPath(args.project));
    if (!profilesRead.ok) return unreadablePlan(profilesRead, `profiles of project ${args.project}`);
    const rawInstances = facts.get(instancesRequest);
    const instancesRead = parseInstances(rawInstances);
    if (!instancesRead.ok) return unreadablePlan(instancesRead, "instances");

    const projects = projectsRead.value;
    // The project that owns the profiles the given project sees.
    const owner = effectiveProject(projects, args.project, "profiles");
    const sharing = (project: string): boolean => effectiveProject(projects, project, "profiles") === owner;
    const profile = profilesRead.value.find((candidate) => candidate.name === args.name);
    const where = `profile ${args.name}${owner === args.project ? (owner === "default" ? "" : ` (project ${owner})`) : ` (project ${owner}, whose profiles ${args.project} uses)`}`;

    const configChange = configDiff(profile?.config ?? {}, args.config);
    const deviceChanges = deviceDiff(profile?.devices ?? {}, args.devices);
    const inProject = instancesRead.value.filter((instance) => instance.project === args.project);
    const missing = args.attachTo === "all" ? [] : args.attachTo.filter((name) => !inProject.some((instance) => instance.name === name));
    if (missing.length > 0) return { kind: "fail", message: `cannot add ${where} to ${listWords(missing)}: no such instance in project ${args.project}` };
    const targets = args.attachTo === "all" ? inProject : inProject.filter((instance) => args.attachTo.includes(instance.name));
    const attach = targets.filter((instance) => !instance.profiles.includes(args.name));

    if (profile !== undefined && emptyDiff(configChange) && deviceChanges.length === 0 && attach.length === 0) {
      const held = [
        ...Object.keys(args.config).map((key) => (args.config[key] === null ? `${key} unset` : `${key}=${profile.config[key] ?? ""}`)),
        ...Object.keys(args.devices).map((name) => (args.devices[name] === null ? `no device ${name}` : `device ${name}`)),
      ];
      const attached = targets.length === 0 ? "" : `; used by ${args.attachTo === "all" ? `all ${plural(targets.length, "instance")}` : listWords(targets.map((instance) => instance.name))} of project ${args.project}`;
      return ok(`${where} exists${held.length > 0 ? ` with ${held.join(", ")}` : ""}${attached}`, mapText(profile.config).trimEnd());
    }

    const commands: PlannedCommand[] = [];
    const scope = ["--project", args.project];
    if (profile === undefined) commands.push({ script: lxcCommand("profile", "create", args.name, ...scope), description: `create ${where}` });
    if (Object.keys(configChange.set).length > 0) {
      commands.push({ script: lxcCommand("profile", "set", args.name, ...assignments(configChange.set), ...scope), description: `set ${listWords(Object.keys(configChange.set))} on ${where}` });
    }
    for (const key of configChange.unset) commands.push({ script: lxcCommand("profile", "unset", args.name, key, ...scope), description: `unset ${key} on ${where}` });
    for (const change of deviceChanges) commands.push(...deviceCommands(args.name, where, change, scope));
    for (const instance of attach) commands.push({ script: lxcCommand("profile", "add", instance.name, args.name, ...scope), description: `add ${where} to instance ${args.project}/${instance.name}` });

    const beforeDevices = profile?.devices ?? {};
    const afterConfig = applyConfigDiff(profile?.config ?? {}, configChange);
    const afterDevices = applyDeviceDiff(beforeDevices, deviceChanges);
    const attachedNames = new Set(attach.map((instance) => instance.name));
    const effects = predict({ args, owner, sharing, profile, afterConfig, afterDevices, attachedNames, rawProfiles, rawInstances, rawProjects: facts.get(projectsRequest) });

    const summary = [
      profile === undefined ? "create" : null,
      ...Object.entries(configChange.set).map(([key, value]) => `${key}: ${profile?.config[key] ?? "(unset)"} → ${value}`),
      ...configChange.unset.map((key) => `unset ${key} (was ${profile?.config[key] ?? ""})`),
      ...deviceChanges.map((change) => `${change.kind} device ${change.name}`),
      attach.length > 0 ? `add to ${listWords(attach.map((instance) => instance.name))}` : null,
    ].filter((part): part is string => part !== null);
    return {
      kind: "change",
      summary: `${where}: ${summary.join("; ")}`,
      diff: { before: profileText(profile, profile?.config ?? {}, beforeDevices, targets, new Set()), after: profileText(profile ?? { name: args.name }, afterConfig, afterDevices, targets, attachedNames) },
      commands,
      effects,
      expected: [...Object.entries(args.config).map(([key, value]) => `${key}=${value ?? "(unset)"}`), ...Object.keys(args.devices).map((name) => (args.devices[name] === null ? `no device ${name}` : `device ${name}`))].join(" ") || `profile ${args.name}`,
      actual: profile === undefined ? `no ${where}` : [...Object.keys(args.config).map((key) => `${key}=${profile.config[key] ?? "(unset)"}`), ...Object.keys(args.devices).map((name) => (profile.devices[name] === undefined ? `no device ${name}` : `device ${name}`))].join(" "),
    } satisfies Plan;
  },
  verifiable: true,
};

// ---- devices ----

type DeviceChange =
  | { kind: "add"; name: string; settings: Record<string, string> }
  /** Same type: set the differing keys, unset the ones the wanted device does not have. */
  | { kind: "edit"; name: string; diff: ConfigDiff; settings: Record<string, string> }
  /** Another type: LXD cannot change a device's type in place. */
  | { kind: "replace"; name: string; settings: Record<string, string> }
  | { kind: "remove"; name: string };

function deviceDiff(current: Record<string, Record<string, string>>, wanted: Record<string, Record<string, string> | null>): DeviceChange[] {
  const changes: DeviceChange[] = [];
  for (const [name, settings] of Object.entries(wanted)) {
    const have = current[name];
    if (settings === null) {
      if (have !== undefined) changes.push({ kind: "remove", name });
      continue;
    }
    if (have === undefined) changes.push({ kind: "add", name, settings });
    else if (have["type"] !== settings["type"]) changes.push({ kind: "replace", name, settings });
    else {
      const exact: Record<string, string | null> = { ...Object.fromEntries(Object.keys(have).map((key) => [key, null])), ...settings };
      const diff = configDiff(have, exact);
      if (!emptyDiff(diff)) changes.push({ kind: "edit", name, diff, settings });
    }
  }
  return changes;
}

function applyDeviceDiff(current: Record<string, Record<string, string>>, changes: readonly DeviceChange[]): Record<string, Record<string, string>> {
  const after = { ...current };
  for (const change of changes) {
    if (change.kind === "remove") delete after[change.name];
    else if (change.kind === "edit") after[change.name] = applyConfigDiff(current[change.name] ?? {}, change.diff);
    else after[change.name] = sortedRecord(change.settings);
  }
  return sortedRecord(after);
}

function deviceCommands(profile: string, where: string, change: DeviceChange, scope: string[]): PlannedCommand[] {
  const add = (settings: Record<string, string>): PlannedCommand => {
    const { type, ...rest } = settings;
    return { script: lxcCommand("profile", "device", "add", profile, change.name, type ?? "", ...assignments(rest), ...scope), description: `add device ${change.name} (${type ?? ""}) to ${where}` };
  };
  const remove: PlannedCommand = { script: lxcCommand("profile", "device", "remove", profile, change.name, ...scope), description: `remove device ${change.name} from ${where}` };
  switch (change.kind) {
    case "add":
      return [add(change.settings)];
    case "remove":
      return [remove];
    case "replace":
      return [remove, add(change.settings)];
    case "edit": {
      const commands: PlannedCommand[] = [];
      if (Object.keys(change.diff.set).length > 0) {
        commands.push({ script: lxcCommand("profile", "device", "set", profile, change.name, ...assignments(change.diff.set), ...scope), description: `set ${listWords(Object.keys(change.diff.set))} of device ${change.name} on ${where}` });
      }
      for (const key of change.diff.unset) commands.push({ script: lxcCommand("profile", "device", "unset", profile, change.name, key, ...scope), description: `unset ${key} of device ${change.name} on ${where}` });
      return commands;
    }
  }
}

// ---- predicted reads ----

interface Prediction {
  args: LxdProfileArgs;
  owner: string;
  sharing(project: string): boolean;
  profile: LxdProfile | undefined;
  afterConfig: Record<string, string>;
  afterDevices: Record<string, Record<string, string>>;
  attachedNames: ReadonlySet<string>;
  rawProfiles: LxdQueryResult;
  rawInstances: LxdQueryResult;
  rawProjects: LxdQueryResult;
}

/**
 * The reads after the change: the profile list (the profile created or edited, its used_by),
 * the instances that use the profile (profiles list, expanded config and devices recomputed as
 * LXD expands them) and, for a new profile, the owning project's used_by.
 */
function predict(p: Prediction): FactEffect[] {
  const instanceObjects = rawList(p.rawInstances);
  const isAttached = (object: RawObject): boolean => projectOf(object) === p.args.project && p.attachedNames.has(rawName(object));
  // Instances after the change: the attached ones list the profile last.
  const instancesAfterAttach = editObjects(instanceObjects, isAttached, (object) => ({ ...object, profiles: [...rawStringList(object, "profiles"), p.args.name] }));
  const users = instancesAfterAttach.filter((object) => p.sharing(projectOf(object)) && rawStringList(object, "profiles").includes(p.args.name));

  const existing = rawList(p.rawProfiles);
  const usedBy =
    p.attachedNames.size === 0 && p.profile !== undefined
      ? p.profile.usedBy
      : [...users].sort(byCreation).map((object) => objectUrl("/1.0/instances", rawName(object), projectOf(object)));
  const edited = (object: RawObject): RawObject => ({ ...object, config: p.afterConfig, devices: p.afterDevices, used_by: usedBy });
  const profilesAfter =
    p.profile === undefined
      ? [...existing, edited({ config: {}, description: "", devices: {}, name: p.args.name, used_by: [], ...projectField(existing, p.owner) })].sort((a, b) => compare(rawName(a), rawName(b)))
      : editObjects(existing, (object) => rawName(object) === p.args.name, edited);

  const layers: ProfileLayer[] = profilesAfter.map((object) => ({ name: rawName(object), config: rawStrings(object, "config"), devices: rawDevices(object, "devices") }));
  const userNames = new Set(users.map((object) => `${projectOf(object)}/${rawName(object)}`));
  const instancesAfter = editObjects(
    instancesAfterAttach,
    (object) => userNames.has(`${projectOf(object)}/${rawName(object)}`),
    (object) => {
      const expanded = expandInstance({ profiles: rawStringList(object, "profiles"), config: rawStrings(object, "config"), devices: rawDevices(object, "devices") }, layers);
      return { ...object, expanded_config: expanded.config, expanded_devices: expanded.devices };
    },
  );

  const effects: FactEffect[] = [
    { request: profilesRequest(p.args.project), value: listResult(profilesAfter) },
    { request: instancesRequest, value: listResult(instancesAfter) },
  ];
  if (p.profile === undefined) {
    const url = objectUrl("/1.0/profiles", p.args.name, p.owner);
    const projectsAfter = editObjects(
      rawList(p.rawProjects),
      (object) => rawName(object) === p.owner,
      (object) => ({ ...object, used_by: insertProfileUrl(rawStringList(object, "used_by"), url) }),
    );
    effects.push({ request: projectsRequest, value: listResult(projectsAfter) });
  }
  return effects;
}

const projectOf = (object: RawObject): string => (typeof object["project"] === "string" && object["project"] !== "" ? object["project"] : "default");
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** used_by of a profile lists instances in creation order (their database ids). */
function byCreation(a: RawObject, b: RawObject): number {
  const at = (object: RawObject): string => (typeof object["created_at"] === "string" ? object["created_at"] : "");
  return compare(at(a), at(b)) || compare(rawName(a), rawName(b));
}

/** Newer servers (profiles_all_projects) name the project of each profile; follow what the list does. */
function projectField(existing: readonly RawObject[], owner: string): RawObject {
  return existing.some((object) => "project" in object) ? { project: owner } : {};
}

/** A project's used_by lists instances, then profiles by name, then the rest: the new profile goes among the profiles. */
function insertProfileUrl(usedBy: readonly string[], url: string): string[] {
  const isProfile = (entry: string): boolean => entry.startsWith("/1.0/profiles/");
  const profileName = (entry: string): string => decodeURIComponent(entry.slice("/1.0/profiles/".length).split("?")[0] ?? "");
  const name = profileName(url);
  let at = usedBy.findIndex((entry) => isProfile(entry) && profileName(entry) > name);
  if (at < 0) {
    const lastProfile = usedBy.findLastIndex(isProfile);
    at = lastProfile >= 0 ? lastProfile + 1 : usedBy.findLastIndex((entry) => entry.startsWith("/1.0/instances/")) + 1;
  }
  return [...usedBy.slice(0, at), url, ...usedBy.slice(at)];
}

function profileText(profile: { name: string } | undefined, config: Record<string, string>, devices: Record<string, Record<string, string>>, targets: readonly LxdInstance[], attached: ReadonlySet<string>): string {
  if (profile === undefined) return "";
  const lines = [`profile ${profile.name}`, "config:", mapText(config, "  ").trimEnd(), "devices:"];
  for (const [name, settings] of Object.entries(devices)) lines.push(`  ${name}:`, mapText(settings, "    ").trimEnd());
  if (targets.length > 0) {
    lines.push("used by:");
    for (const instance of targets) lines.push(`  ${instance.project}/${instance.name}: ${instance.profiles.includes(profile.name) || attached.has(instance.name) ? "yes" : "no"}`);
  }
  return `${lines.filter((line) => line !== "").join("\n")}\n`;
}
