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
      let set = pattern.slice(index, end).replace(/\\/g, "\\\\");
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

/** Whether the text uses glob syntax, which also makes a pattern match host names. */
export function looksLikeGlob(pattern: string): boolean {
  return /[.?*[]/.test(pattern);
}
