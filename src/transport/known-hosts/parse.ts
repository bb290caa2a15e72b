import { keyTypeOfBlob } from "./key-blob.js";

/** One host pattern of a known_hosts line: plain (with wildcards) or hashed (|1|salt|hash). */
export type HostPattern =
  | { kind: "plain"; pattern: string; negated: boolean }
  | { kind: "hashed"; salt: Buffer; hash: Buffer };

export interface KnownHostEntry {
  file: string;
  line: number;
  marker: "revoked" | "cert-authority" | null;
  patterns: HostPattern[];
  keyType: string;
  key: Buffer;
}

export interface ParsedKnownHosts {
  entries: KnownHostEntry[];
  /** Lines that could not be read, reported as warnings (OpenSSH skips them too). */
  skipped: { line: number; reason: string }[];
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function parseKnownHosts(text: string, file: string): ParsedKnownHosts {
  const entries: KnownHostEntry[] = [];
  const skipped: ParsedKnownHosts["skipped"] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNumber = index + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const outcome = parseLine(trimmed);
    if (typeof outcome === "string") skipped.push({ line: lineNumber, reason: outcome });
    else entries.push({ ...outcome, file, line: lineNumber });
  });
  return { entries, skipped };
}

function parseLine(line: string): Omit<KnownHostEntry, "file" | "line"> | string {
  const fields = line.split(/\s+/);
  let marker: KnownHostEntry["marker"] = null;
  if (fields[0]?.startsWith("@")) {
    const name = fields.shift();
    if (name === "@revoked") marker = "revoked";
    else if (name === "@cert-authority") marker = "cert-authority";
    else return `unknown marker ${name ?? ""}`;
  }
  const [hosts, keyType, keyText] = fields;
  if (hosts === undefined || keyType === undefined || keyText === undefined) return "expected: hosts keytype key";
  if (!BASE64.test(keyText)) return "the key is not base64";
  const key = Buffer.from(keyText, "base64");
  const blobType = keyTypeOfBlob(key);
  if (blobType !== keyType) return `the key says ${blobType ?? "nothing"} but the line says ${keyType}`;
  const patterns: HostPattern[] = [];
  for (const text of hosts.split(",")) {
    if (text === "") continue;
    const pattern = parsePattern(text);
    if (pattern === undefined) return `bad hashed host ${text}`;
    patterns.push(pattern);
  }
  if (patterns.length === 0) return "no host pattern";
  return { marker, patterns, keyType, key };
}

function parsePattern(text: string): HostPattern | undefined {
  if (text.startsWith("|1|")) {
    const [salt, hash] = text.slice(3).split("|");
    if (salt === undefined || hash === undefined || !BASE64.test(salt) || !BASE64.test(hash)) return undefined;
    return { kind: "hashed", salt: Buffer.from(salt, "base64"), hash: Buffer.from(hash, "base64") };
  }
  const negated = text.startsWith("!");
  return { kind: "plain", pattern: (negated ? text.slice(1) : text).toLowerCase(), negated };
}
