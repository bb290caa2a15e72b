import { z } from "zod";
import { fact, type FactRequest } from "../types.js";
import { allProjectsPath, deviceMap, readLxd, stringList, stringMap, type LxdRead } from "./objects-common.js";
import { lxdQuery, type LxdQueryResult } from "./query.js";

/**
 * Instances of every project, with their own and their expanded config and devices
 * (`/1.0/instances?recursion=1&all-projects=true`, LXD 5.0+: extension instance_all_projects).
 * Judge instances on the expanded values: profiles applied in order, the instance's own last.
 */
export interface LxdInstance {
  name: string;
  project: string;
  /** Cluster member ("none" on a standalone server). */
  location: string;
  type: "container" | "virtual-machine" | string;
  status: string;
  profiles: string[];
  config: Record<string, string>;
  devices: Record<string, Record<string, string>>;
  expandedConfig: Record<string, string>;
  expandedDevices: Record<string, Record<string, string>>;
}

const instanceSchema = z
  .object({
    name: z.string(),
    project: z.string().nullish(),
    location: z.string().nullish(),
    type: z.string().nullish(),
    status: z.string().nullish(),
    profiles: stringList,
    config: stringMap,
    devices: deviceMap,
    expanded_config: stringMap,
    expanded_devices: deviceMap,
  })
  .transform(
    (instance): LxdInstance => ({
      name: instance.name,
      // Before instance_all_projects the field is absent and the list is the default project's.
      project: instance.project || "default",
      location: instance.location ?? "",
      type: instance.type || "container",
      status: instance.status ?? "",
      profiles: instance.profiles,
      config: instance.config,
      devices: instance.devices,
      expandedConfig: instance.expanded_config,
      expandedDevices: instance.expanded_devices,
    }),
  );

export const INSTANCES_PATH = allProjectsPath("/1.0/instances");
export const instancesRequest: FactRequest<LxdQueryResult> = fact(lxdQuery, INSTANCES_PATH);
export const parseInstances = (result: LxdQueryResult): LxdRead<LxdInstance[]> => readLxd(result, z.array(instanceSchema), INSTANCES_PATH);

/** "project/name", and "@member" in a cluster: how findings name an instance. */
export function instanceLabel(instance: Pick<LxdInstance, "name" | "project" | "location">): string {
  const where = instance.location !== "" && instance.location !== "none" ? `@${instance.location}` : "";
  return `${instance.project}/${instance.name}${where}`;
}

/** A profile as expansion needs it. */
export interface ProfileLayer {
  name: string;
  config: Record<string, string>;
  devices: Record<string, Record<string, string>>;
}

/**
 * LXD's expansion: each profile in the instance's order adds its keys and devices (a later one
 * replaces a key or a whole device of an earlier one), then the instance's own config and devices
 * win. No defaults are injected. Profiles not found are skipped (LXD refuses them anyway).
 */
export function expandInstance(
  own: { profiles: readonly string[]; config: Record<string, string>; devices: Record<string, Record<string, string>> },
  profiles: readonly ProfileLayer[],
): { config: Record<string, string>; devices: Record<string, Record<string, string>> } {
  const config: Record<string, string> = {};
  const devices: Record<string, Record<string, string>> = {};
  for (const name of own.profiles) {
    const profile = profiles.find((candidate) => candidate.name === name);
    if (profile === undefined) continue;
    Object.assign(config, profile.config);
    for (const [device, settings] of Object.entries(profile.devices)) devices[device] = { ...settings };
  }
  Object.assign(config, own.config);
  for (const [device, settings] of Object.entries(own.devices)) devices[device] = { ...settings };
  return { config: sortKeys(config), devices: sortKeys(devices) };
}

/** Where an expanded value comes from. */
export type Provenance =
  | { kind: "instance" }
  | { kind: "profile"; profile: string }
  /** Set nowhere: the key (or device) is absent from the expanded view. */
  | { kind: "unset" }
  /** Comes from a profile, but the profiles of the instance's project were not read. */
  | { kind: "unknown"; why: string };

/**
 * Who supplies an expanded config key or device: the instance itself when its own config has it,
 * else the last of its profiles (in order) that sets it. `profiles` undefined: not read.
 */
export function provenance(instance: LxdInstance, what: { key: string } | { device: string }, profiles: readonly ProfileLayer[] | undefined): Provenance {
  const has = (layer: { config: Record<string, string>; devices: Record<string, Record<string, string>> }): boolean =>
    "key" in what ? Object.hasOwn(layer.config, what.key) : Object.hasOwn(layer.devices, what.device);
  if (has(instance)) return { kind: "instance" };
  if (!has({ config: instance.expandedConfig, devices: instance.expandedDevices })) return { kind: "unset" };
  if (profiles === undefined) return { kind: "unknown", why: `profiles of project ${instance.project} not read` };
  for (const name of [...instance.profiles].reverse()) {
    const profile = profiles.find((candidate) => candidate.name === name);
    if (profile !== undefined && has(profile)) return { kind: "profile", profile: name };
  }
  return { kind: "unknown", why: `none of the profiles ${instance.profiles.join(", ") || "(none)"} sets it` };
}

/** Provenance in words: "instance config", "profile hardened", "a profile (…)". */
export function describeProvenance(source: Provenance, device = false): string {
  switch (source.kind) {
    case "instance":
      return device ? "instance device" : "instance config";
    case "profile":
      return `profile ${source.profile}`;
    case "unset":
      return "not set by any profile or the instance";
    case "unknown":
      return `a profile (${source.why})`;
  }
}

function sortKeys<V>(record: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
