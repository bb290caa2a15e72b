import { fileDigest, sha256OfText } from "../../facts/digest.js";
import { fileContent, fileStat, type FileContent } from "../../facts/file.js";
import { session, SESSION_ARG } from "../../facts/session.js";
import { fact, type FactReader, type FactRequest } from "../../facts/types.js";
import { shellQuote } from "../../transport/shell-quote.js";
import type { FactEffect, Plan, PlannedCommand } from "../types.js";
import { parentOf } from "./args.js";
import { atomicWriteScript } from "./atomic-write.js";
import {
  attributeChanges,
  attributeCommands,
  attributeDiff,
  createdStat,
  describeAttributes,
  describeChanges,
  effect,
  joinParts,
  observedAttributes,
  withAttributes,
  type ExistingStat,
  type WantedAttributes,
} from "./attributes.js";

/**
 * Planning "this file must hold this text, with these attributes": the shared core of copy,
 * template, lineinfile and tmpfiles' conf file. A content change is one atomicWriteScript; an
 * attribute-only change is chown/chmod in place.
 */

export interface FileTarget extends WantedAttributes {
  path: string;
  /** Keep the replaced file as `path.fleet-backup` (a hard link to the old inode). */
  backup?: boolean | undefined;
}

/** A fixed suffix, not a timestamp: plans stay pure and a later backup replaces the earlier one. */
export const BACKUP_SUFFIX = ".fleet-backup";

/** Facts a write of `path` reads: its stat, text and digest, its directory, and the session (for a new file's owner). */
export function fileWriteFacts(path: string): FactRequest[] {
  return [fact(fileStat, path), fact(fileContent, path), fact(fileDigest, path), fact(fileStat, parentOf(path)), fact(session, SESSION_ARG)];
}

/** What is at a path now, as far as a text edit cares. */
export type CurrentFile =
  | { kind: "absent" }
  | { kind: "text"; stat: ExistingStat; text: string; sha256: string }
  /** A regular file whose bytes are not UTF-8: fileContent's text is not the file. */
  | { kind: "binary"; stat: ExistingStat; text: string; sha256: string }
  | { kind: "unusable"; problem: string };

export function readCurrentFile(facts: FactReader, path: string): CurrentFile {
  const stat = facts.get(fact(fileStat, path));
  const content = facts.get(fact(fileContent, path));
  const digest = facts.get(fact(fileDigest, path));
  if (!stat.exists) return content.state === "absent" ? { kind: "absent" } : { kind: "unusable", problem: "changed while it was read" };
  if (stat.type === "directory") return { kind: "unusable", problem: "is a directory" };
  if (stat.type === "other" || content.state !== "file" || digest.state !== "file") return { kind: "unusable", problem: "is not a regular file" };
  return { kind: sha256OfText(content.content) === digest.sha256 ? "text" : "binary", stat, text: content.content, sha256: digest.sha256 };
}

export const isBinaryText = (text: string): boolean => text.includes("\u0000");

/** A text for a diff: binary content (NUL, or not UTF-8) shows as its size. */
export const diffText = (text: string, binary = isBinaryText(text), size = Buffer.byteLength(text, "utf8")): string => (binary ? `(binary, ${size} bytes)` : text);

/** "3 lines" / "1 line" / "empty" / "binary, 12 bytes" */
export function describeText(text: string, binary = isBinaryText(text), size = Buffer.byteLength(text, "utf8")): string {
  if (binary) return `binary, ${size} bytes`;
  if (text === "") return "empty";
  const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  return lines === 1 ? "1 line" : `${lines} lines`;
}

/** Short form of a content for expected/actual: "sha256:0123456789ab, 120 bytes". */
export const contentDigest = (sha256: string, size: number): string => `sha256:${sha256.slice(0, 12)}, ${size} bytes`;

const digestOfText = (text: string): string => contentDigest(sha256OfText(text), Buffer.byteLength(text, "utf8"));


/** Words a module puts on the plan; each defaults to copy's wording. */
export interface WriteWording {
  /** Why nothing is needed when the content is already right ("/etc/x already has the line"). */
  contentOk?: string;
  /** What the content change is ("replace line 3"), when it changes. */
  contentChange?: string;
  expected?: string;
  actual?: string;
}

/**
 * Plans `target.path` to hold `content`; reads the facts of fileWriteFacts(target.path). A
 * missing directory, or a directory or special file in the way, gives a `fail` plan. A file that
 * is not UTF-8 is replaced (it cannot equal a text).
 */
export function planFileWrite(target: FileTarget, content: string, facts: FactReader, wording: WriteWording = {}): Plan {
  const current = readCurrentFile(facts, target.path);
  const wanted: WantedAttributes = { mode: target.mode, owner: target.owner, group: target.group };
  const expected = wording.expected ?? joinParts(digestOfText(content), describeAttributes(wanted));
  switch (current.kind) {
    case "unusable":
      return { kind: "fail", message: `${target.path} ${current.problem}`, expected, actual: current.problem };
    case "absent":
      return planCreate(target, content, facts, wanted, wording, expected);
    case "text":
    case "binary":
      return planUpdate(target, content, current, wanted, wording, expected);
  }
}

