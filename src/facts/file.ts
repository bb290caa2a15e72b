import { shellQuote } from "../transport/shell-quote.js";
import { FactParseError } from "./errors.js";
import type { FactKind } from "./types.js";

/** Attributes of a path (symlinks followed), without its content. */
export type FileStat =
  | { exists: false }
  | { exists: true; type: "file" | "directory" | "other"; mode: string; owner: string; group: string; size: number };

const STAT_FORMAT = "%F|%a|%U|%G|%s";

export const fileStat: FactKind<FileStat> = {
  name: "file",
  probe: (path) => `if [ -e ${shellQuote(path)} ]; then stat -L -c '${STAT_FORMAT}' -- ${shellQuote(path)}; else echo absent; fi`,
  parse: (raw, path) => parseStat(raw.stdout.trim(), path),
};

export function parseStat(line: string, path: string): FileStat {
  if (line === "absent") return { exists: false };
  const parts = line.split("|");
  const [kind, octal, owner, group, size] = parts;
  if (parts.length !== 5 || kind === undefined || octal === undefined || owner === undefined || group === undefined || size === undefined || !/^[0-7]{1,4}$/.test(octal)) {
    throw new FactParseError("file", path, `unexpected stat output ${JSON.stringify(line)}`);
  }
  const type = kind === "directory" ? "directory" : kind.startsWith("regular") ? "file" : "other";
  return { exists: true, type, mode: normaliseMode(octal), owner, group, size: Number(size) };
}

/** A mode as four octal digits: "644" → "0644". */
export const normaliseMode = (octal: string): string => octal.padStart(4, "0");

/** The text of a regular file; binary content survives (base64 on the wire). */
export type FileContent = { state: "absent" } | { state: "other" } | { state: "file"; content: string };

export const fileContent: FactKind<FileContent> = {
  name: "file_content",
  probe: (path) => {
    const quoted = shellQuote(path);
    return `if [ -f ${quoted} ]; then printf 'b64:'; base64 -w0 < ${quoted}; elif [ -e ${quoted} ]; then echo other; else echo absent; fi`;
  },
  parse: (raw, path) => {
    const text = raw.stdout.trim();
    if (text === "absent") return { state: "absent" };
    if (text === "other") return { state: "other" };
    if (!text.startsWith("b64:") || raw.exitCode !== 0) throw new FactParseError("file_content", path, raw.stderr.trim() || "the file could not be read");
    return { state: "file", content: Buffer.from(text.slice(4), "base64").toString("utf8") };
  },
};
