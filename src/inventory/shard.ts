import { createHash } from "node:crypto";
import { UsageError } from "../errors.js";
import type { InventoryHost } from "./types.js";

/** One part of a run split across machines: shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** At most this many shards: more would leave most of them empty on real fleets. */
export const MAX_SHARDS = 10_000;

/** Reads `I/N` (1 ≤ I ≤ N): the --shard option. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    throw new UsageError("SHARD_BAD_OPTION", `--shard must be I/N with 1 ≤ I ≤ N ≤ ${MAX_SHARDS}, not "${text}"`, "e.g. --shard 2/4 for the second of four shards; in a Kubernetes Indexed Job: --shard $((JOB_COMPLETION_INDEX + 1))/$N");
  }
  return { index, count };
}

/**
 * The unit a host is placed by: its LXD cluster (every member of a cluster lands in the same shard,
 * since cluster-scoped controls are judged once per cluster), or the host itself.
 */
export const placementKey = (host: Pick<InventoryHost, "name" | "cluster">): string => (host.cluster === null ? `host:${host.name}` : `cluster:${host.cluster}`);

/**
 * The shard (1-based) a unit belongs to: a hash of its key, so the partition depends on nothing
 * but names and N. It is the same on every machine and in every run, and a host keeps its shard
 * when others are added or removed; the price is shards of slightly unequal size.
 */
export function shardOfKey(key: string, count: number): number {
  const digest = createHash("sha256").update(key).digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

/** The selected hosts that belong to `shard`, in their order. */
export function hostsOfShard<T extends Pick<InventoryHost, "name" | "cluster">>(hosts: readonly T[], shard: Shard): T[] {
  return hosts.filter((host) => shardOfKey(placementKey(host), shard.count) === shard.index);
}

/** The hosts of `shard`, or all of them when the run is not split. */
export function inShard<T extends Pick<InventoryHost, "name" | "cluster">>(hosts: readonly T[], shard: Shard | undefined): T[] {
  return shard === undefined ? [...hosts] : hostsOfShard(hosts, shard);
}

/** What a sharded command says first: which part of the fleet this process takes. */
export const shardLine = (shard: Shard, taken: number, selected: number): string =>
  `fleet: shard ${shard.index}/${shard.count}: ${taken} of ${selected} selected host${selected === 1 ? "" : "s"}${taken === 0 ? " (nothing to do in this shard)" : ""}`;
