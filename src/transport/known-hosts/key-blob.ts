import { createHash } from "node:crypto";

/**
 * Helpers on SSH public key blobs (the wire format: string keytype, then key material).
 * Kept free of ssh2 so host-key checks can be unit tested with plain buffers.
 */

/** The key type named at the start of a blob, or undefined if the blob is malformed. */
export function keyTypeOfBlob(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return undefined;
  return blob.subarray(4, 4 + length).toString("latin1");
}

/** The fingerprint as OpenSSH prints it: SHA256:base64 without padding. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** Host-key algorithms that can be negotiated for a key of this type. */
export function algorithmsForKeyType(keyType: string): string[] {
  if (keyType === "ssh-rsa") return ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"];
  return [keyType];
}
