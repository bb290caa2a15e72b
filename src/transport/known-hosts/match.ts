import { createHmac, timingSafeEqual } from "node:crypto";
import type { HostPattern, KnownHostEntry } from "./parse.js";

/** The name OpenSSH looks up in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function hostLookupName(address: string, port: number): string {
  const host = address.toLowerCase();
  return port === 22 ? host : `[${host}]:${port}`;
}

/** True when a wildcard pattern (`*`, `?`) matches the whole name, case-insensitively. */
export function wildcardMatches(pattern: string, name: string): boolean {
  const source = pattern
    .split("")
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, "i").test(name);
}

function hashedMatches(pattern: Extract<HostPattern, { kind: "hashed" }>, name: string): boolean {
  const digest = createHmac("sha1", pattern.salt).update(name).digest();
  return digest.length === pattern.hash.length && timingSafeEqual(digest, pattern.hash);
}

/** OpenSSH's rule: some positive pattern matches and no negated pattern does. */
export function entryMatchesHost(entry: Pick<KnownHostEntry, "patterns">, lookupName: string): boolean {
  let positive = false;
  for (const pattern of entry.patterns) {
    if (pattern.kind === "hashed") {
      if (hashedMatches(pattern, lookupName)) positive = true;
      continue;
    }
    if (!wildcardMatches(pattern.pattern, lookupName)) continue;
    if (pattern.negated) return false;
    positive = true;
  }
  return positive;
}
