/** Text helpers shared by the report renderers (terminal, Markdown, JUnit). Pure. */
import type { ControlStatus } from "../engine/results.js";
import type { StatusCounts } from "./model.js";

/** The statuses in the order every renderer shows them, with their column labels. */
export const STATUS_COLUMNS: ReadonlyArray<{ status: ControlStatus; label: string }> = [
  { status: "pass", label: "pass" },
  { status: "fail", label: "fail" },
  { status: "error", label: "error" },
  { status: "waived", label: "waived" },
  { status: "not_applicable", label: "n/a" },
];

// ANSI/VT escape sequences: CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), and two-byte escapes.
// An unterminated OSC loses only ESC ], not the text after it.
const ESCAPE_SEQUENCE = /\u001B(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\)|[@-Z\\-_])|\u009B[0-?]*[ -/]*[@-~]/g;
// C0 and C1 control characters except tab and line feed (carriage returns are turned into line feeds
// first), and the noncharacters U+FFFE and U+FFFF.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFFFE\uFFFF]/g;
// Unicode line and paragraph separators break lines in some viewers.
const LINE_SEPARATOR = /[\u2028\u2029]/g;
// Half of a UTF-16 surrogate pair on its own is no character: it cannot be written as UTF-8.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `text` as plain printable text: terminal escape sequences and control characters removed,
 * CR/LF and CR become LF, tabs kept, a lone surrogate becomes U+FFFD. What is left can be shown anywhere after format escaping.
 */
export function plain(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(LINE_SEPARATOR, "\n").replace(ESCAPE_SEQUENCE, "").replace(CONTROL, "").replace(LONE_SURROGATE, "\uFFFD");
}

/** `text` on one line: plain, every run of white space (line breaks included) one space, trimmed. */
export function oneLine(text: string): string {
  return plain(text).replace(/\s+/g, " ").trim();
}

/** `text` on one line, cut to at most `max` characters (code points) with a trailing "…". */
export function shorten(text: string, max: number): string {
  const chars = [...oneLine(text)];
  return chars.length <= max ? chars.join("") : `${chars.slice(0, Math.max(0, max - 1)).join("").trimEnd()}…`;
}

/** The first `shown` names, then "+N more": `tb1, tb2, tb3 +997 more`. */
export function nameList(names: readonly string[], shown: number): string {
  const head = names.slice(0, shown).join(", ");
  const rest = names.length - Math.min(shown, names.length);
  return rest > 0 ? `${head} +${rest} more` : head;
}

/** A score as shown everywhere: one decimal at most (`76.3`, `100`). */
export function formatScore(score: number): string {
  return String(Math.round(score * 10) / 10);
}

/** `108 pass, 30 fail, 0 error, 0 waived, 42 n/a`. */
export function formatCounts(counts: StatusCounts): string {
  return STATUS_COLUMNS.map(({ status, label }) => `${counts[status]} ${label}`).join(", ");
}

export const totalOf = (counts: StatusCounts): number => STATUS_COLUMNS.reduce((sum, { status }) => sum + counts[status], 0);
