/**
 * The longest word a closest name is looked for: a DNS name's length. The edit distance takes the
 * product of the lengths: two names of 50,000 characters (a file's garbage, not a typo) took 17 s.
 */
const MAX_SUGGESTED_LENGTH = 256;

/** Up to `count` candidates nearest to `word` by edit distance, close enough to be a likely typo. */
export function closestNames(word: string, candidates: Iterable<string>, count = 3): string[] {
  const target = word.replace(/^[~&!]+/, "").replace(/[*?]/g, "");
  if (target.length > MAX_SUGGESTED_LENGTH) return [];
  const limit = Math.max(2, Math.floor(target.length / 3));
  const scored: Array<[string, number]> = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (seen.has(candidate)) continue;
    seen.add(candidate);
    const distance = editDistance(target, candidate, limit);
    if (distance <= limit) scored.push([candidate, distance]);
  }
  scored.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return scored.slice(0, count).map(([name]) => name);
}

/** Levenshtein distance, giving up (returning limit + 1) once it exceeds limit. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      rowMinimum = Math.min(rowMinimum, value);
    }
    if (rowMinimum > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] ?? 0;
}
