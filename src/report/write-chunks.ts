import { closeSync, openSync, writeSync } from "node:fs";

/** Writes the chunks to `file` (created or truncated) in writes of about 1 MiB. */
export function writeChunksSync(file: string, chunks: Iterable<string>): void {
  const descriptor = openSync(file, "w");
  try {
    let pending: string[] = [];
    let pendingLength = 0;
    for (const chunk of chunks) {
      pending.push(chunk);
      pendingLength += chunk.length;
      if (pendingLength >= 1 << 20) {
        writeAll(descriptor, pending.join(""));
        pending = [];
        pendingLength = 0;
      }
    }
    if (pendingLength > 0) writeAll(descriptor, pending.join(""));
  } finally {
    closeSync(descriptor);
  }
}

function writeAll(descriptor: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  for (let offset = 0; offset < bytes.length; ) offset += writeSync(descriptor, bytes, offset);
}
