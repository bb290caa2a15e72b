/**
 * Python's fnmatch.translate as a JavaScript RegExp: `*` any text, `?` one character, `[seq]` and
 * `[!seq]` character sets; matched against the whole name, case-sensitively. As Python does since
 * 3.9, the text between two stars is matched once, at its first place, without backtracking into
 * it (a lookahead and a backreference make the group atomic): `*a*a*a*a*a*a*a*a*a*a*a*b` against
 * a long name of a's takes a moment instead of hours. (What follows that text starts with a star,
 * so whatever can follow a later place of it can follow the first.)
 */
export function globToRegExp(pattern: string): RegExp {
  // the pattern as regex pieces, with STAR for each run of `*`
  const pieces: Array<string | typeof STAR> = [];
  let index = 0;
  while (index < pattern.length) {
    const char = pattern[index] ?? "";
    index++;
    if (char === "*") {
      if (pieces[pieces.length - 1] !== STAR) pieces.push(STAR);
    } else if (char === "?") {
      pieces.push(".");
    } else if (char === "[") {
      let end = index;
      if (pattern[end] === "!") end++;
      if (pattern[end] === "]") end++;
      while (end < pattern.length && pattern[end] !== "]") end++;
      if (end >= pattern.length) {
        pieces.push("\\[");
        continue;
      }
      const raw = pattern.slice(index, end);
      let set = (raw.startsWith("!") ? `!${withoutReversedRanges(raw.slice(1))}` : withoutReversedRanges(raw)).replace(/\\/g, "\\\\");
      index = end + 1;
      if (set === "") {
        pieces.push("(?!)");
      } else if (set === "!") {
        pieces.push(".");
      } else {
        if (set.startsWith("!")) set = `^${set.slice(1)}`;
        else if (set.startsWith("^") || set.startsWith("[")) set = `\\${set}`;
        pieces.push(`[${set.replace(/]/g, "\\]")}]`);
      }
    } else {
      pieces.push(char.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
    }
  }
  let source = "";
  let at = 0;
  while (at < pieces.length && pieces[at] !== STAR) source += pieces[at++] as string;
  let group = 0;
  while (at < pieces.length) {
    at++; // the star
    let fixed = "";
    while (at < pieces.length && pieces[at] !== STAR) fixed += pieces[at++] as string;
    if (at === pieces.length) {
      source += `.*${fixed}`;
    } else {
      group++;
      source += `(?=(?<g${group}>.*?${fixed}))\\k<g${group}>`;
    }
  }
  return new RegExp(`^(?:${source})$`, "su");
}

const STAR = Symbol("*");

/**
 * A set's ranges whose ends are in reverse order (`z-a`) match nothing: Python drops them (a
 * RegExp would refuse the whole pattern), so `web[z-a]` matches no host and `[!z-a]` any character.
 */
function withoutReversedRanges(body: string): string {
  const chars = Array.from(body);
  let kept = "";
  for (let at = 0; at < chars.length; at++) {
    const from = chars[at] as string;
    const to = chars[at + 2];
    if (chars[at + 1] === "-" && to !== undefined) {
      if ((from.codePointAt(0) ?? 0) <= (to.codePointAt(0) ?? 0)) kept += `${from}-${to}`;
      at += 2;
    } else kept += from;
  }
  return kept;
}

/** Whether the text uses glob syntax, which also makes a pattern match host names. */
export function looksLikeGlob(pattern: string): boolean {
  return /[.?*[]/.test(pattern);
}
