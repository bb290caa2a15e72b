import { algorithmsForKeyType, fingerprintOf, keyTypeOfBlob } from "./key-blob.js";
import { entryMatchesHost } from "./match.js";
import type { KnownHostEntry } from "./parse.js";

export type HostKeyVerdict =
  | { kind: "known"; entry: KnownHostEntry }
  | { kind: "unknown"; keyType: string; fingerprint: string }
  /** The host is known with other keys: possible man-in-the-middle. */
  | { kind: "changed"; keyType: string; fingerprint: string; expected: KnownHostEntry[] }
  | { kind: "revoked"; fingerprint: string; entry: KnownHostEntry };

/** Entries that speak about this host (revoked and CA lines excluded). */
export function entriesForHost(entries: readonly KnownHostEntry[], lookupName: string): KnownHostEntry[] {
  return entries.filter((entry) => entry.marker === null && entryMatchesHost(entry, lookupName));
}

/**
 * Judge the key a host presented. A revoked key is refused for every host (the safe reading of
 * OpenSSH's "must not ever be accepted"); @cert-authority lines are ignored (no certificates yet).
 */
export function verifyHostKey(entries: readonly KnownHostEntry[], lookupName: string, presented: Buffer): HostKeyVerdict {
  const fingerprint = fingerprintOf(presented);
  const revoked = entries.find((entry) => entry.marker === "revoked" && entry.key.equals(presented));
  if (revoked) return { kind: "revoked", fingerprint, entry: revoked };
  const forHost = entriesForHost(entries, lookupName);
  const match = forHost.find((entry) => entry.key.equals(presented));
  if (match) return { kind: "known", entry: match };
  const keyType = keyTypeOfBlob(presented) ?? "unknown";
  if (forHost.length > 0) return { kind: "changed", keyType, fingerprint, expected: forHost };
  return { kind: "unknown", keyType, fingerprint };
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