function planCreate(target: FileTarget, content: string, facts: FactReader, wanted: WantedAttributes, wording: WriteWording, expected: string): Plan {
  const { path } = target;
  const directory = parentOf(path);
  const parent = facts.get(fact(fileStat, directory));
  if (!parent.exists) return { kind: "fail", message: `cannot create ${path}: directory ${directory} does not exist`, expected, actual: "absent" };
  if (parent.type !== "directory") return { kind: "fail", message: `cannot create ${path}: ${directory} is not a directory`, expected, actual: "absent" };
  const created = createdStat("file", Buffer.byteLength(content, "utf8"), wanted, parent, facts.get(fact(session, SESSION_ARG)));
  const what = wording.contentChange === undefined ? describeText(content) : `${wording.contentChange}, ${describeText(content)}`;
  return {
    kind: "change",
    summary: joinParts(`create ${path} (${what})`, describeAttributes(wanted)),
    diff: { before: "", after: diffText(content) },
    commands: writeCommands(path, content, wanted, created.mode),
    effects: contentEffects(path, created, content),
    expected,
    actual: wording.actual ?? "absent",
  };
}

function planUpdate(target: FileTarget, content: string, current: Extract<CurrentFile, { kind: "text" | "binary" }>, wanted: WantedAttributes, wording: WriteWording, expected: string): Plan {
  const { path } = target;
  const { stat } = current;
  const attributes = observedAttributes(stat, wanted);
  const actual = wording.actual ?? joinParts(contentDigest(current.sha256, stat.size), describeAttributes(attributes));
  const changes = attributeChanges(stat, wanted);
  if (current.kind === "text" && current.text === content) {
    if (changes.length === 0) {
      const contentOk = wording.contentOk ?? `${path} already has the wanted content (${describeText(content)})`;
      const attributesOk = describeAttributes(attributes);
      return { kind: "ok", reason: attributesOk === "" ? contentOk : `${contentOk} and ${attributesOk}`, actual };
    }
    return {
      kind: "change",
      summary: `${path}: ${describeChanges(changes)}`,
      diff: attributeDiff(changes),
      commands: attributeCommands(path, stat, wanted),
      effects: [effect(fact(fileStat, path), withAttributes(stat, wanted))],
      expected,
      actual,
    };
  }

  const commands: PlannedCommand[] = [];
  const effects: FactEffect[] = [];
  if (target.backup === true) {
    const backup = `${path}${BACKUP_SUFFIX}`;
    commands.push({ script: `ln -f ${shellQuote(path)} ${shellQuote(backup)}`, description: `keep the current ${path} as ${backup} (a hard link to it)` });
    const old: FileContent = { state: "file", content: current.text };
    effects.push(effect(fact(fileStat, backup), stat), effect(fact(fileContent, backup), old), effect(fact(fileDigest, backup), { state: "file", sha256: current.sha256 }));
  }
  // Written over an existing file, the new one keeps the old owner and group unless told
  // otherwise. Give atomicWriteScript both as soon as one is given: with the owner alone it
  // would leave the temporary file's group.
  const ownership = wanted.owner === undefined && wanted.group === undefined ? {} : { owner: wanted.owner ?? stat.owner, group: wanted.group ?? stat.group };
  const final: ExistingStat = { ...withAttributes(stat, wanted), size: Buffer.byteLength(content, "utf8") };
  commands.push(...writeCommands(path, content, { mode: wanted.mode, ...ownership }, final.mode));
  effects.push(...contentEffects(path, final, content));
  const oldBinary = current.kind === "binary" || isBinaryText(current.text);
  const what = wording.contentChange ?? `replace content (${describeText(current.text, oldBinary, stat.size)} → ${describeText(content)})`;
  return {
    kind: "change",
    summary: joinParts(`${path}: ${what}`, describeChanges(changes)),
    diff: { before: diffText(current.text, oldBinary, stat.size), after: diffText(content) },
    commands,
    effects,
    expected,
    actual,
  };
}

/**
 * The atomic write, then a chmod when the final mode has setuid/setgid bits: atomicWriteScript
 * chowns the temporary file after its chmod, and chown clears those bits.
 */
function writeCommands(path: string, content: string, attributes: WantedAttributes, finalMode: string): PlannedCommand[] {
  const commands: PlannedCommand[] = [
    { script: atomicWriteScript({ path, content, mode: attributes.mode, owner: attributes.owner, group: attributes.group }), description: `write ${path} atomically (${describeText(content)})` },
  ];
  if ((Number.parseInt(finalMode, 8) & 0o6000) !== 0) commands.push({ script: `chmod ${finalMode} ${shellQuote(path)}`, description: `restore the setuid/setgid bits of ${path} (mode ${finalMode})` });
  return commands;
}

const contentEffects = (path: string, stat: ExistingStat, content: string): FactEffect[] => [
  effect(fact(fileStat, path), stat),
  effect(fact(fileContent, path), { state: "file", content }),
  effect(fact(fileDigest, path), { state: "file", sha256: sha256OfText(content) }),
];
