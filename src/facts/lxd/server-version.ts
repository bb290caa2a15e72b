/**
 * LXD version numbers ("5.0.2", "5.21.7", "6.9"): comparison, and which releases are LTS.
 * Pure; shared by the server fact and the server config key table.
 */

/** "5.21.7" → [5, 21, 7]; undefined when it is not a dotted number (a snap's git build: "5.21.1-e3a4d2b"). */
export function parseLxdVersion(version: string): number[] | undefined {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?(?:[-+~ ].*)?$/.exec(version.trim());
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? "0")];
}

/** Negative, zero or positive as a < b, a = b, a > b; missing parts count as 0 ("6.1" = "6.1.0"). */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** A version range [from, to): `to` absent = still there in the newest release read (6.9). */
export type VersionRange = { from: string; to?: string };

export function inRange(version: readonly number[], range: VersionRange): boolean {
  const from = parseLxdVersion(range.from);
  const to = range.to === undefined ? undefined : parseLxdVersion(range.to);
  if (from === undefined || (range.to !== undefined && to === undefined)) throw new Error(`bad version range ${JSON.stringify(range)}`);
  return compareVersions(version, from) >= 0 && (to === undefined || compareVersions(version, to) < 0);
}

/**
 * LTS tracks of LXD: 3.0, 4.0, 5.0 and 5.21 (shared/version/flex.go sets IsLTSVersion on those
 * branches). LXD reports it as `server_lts` only since 5.0.4 and 5.21.0; older servers (Debian's
 * 5.0.2) need it derived from the version.
 */
export const LTS_TRACKS: readonly string[] = ["3.0", "4.0", "5.0", "5.21"];

export function isLtsVersion(version: string): boolean {
  const parsed = parseLxdVersion(version);
  return parsed !== undefined && LTS_TRACKS.includes(`${parsed[0]}.${parsed[1]}`);
}
