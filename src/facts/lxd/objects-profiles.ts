import { z } from "zod";
import { fact, type FactRequest } from "../types.js";
import { allProjectsPath, deviceMap, projectPath, readLxd, stringList, stringMap, type LxdRead } from "./objects-common.js";
import { lxdQuery, type LxdQueryResult } from "./query.js";

/**
 * Profiles as one project sees them (`/1.0/profiles?recursion=1&project=P`: the project's own,
 * or the default project's when its features.profiles is off), or of every project
 * (`all-projects=true`, LXD 5.21+: extension profiles_all_projects; older servers ignore the
 * parameter and answer with the default project's profiles, without a `project` field).
 */
export interface LxdProfile {
  name: string;
  /** The owning project; absent before profiles_all_projects. */
  project: string | undefined;
  description: string;
  config: Record<string, string>;
  devices: Record<string, Record<string, string>>;
  usedBy: string[];
}

const profileSchema = z
  .object({ name: z.string(), project: z.string().nullish(), description: z.string().nullish(), config: stringMap, devices: deviceMap, used_by: stringList })
  .transform(
    (profile): LxdProfile => ({
      name: profile.name,
      project: profile.project || undefined,
      description: profile.description ?? "",
      config: profile.config,
      devices: profile.devices,
      usedBy: profile.used_by,
    }),
  );

export const PROFILES = "/1.0/profiles";
export const profilesPath = (project: string): string => projectPath(PROFILES, project);
export const profilesRequest = (project: string): FactRequest<LxdQueryResult> => fact(lxdQuery, profilesPath(project));
export const allProfilesRequest: FactRequest<LxdQueryResult> = fact(lxdQuery, allProjectsPath(PROFILES));
export const parseProfiles = (result: LxdQueryResult, apiPath: string): LxdRead<LxdProfile[]> => readLxd(result, z.array(profileSchema), apiPath);
