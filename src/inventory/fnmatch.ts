/**
 * Python's fnmatch.translate as a JavaScript RegExp: `*` any text, `?` one character, `[seq]` and
 * `[!seq]` character sets; matched against the whole name, case-sensitively.
 */
export function globToRegExp(pattern: string): RegExp {
  let source = "";
  let index = 0;
  while (index < pattern.length) {
    const char = pattern[index] ?? "";
    index++;
    if (char === "*") {
      while (pattern[index] === "*") index++;
      source += ".*";
    } else if (char === "?") {
      source += ".";
    } else if (char === "[") {
      let end = index;
      if (pattern[end] === "!") end++;
      if (pattern[end] === "]") end++;
      while (end < pattern.length && pattern[end] !== "]") end++;
      if (end >= pattern.length) {
        source += "\\[";
        continue;
      }
      let set = pattern.slice(index, end).replace(/\\/g, "\\\\");
      index = end + 1;
      if (set === "") {
        source += "(?!)";
      } else if (set === "!") {
        source += ".";
      } else {
        if (set.startsWith("!")) set = `^${set.slice(1)}`;
        else if (set.startsWith("^") || set.startsWith("[")) set = `\\${set}`;
        source += `[${set.replace(/]/g, "\\]")}]`;
      }
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    }
  }
  return new RegExp(`^(?:${source})$`, "su");
}

/** Whether the text uses glob syntax, which also makes a pattern match host names. */
export function looksLikeGlob(pattern: string): boolean {
  return /[.?*[]/.test(pattern);
}
