import { algorithmsForKeyType, fingerprintOf, keyTypeOfBlob } from "./key-blob.js";
import { entryMatchesHost } from "./match.js";
import type { KnownHostEntry } from "./parse.js";

export type HostKeyVerdict =
  | { kind: "known"; entry: KnownHostEntry }
  /** authorities: @cert-authority lines for this host, which fleet cannot use (no host certificates). */
  | { kind: "unknown"; keyType: string; fingerprint: string; authorities: KnownHostEntry[] }
  /** The host is known with other keys: possible man-in-the-middle. */
  | { kind: "changed"; keyType: string; fingerprint: string; expected: KnownHostEntry[] }
  | { kind: "revoked"; fingerprint: string; entry: KnownHostEntry };

/**
 * Entries by the literal names they list, so a fleet of N hosts against a known_hosts of N lines
 * costs N lookups, not N². Lines with a wildcard, a negation or a hashed name are still scanned;
 * @revoked lines are kept apart, so checking a key against them does not walk the whole file.
 */
interface HostIndex {
  literal: Map<string, KnownHostEntry[]>;
  scanned: KnownHostEntry[];
  revoked: KnownHostEntry[];
  authorities: KnownHostEntry[];
  /** Each entry's place in file order, to sort what a lookup found without searching the whole list. */
  position: Map<KnownHostEntry, number>;
}

const indexes = new WeakMap<readonly KnownHostEntry[], HostIndex>();

function indexOf(entries: readonly KnownHostEntry[]): HostIndex {
  let index = indexes.get(entries);
  if (index) return index;
  index = { literal: new Map(), scanned: [], revoked: [], authorities: [], position: new Map() };
  for (const [position, entry] of entries.entries()) {
    index.position.set(entry, position);
    if (entry.marker === "revoked") index.revoked.push(entry);
    if (entry.marker === "cert-authority") index.authorities.push(entry);
    if (entry.marker !== null) continue;
    const literal = entry.patterns.every((pattern) => pattern.kind === "plain" && !pattern.negated && !/[*?]/.test(pattern.pattern));
    if (!literal) {
      index.scanned.push(entry);
      continue;
    }
    for (const pattern of entry.patterns) {
      if (pattern.kind !== "plain") continue;
      const list = index.literal.get(pattern.pattern) ?? [];
      if (!list.includes(entry)) list.push(entry);
      index.literal.set(pattern.pattern, list);
    }
  }
  indexes.set(entries, index);
  return index;
}

/** Entries that speak about this host (revoked and CA lines excluded), in file order. */
export function entriesForHost(entries: readonly KnownHostEntry[], lookupName: string): KnownHostEntry[] {
  const index = indexOf(entries);
  const found = [...(index.literal.get(lookupName) ?? []), ...index.scanned.filter((entry) => entryMatchesHost(entry, lookupName))];
  const position = (entry: KnownHostEntry): number => index.position.get(entry) ?? 0;
  return found.sort((a, b) => position(a) - position(b));
}

/**
 * Judge the key a host presented. A revoked key is refused for every host (the safe reading of
 * OpenSSH's "must not ever be accepted"); @cert-authority lines are ignored (no certificates yet).
 */
export function verifyHostKey(entries: readonly KnownHostEntry[], lookupName: string, presented: Buffer): HostKeyVerdict {
  const fingerprint = fingerprintOf(presented);
  const revoked = indexOf(entries).revoked.find((entry) => entry.key.equals(presented));
  if (revoked) return { kind: "revoked", fingerprint, entry: revoked };
  const forHost = entriesForHost(entries, lookupName);
  const match = forHost.find((entry) => entry.key.equals(presented));
  if (match) return { kind: "known", entry: match };
  const keyType = keyTypeOfBlob(presented) ?? "unknown";
  if (forHost.length > 0) return { kind: "changed", keyType, fingerprint, expected: forHost };
  return { kind: "unknown", keyType, fingerprint, authorities: indexOf(entries).authorities.filter((entry) => entryMatchesHost(entry, lookupName)) };
}

/**
 * The host-key algorithms to offer: only those of the keys known for this host, so a server
 * cannot steer the negotiation to a key type we have no record of. undefined = no record.
 */
export function hostKeyAlgorithmsFor(entries: readonly KnownHostEntry[], lookupName: string): string[] | undefined {
  const forHost = entriesForHost(entries, lookupName);
  if (forHost.length === 0) return undefined;
  const algorithms = new Set<string>();
  for (const entry of forHost) for (const algorithm of algorithmsForKeyType(entry.keyType)) algorithms.add(algorithm);
  return [...algorithms];
}
