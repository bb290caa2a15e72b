import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Playbook } from "../playbook/types.js";
import { sha256 } from "./digest.js";

/**
 * The version of a playbook a plan was made for: its file, its vars files and every file under its
 * templates/ directory (by relative path and content). Any edit to them changes the digest.
 */
export function playbookDigest(playbook: Playbook): string {
  const files = new Map<string, string>();
  files.set(path.basename(playbook.path), playbook.path);
  for (const play of playbook.plays) for (const varsFile of play.varsFiles) files.set(path.relative(playbook.baseDir, varsFile.path), varsFile.path);
  for (const file of filesUnder(path.join(playbook.baseDir, "templates"))) files.set(path.relative(playbook.baseDir, file), file);
  const parts = [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, file]) => `${name}\0${sha256(readFileSync(file))}`);
  return sha256(parts.join("\n"));
}

function filesUnder(directory: string): string[] {
  let names: string[];
  try {
    if (!statSync(directory).isDirectory()) return [];
    names = readdirSync(directory);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const full = path.join(directory, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}
