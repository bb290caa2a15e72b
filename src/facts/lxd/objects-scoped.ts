import { hasExtension, type LxdRead, type LxdServer } from "./objects-common.js";
import { effectiveProject, type LxdProject } from "./objects-projects.js";

/**
 * Profiles, networks and ACLs belong to a project, and a project without its own (features.* off)
 * sees the default project's. A module's facts depend on its arguments only, so it asks for both
 * shapes of read and lets the plan pick: the `all-projects=true` list when the server has the API
 * extension (LXD 5.21+; older servers ignore the parameter and answer with the default project's
 * objects), else one `?project=P` read per project named in the arguments.
 */
export interface ScopedReads<T extends { project: string | undefined }> {
  server: LxdServer;
  projects: readonly LxdProject[];
  /** The feature that gives a project its own objects of this kind. */
  feature: "profiles" | "networks";
  /** The API extension that makes the all-projects read real. */
  extension: string;
  all: LxdRead<T[]> | undefined;
  perProject: ReadonlyMap<string, LxdRead<T[]>>;
}

/** Whether the all-projects read holds every project's objects (server extension and a good read). */
export function allProjectsUsable<T extends { project: string | undefined }>(reads: ScopedReads<T>): boolean {
  return reads.all !== undefined && reads.all.ok && hasExtension(reads.server, reads.extension);
}

/** The objects a project sees (its own, or the default project's), or undefined when none of the reads covers it. */
export function objectsSeenBy<T extends { project: string | undefined }>(reads: ScopedReads<T>, project: string): T[] | undefined {
  const direct = reads.perProject.get(project);
  if (direct?.ok) return direct.value;
  const owner = effectiveProject(reads.projects, project, reads.feature);
  const viaOwner = reads.perProject.get(owner);
  if (viaOwner?.ok) return viaOwner.value;
  if (allProjectsUsable(reads) && reads.all?.ok) return reads.all.value.filter((object) => (object.project ?? "default") === owner);
  return undefined;
}

/**
 * The objects a project owns (not those it borrows from default), or undefined when not read.
 * A project without the feature owns none.
 */
export function objectsOwnedBy<T extends { project: string | undefined }>(reads: ScopedReads<T>, project: string): T[] | undefined {
  if (effectiveProject(reads.projects, project, reads.feature) !== project) return [];
  if (allProjectsUsable(reads) && reads.all?.ok) return reads.all.value.filter((object) => (object.project ?? "default") === project);
  const direct = reads.perProject.get(project);
  return direct?.ok ? direct.value : undefined;
}
