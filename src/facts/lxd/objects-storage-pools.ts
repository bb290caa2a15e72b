import { z } from "zod";
import { fact, type FactRequest } from "../types.js";
import { readLxd, stringList, stringMap, type LxdRead } from "./objects-common.js";
import { lxdQuery, type LxdQueryResult } from "./query.js";

/** Storage pools (`/1.0/storage-pools?recursion=1`): not project-scoped; used_by lists volumes, images, profiles, instances. */
export interface LxdStoragePool {
  name: string;
  driver: string;
  status: string;
  description: string;
  config: Record<string, string>;
  usedBy: string[];
  locations: string[];
}

const poolSchema = z
  .object({ name: z.string(), driver: z.string().nullish(), status: z.string().nullish(), description: z.string().nullish(), config: stringMap, used_by: stringList, locations: stringList })
  .transform(
    (pool): LxdStoragePool => ({
      name: pool.name,
      driver: pool.driver ?? "",
      status: pool.status ?? "",
      description: pool.description ?? "",
      config: pool.config,
      usedBy: pool.used_by,
      locations: pool.locations,
    }),
  );

export const STORAGE_POOLS_PATH = "/1.0/storage-pools?recursion=1";
export const storagePoolsRequest: FactRequest<LxdQueryResult> = fact(lxdQuery, STORAGE_POOLS_PATH);
export const parseStoragePools = (result: LxdQueryResult): LxdRead<LxdStoragePool[]> => readLxd(result, z.array(poolSchema), STORAGE_POOLS_PATH);
