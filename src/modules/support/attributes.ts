import type { FileStat } from "../../facts/file.js";
import type { Session } from "../../facts/session.js";
import type { FactRequest, FactValue } from "../../facts/types.js";
import { shellQuote } from "../../transport/shell-quote.js";
import type { FactEffect, PlannedCommand } from "../types.js";

/** The attributes a task may ask for; undefined leaves that attribute alone. */
export interface WantedAttributes {
  mode?: string | undefined;
  owner?: string | undefined;
  group?: string | undefined;
}

export type ExistingStat = Extract<FileStat, { exists: true }>;

export interface AttributeChange {
  field: "mode" | "owner" | "group";
  from: string;
  to: string;
}

const FIELDS = ["mode", "owner", "group"] as const;

/** What differs between a path's attributes and the wanted ones, in the order mode, owner, group. */
export function attributeChanges(stat: ExistingStat, wanted: WantedAttributes): AttributeChange[] {
  const changes: AttributeChange[] = [];
  for (const field of FIELDS) {
    const to = wanted[field];
    if (to !== undefined && stat[field] !== to) changes.push({ field, from: stat[field], to });
  }
  return changes;
}

/** Non-empty parts joined by ", ". */
export const joinParts = (...parts: string[]): string => parts.filter((part) => part !== "").join(", ");

/** "mode 0644 → 0600, owner bin → root" */
export const describeChanges = (changes: readonly AttributeChange[]): string => changes.map((change) => `${change.field} ${change.from} → ${change.to}`).join(", ");

/** "mode 0600, owner root" for the attributes given (empty when none). */
export function describeAttributes(values: WantedAttributes): string {
  return FIELDS.flatMap((field) => (values[field] === undefined ? [] : [`${field} ${values[field]}`])).join(", ");
}

/** The same fields of a stat as a wanted set names, for `actual` beside `expected`. */
export function observedAttributes(stat: ExistingStat, wanted: WantedAttributes): WantedAttributes {
  return { mode: wanted.mode === undefined ? undefined : stat.mode, owner: wanted.owner === undefined ? undefined : stat.owner, group: wanted.group === undefined ? undefined : stat.group };
}

/** Attribute lines for a diff ("mode: 0644\n"), of the fields that change. */
export function attributeDiff(changes: readonly AttributeChange[]): { before: string; after: string } {
  return {
    before: changes.map((change) => `${change.field}: ${change.from}\n`).join(""),
    after: changes.map((change) => `${change.field}: ${change.to}\n`).join(""),
  };
}

/** The stat after the changes are made. */
export function withAttributes(stat: ExistingStat, wanted: WantedAttributes): ExistingStat {
  return { ...stat, mode: wanted.mode ?? stat.mode, owner: wanted.owner ?? stat.owner, group: wanted.group ?? stat.group };
}

const hasSetId = (mode: string): boolean => (Number.parseInt(mode, 8) & 0o6000) !== 0;

/**
 * Commands that take `path` from `stat` to the wanted attributes. chown comes first: the kernel
 * clears a file's setuid and setgid bits on chown (even root's, even to the same owner), so a
 * chmod before it could be undone. For the same reason, a chown of a setuid/setgid file that
 * keeps its mode is followed by a chmod that restores the mode. GNU chmod keeps a directory's
 * setuid/setgid bits for a 4-digit mode; clearing them takes a fifth leading zero (00755).
 */
export function attributeCommands(path: string, stat: ExistingStat, wanted: WantedAttributes): PlannedCommand[] {
  const changes = attributeChanges(stat, wanted);
  const owner = changes.find((change) => change.field === "owner");
  const group = changes.find((change) => change.field === "group");
  const mode = changes.find((change) => change.field === "mode");
  const commands: PlannedCommand[] = [];
  const quoted = shellQuote(path);
  if (owner !== undefined) {
    const spec = group === undefined ? owner.to : `${owner.to}:${group.to}`;
    commands.push({ script: `chown ${shellQuote(spec)} ${quoted}`, description: `set the owner${group === undefined ? "" : " and group"} of ${path} to ${spec}` });
  } else if (group !== undefined) {
    commands.push({ script: `chgrp ${shellQuote(group.to)} ${quoted}`, description: `set the group of ${path} to ${group.to}` });
  }
  const chowned = owner !== undefined || group !== undefined;
  const finalMode = mode?.to ?? (chowned && stat.type !== "directory" && hasSetId(stat.mode) ? stat.mode : undefined);
  if (finalMode !== undefined) {
    const clearsDirectoryBits = stat.type === "directory" && hasSetId(stat.mode) && !hasSetId(finalMode);
    const digits = clearsDirectoryBits ? `0${finalMode}` : finalMode;
    const description = mode === undefined ? `restore mode ${finalMode} of ${path} (chown cleared its setuid/setgid bits)` : `set the mode of ${path} to ${finalMode}`;
    commands.push({ script: `chmod ${digits} ${quoted}`, description });
  }
  return commands;
}

/**
 * The stat of a file or directory a module creates. A new file is written by atomicWriteScript
 * (mode 0644 unless given); a new directory by mkdir (0777 less the umask). Without an owner it
 * belongs to the session user; without a group it gets the session's group, or the parent's
 * when the parent directory is setgid (and a new directory inherits the setgid bit then).
 * A directory's size depends on the filesystem: 4096 stands for it (ext4, xfs).
 */
export function createdStat(type: "file" | "directory", size: number, wanted: WantedAttributes, parent: FileStat, session: Session): ExistingStat {
  const setgidParent = parent.exists && parent.type === "directory" && (Number.parseInt(parent.mode, 8) & 0o2000) !== 0;
  const inherited = type === "directory" ? (0o777 & ~Number.parseInt(session.umask, 8)) | (setgidParent ? 0o2000 : 0) : 0o644;
  return {
    exists: true,
    type,
    mode: wanted.mode ?? inherited.toString(8).padStart(4, "0"),
    owner: wanted.owner ?? session.user,
    group: wanted.group ?? (setgidParent && parent.exists ? parent.group : session.group),
    size: type === "directory" ? 4096 : size,
  };
}

/** A predicted fact value. */
export const effect = <V extends FactValue>(request: FactRequest<V>, value: V): FactEffect => ({ request, value });
