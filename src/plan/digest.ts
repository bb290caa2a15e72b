import { createHash, createHmac } from "node:crypto";

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, inner]) => inner !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export const sha256 = (text: string | Buffer): string => `sha256:${createHash("sha256").update(text).digest("hex")}`;

/** With a key (FLEET_PLAN_KEY), an HMAC only holders of the key can compute; without, a plain digest. */
export function checksumOf(content: unknown, key: string | undefined): string {
  const text = canonicalJson(content);
  return key === undefined || key === "" ? sha256(text) : `hmac-sha256:${createHmac("sha256", key).update(text).digest("hex")}`;
}
