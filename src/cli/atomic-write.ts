import { mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { writeChunksSync } from "../report/write-chunks.js";

/** Writes `text` to `file` through a temporary file in the same directory: the file is whole or untouched. */
export function writeTextAtomically(file: string, text: string | Iterable<string>): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    writeChunksSync(temporary, typeof text === "string" ? [text] : text);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}
