import { createHash } from "node:crypto";
import { shellQuote } from "../transport/shell-quote.js";
import { FactParseError } from "./errors.js";
import type { FactKind } from "./types.js";

/**
 * The SHA-256 of a regular file's bytes. fileContent decodes a file as UTF-8 and turns bytes that
 * are not UTF-8 into U+FFFD; comparing its text's digest with this one tells whether that text is
 * the file exactly (so a module may compare it with, or rewrite it from, a wanted text).
 */
export type FileDigest = { state: "absent" } | { state: "other" } | { state: "file"; sha256: string };

export const fileDigest: FactKind<FileDigest> = {
  name: "file_sha256",
  probe: (path) => {
    const quoted = shellQuote(path);
    return `if [ -f ${quoted} ]; then sha256sum < ${quoted}; elif [ -e ${quoted} ]; then echo other; else echo absent; fi`;
  },
  parse: (raw, path) => {
    const text = raw.stdout.trim();
    if (text === "absent") return { state: "absent" };
    if (text === "other") return { state: "other" };
    const match = /^([0-9a-f]{64})\s+-$/.exec(text);
    if (match?.[1] === undefined || raw.exitCode !== 0) throw new FactParseError("file_sha256", path, raw.stderr.trim() || `unexpected sha256sum output ${JSON.stringify(text)}`);
    return { state: "file", sha256: match[1] };
  },
};

/** The digest of a text written as UTF-8, as fileDigest reports it. */
export const sha256OfText = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");
