import { closestNames } from "../../inventory/closest.js";

/** Words with a meaning of their own: they cannot name a variable. */
export const KEYWORDS: ReadonlySet<string> = new Set(["and", "or", "not", "in", "is", "true", "false", "True", "False", "none", "None", "null"]);

/** Literal words and their values. */
export const LITERAL_WORDS: ReadonlyMap<string, boolean | null> = new Map<string, boolean | null>([
  ["true", true],
  ["True", true],
  ["false", false],
  ["False", false],
  ["none", null],
  ["None", null],
  ["null", null],
]);

/** "did you mean `x`?" for a misspelt name, else the list of known names. */
export function suggestName(word: string, known: readonly string[], what: string): string {
  const close = closestNames(word, known, 1)[0];
  if (close !== undefined) return `did you mean \`${close}\`?`;
  return `known ${what}: ${known.join(", ")}`;
}
