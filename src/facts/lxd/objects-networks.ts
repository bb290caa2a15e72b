import { z } from "zod";
import { fact, type FactRequest } from "../types.js";
import { allProjectsPath, projectPath, readLxd, stringList, stringMap, type LxdRead } from "./objects-common.js";
import { lxdQuery, type LxdQueryResult } from "./query.js";

/**
 * Networks as one project sees them (`/1.0/networks?recursion=1&project=P`: its own when
 * features.networks is on, else the default project's), or of every project (`all-projects=true`,
 * LXD 5.21+: extension networks_all_projects; older servers ignore the parameter). Unmanaged
 * host interfaces are listed too, with managed false (and used_by null on LXD 5.0).
 */
export interface LxdNetwork {
  name: string;
  project: string | undefined;
  type: string;
  managed: boolean;
  status: string;
  description: string;
  config: Record<string, string>;
  usedBy: string[];
  locations: string[];
}

const networkSchema = z
  .object({
    name: z.string(),
    project: z.string().nullish(),
    type: z.string().nullish(),
    managed: z.boolean().nullish(),
    status: z.string().nullish(),
    description: z.string().nullish(),
    config: stringMap,
    used_by: stringList,
    locations: stringList,
  })
  .transform(
    (network): LxdNetwork => ({
      name: network.name,
      project: network.project || undefined,
      type: network.type ?? "",
      managed: network.managed ?? false,
      status: network.status ?? "",
      description: network.description ?? "",
      config: network.config,
      usedBy: network.used_by,
      locations: network.locations,
    }),
  );

export const NETWORKS = "/1.0/networks";
export const networksPath = (project: string): string => projectPath(NETWORKS, project);
export const networksRequest = (project: string): FactRequest<LxdQueryResult> => fact(lxdQuery, networksPath(project));
export const allNetworksRequest: FactRequest<LxdQueryResult> = fact(lxdQuery, allProjectsPath(NETWORKS));
export const parseNetworks = (result: LxdQueryResult, apiPath: string): LxdRead<LxdNetwork[]> => readLxd(result, z.array(networkSchema), apiPath);

/** The ACL names a network applies (`security.acls`, comma-separated). */
export const networkAcls = (network: Pick<LxdNetwork, "config">): string[] =>
  (network.config["security.acls"] ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
