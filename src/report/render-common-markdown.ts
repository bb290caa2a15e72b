/**
 * Escaping for GitHub-flavoured Markdown. A report shows strings read from hosts (messages,
 * actual values, host names): whatever they contain, they must show as text and never end a table
 * cell, a code span, a code block or a <details> block, nor become HTML. Pure.
 */
import { oneLine, plain } from "./render-common-text.js";

const WORD = /[\p{L}\p{N}]/u;

/**
 * Inline text, safe in a paragraph, a list item, a heading and a table cell: Markdown punctuation
 * backslash-escaped (`|` too, which GFM honours in table cells; `#`, which could close a heading),
 * `_` only where it could start emphasis, line breaks as `<br>`. Not for the start of a line (a
 * leading `-` or `1.` would start a list): put a label before it.
 */
export function mdText(value: string): string {
  const text = plain(value).trim();
  const escaped = text.replace(/[\\`*_[\]<>|~&#]/g, (char: string, offset: number) => {
    const before = text[offset - 1] ?? "";
    const rest = text.slice(offset + 1, offset + 34);
    // `_` between letters or digits cannot start emphasis in GFM; `&` only matters before an
    // entity's name, `<` before what could open an HTML tag or autolink, `>` not inline at all.
    if (char === "_") return WORD.test(before) && WORD.test(rest.charAt(0)) ? char : "\\_";
    if (char === "&") return /^#?[A-Za-z0-9]+;/.test(rest) ? "\\&" : char;
    if (char === "<") return /^[A-Za-z/!?]/.test(rest) ? "\\<" : char;
    if (char === ">") return char;
    return `\\${char}`;
  });
  return escaped
    .split("\n")
    .map((line) => line.trim())
    .join("<br>");
}

/**
 * An inline code span. The fence is one backtick longer than the longest run in the value; line
 * breaks show as ↵; in a table cell `|` is escaped as `\|` (GFM removes the backslash there, even
 * in code). null shows as —, an empty value as *(empty)*.
 */
/** The longest run of backticks in the text (counted in a loop: spread into Math.max, 100,000 runs overflow the stack). */
function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const match of text.matchAll(/`+/g)) longest = Math.max(longest, match[0].length);
  return longest;
}

export function mdCode(value: string | null, options: { inTable: boolean }): string {
  if (value === null) return "—";
  let text = plain(value).replace(/\n+$/, "").replace(/\n/g, " ↵ ").replace(/\t/g, " ");
  if (text.trim() === "") return text === "" ? "*(empty)*" : "*(blank)*";
  const fence = "`".repeat(longestBacktickRun(text) + 1);
  const pad = text.startsWith("`") || text.endsWith("`") || (text.startsWith(" ") && text.endsWith(" ")) ? " " : "";
  if (options.inTable) text = text.replace(/\|/g, "\\|");
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * A value after a label in a list item (`- actual:{{block actual "    "}}`): a space and a code
 * span when it is one line, else a fenced code block on the following lines, every line indented
 * by `indent` (the list item's content column) so that it stays inside the item. The fence is
 * longer than any backtick run in the value. The separator is part of the value, so that no line
 * ends in a space.
 */
export function mdBlock(value: string | null, indent: string): string {
  if (value === null) return " —";
  const text = plain(value).replace(/\n+$/, "");
  if (!text.includes("\n")) return ` ${mdCode(text, { inTable: false })}`;
  const fence = "`".repeat(Math.max(3, longestBacktickRun(text) + 1));
  return `\n${[fence, ...text.split("\n"), fence].map((line) => (line === "" ? "" : `${indent}${line}`)).join("\n")}`;
}

/** Prose after a label in a list item: a space and inline text when it is one line, else a fenced block (as mdBlock). */
export function mdProse(value: string, indent: string): string {
  const text = plain(value).replace(/\n+$/, "");
  return text.includes("\n") ? mdBlock(text, indent) : ` ${mdText(text)}`;
}

/** Text inside an HTML element (such as <summary>): one line, & < > " escaped. */
export function htmlText(value: string): string {
  return oneLine(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
