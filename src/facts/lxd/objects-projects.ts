import { z } from "zod";
import { fact, type FactRequest } from "../types.js";
import { lxdTrue, readLxd, stringList, stringMap, type LxdRead } from "./objects-common.js";
import { lxdQuery, type LxdQueryResult } from "./query.js";

/** An LXD project (`/1.0/projects?recursion=1`): config holds restricted.*, features.*, limits.*. */
export interface LxdProject {
  name: string;
  description: string;
  config: Record<string, string>;
  usedBy: string[];
}

const projectSchema = z.object({ name: z.string(), description: z.string().nullish(), config: stringMap, used_by: stringList }).transform(
  (project): LxdProject => ({ name: project.name, description: project.description ?? "", config: project.config, usedBy: project.used_by }),
);

export const PROJECTS_PATH = "/1.0/projects?recursion=1";
export const projectsRequest: FactRequest<LxdQueryResult> = fact(lxdQuery, PROJECTS_PATH);
export const parseProjects = (result: LxdQueryResult): LxdRead<LxdProject[]> => readLxd(result, z.array(projectSchema), PROJECTS_PATH);

/**
 * The project whose objects of a kind a project sees: its own when `features.<kind>` is on,
 * else the default project's (LXD's ProfileProject / NetworkProject). The default project always
 * has its own. An unknown project is taken to see its own.
 */
export function effectiveProject(projects: readonly LxdProject[], project: string, feature: "profiles" | "networks"): string {
  if (project === "default") return "default";
  const found = projects.find((candidate) => candidate.name === project);
  if (found === undefined) return project;
  return lxdTrue(found.config[`features.${feature}`]) ? project : "default";
}
