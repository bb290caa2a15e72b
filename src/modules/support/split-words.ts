import { ShlexError, shlexSplit } from "../../inventory/shlex.js";

/** Stands in for "#" while splitting: NUL cannot occur in an argument vector anyway. */
const HASH_STAND_IN = "\u0000";

/**
 * Python's shlex.split(text) in POSIX mode WITHOUT comments, as Ansible's command module splits
 * `cmd`: "#" is an ordinary character (`echo a#b` is two words, the second `a#b`). The shared
 * shlexSplit reads "#" as a comment (INI host lines need that), so "#" is hidden from it.
 */
export function splitWords(text: string): string[] {
  if (text.includes(HASH_STAND_IN)) throw new ShlexError("NUL character");
  return shlexSplit(text.replaceAll("#", HASH_STAND_IN)).map((word) => word.replaceAll(HASH_STAND_IN, "#"));
}

/** The reason `text` cannot be split into words, or null. */
export function splitProblem(text: string): string | null {
  try {
    splitWords(text);
    return null;
  } catch (error) {
    if (error instanceof ShlexError) return error.message;
    throw error;
  }
}
