import { FleetError, formatLocation, type SourceLocation } from "../errors.js";
import { closestNames } from "../inventory/closest.js";
import { globToRegExp } from "../inventory/fnmatch.js";
import { selectHosts, splitPattern } from "../inventory/select.js";
import type { Inventory, InventoryGroup, InventoryHost } from "../inventory/types.js";
import { controlCounts } from "./merge.js";
import { score } from "./build.js";
import type { FleetReport, ReportControlResult, ReportHost } from "./types.js";

export { loadWaivers, parseWaivers, WAIVER_KEYS, WaiverCode } from "./waivers-file.js";

/** One accepted failure (docs/reports.md, "Waivers"). */
export interface Waiver {
  /** A control id (LXD-DEV-02) or a glob of ids (LXD-DEV-*). */
  control: string;
  /** A host pattern as -l takes it, matched against the report's host names, groups and clusters; "all" by default. */
  hosts: string;
  /** Why the failure is accepted; never empty. */
  justification: string;
  /** YYYY-MM-DD: the waiver holds until the end of that day, UTC. null: it does not expire. */
  expires: string | null;
  /** The rule of another tool the waiver is about (e.g. a USG/XCCDF rule id), shown with the justification. */
  rule: string | null;
  /** Where the waiver is written, for warnings. */
  location?: SourceLocation;
}

export interface WaiverResult {
  report: FleetReport;
  /** One line per waiver that expired or matches nothing in the report, in file order. */
  warnings: string[];
}

/** The first instant a waiver no longer holds: the start of the day after `expires`, UTC. */
export function waiverEnd(expires: string): Date {
  const [year = 0, month = 1, day = 1] = expires.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day + 1));
}

export function isExpired(waiver: Pick<Waiver, "expires">, now: Date): boolean {
  return waiver.expires !== null && now.getTime() >= waiverEnd(waiver.expires).getTime();
}

/** "LXD-DEV-02 on web*" with its rule and where it is written, for messages. */
export function describeWaiver(waiver: Waiver): string {
  const where = waiver.location === undefined ? "" : ` (${formatLocation(waiver.location)})`;
  const rule = waiver.rule === null ? "" : ` [${waiver.rule}]`;
  const hosts = waiver.hosts === "all" ? "" : ` on ${waiver.hosts}`;
  return `waiver ${waiver.control}${hosts}${rule}${where}`;
}

/**
 * Applies waivers to a report. Pure: the report given is not changed.
 *
 * A `fail` on a host and control a waiver in force matches becomes `waived`, carrying the
 * justification and the expiry; `error` stays (the check did not run, so there is nothing to
 * accept), and so do pass, not_applicable and results already waived. When several waivers match
 * one result, all their justifications are kept (in file order) and the earliest expiry is shown.
 * An expired waiver is ignored with a warning; so is one whose control or hosts match nothing in
 * the report. The control counts and the score of the summary are recomputed.
 */
export function applyWaivers(report: FleetReport, waivers: readonly Waiver[], now: Date): WaiverResult {
  const warnings: string[] = [];
  const controlIds = reportControlIds(report);
  const inventory = reportInventory(report);
  const applying = new Map<string, Waiver[]>();
  for (const waiver of waivers) {
    if (isExpired(waiver, now)) {
      warnings.push(`${describeWaiver(waiver)} expired on ${waiver.expires ?? ""} and is ignored: what it waived counts again`);
      continue;
    }
    const pattern = globToRegExp(waiver.control);
    const controls = controlIds.filter((id) => pattern.test(id));
    if (controls.length === 0) {
      const close = closestNames(waiver.control, controlIds);
      warnings.push(`${describeWaiver(waiver)} matches no control of the report${close.length > 0 ? ` (did you mean ${close.join(" or ")}?)` : ""}`);
      continue;
    }
    const hosts = matchHosts(inventory, waiver.hosts);
    if (hosts.length === 0) {
      warnings.push(`${describeWaiver(waiver)}: hosts ${JSON.stringify(waiver.hosts)} match no host of the report`);
      continue;
    }
    for (const host of hosts) for (const control of controls) applying.set(cellKey(host, control), [...(applying.get(cellKey(host, control)) ?? []), waiver]);
  }
  const hosts = report.hosts.map((host): ReportHost => ({ ...host, controls: host.controls.map((result) => waive(result, applying.get(cellKey(host.name, result.id)))) }));
  const catalogue = new Map(report.controls.map((control) => [control.id, control]));
  const results = hosts.flatMap((host) => host.controls);
  return {
    report: { ...report, summary: { ...report.summary, controls: controlCounts(results), score: score(results, catalogue) }, hosts },
    warnings,
  };
}

function waive(result: ReportControlResult, waivers: readonly Waiver[] | undefined): ReportControlResult {
  if (waivers === undefined || waivers.length === 0 || result.status !== "fail") return result;
  const justification = waivers.map((waiver) => (waiver.rule === null ? waiver.justification : `${waiver.rule}: ${waiver.justification}`)).join("; ");
  const expiries = waivers.flatMap((waiver) => (waiver.expires === null ? [] : [waiver.expires])).sort();
  return { ...result, status: "waived", waiver: { justification, expires: expiries[0] ?? null } };
}

const cellKey = (host: string, control: string): string => `${host}\u0000${control}`;

function reportControlIds(report: FleetReport): string[] {
  const ids = new Set(report.controls.map((control) => control.id));
  for (const host of report.hosts) for (const result of host.controls) ids.add(result.id);
  return [...ids];
}

/**
 * The report as an inventory, so that a waiver's host pattern selects exactly as -l does: every
 * host is in `all`, in its groups, and in a group named after its cluster.
 */
export function reportInventory(report: FleetReport): Inventory {
  const groups = new Map<string, InventoryGroup>();
  const hosts = new Map<string, InventoryHost>();
  const join = (group: string, host: string): void => {
    const entry = groups.get(group) ?? { name: group, children: [], hosts: [], vars: {} };
    if (!entry.hosts.includes(host)) entry.hosts.push(host);
    groups.set(group, entry);
  };
  for (const host of report.hosts) {
    const memberOf = [...host.groups, ...(host.cluster === null ? [] : [host.cluster])];
    hosts.set(host.name, { name: host.name, vars: {}, groups: ["all", ...memberOf], cluster: host.cluster });
    join("all", host.name);
    for (const group of memberOf) join(group, host.name);
  }
  return { sources: [], groups, hosts, warnings: [] };
}

/**
 * Host names a pattern selects in a report, in report order. selectHosts refuses a term that names
 * nothing; a saved report holds only some of the inventory, so such a term just adds no host here
 * (an `&` term that matches nothing leaves none).
 */
export function matchHosts(inventory: Inventory, pattern: string): string[] {
  const terms = splitPattern(pattern);
  const kept: string[] = [];
  let plain = 0;
  for (const term of terms) {
    const body = term.replace(/^[&!]/, "");
    if (body === term) plain++;
    if (body.startsWith("@") || selectOrNothing(inventory, body).length === 0) {
      if (term.startsWith("&")) return [];
      continue;
    }
    kept.push(term);
  }
  if (plain > 0 && kept.every((term) => term.startsWith("&") || term.startsWith("!"))) return [];
  return selectOrNothing(inventory, kept.join(","));
}

function selectOrNothing(inventory: Inventory, pattern: string): string[] {
  try {
    return selectHosts(inventory, pattern).map((host) => host.name);
  } catch (error) {
    if (error instanceof FleetError) return [];
    throw error;
  }
}
