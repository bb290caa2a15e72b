/**
 * The text edit of lineinfile, pure: (text) → text plus what it did. It follows Ansible's
 * lineinfile (insertafter=EOF, no backrefs): lines are split after "\n" only, as Python's
 * readlines() on bytes does, and a regexp is tested against a line without its "\n".
 *
 * present: the last line the regexp matches is replaced by `line`; without a match, the last line
 *   equal to `line` (ignoring its "\r\n") is rewritten as `line` + "\n" (so a last line without
 *   a newline gets one); otherwise `line` is appended, after a newline if the text lacks one.
 * absent: every line the regexp matches (or equal to `line`) is removed.
 */
export type LineEdit = { state: "present"; line: string; regexp?: RegExp | undefined } | { state: "absent"; line?: string | undefined; regexp?: RegExp | undefined };

export type LineOutcome =
  | { kind: "present"; lineNumber: number }
  | { kind: "replaced"; lineNumber: number; before: string }
  | { kind: "added"; lineNumber: number }
  | { kind: "none_to_remove" }
  | { kind: "removed"; lineNumbers: number[] };

export interface LineEditResult {
  text: string;
  outcome: LineOutcome;
}

/** Lines with their "\n" (the last one may lack it); "" has none. */
export function splitLines(text: string): string[] {
  return text === "" ? [] : text.split(/(?<=\n)/);
}

const withoutNewline = (line: string): string => (line.endsWith("\n") ? line.slice(0, -1) : line);
/** Python's rstrip(b"\r\n"). */
const withoutLineEnd = (line: string): string => line.replace(/[\r\n]+$/, "");

export function applyLineEdit(text: string, edit: LineEdit): LineEditResult {
  const lines = splitLines(text);
  return edit.state === "present" ? present(lines, edit.line, edit.regexp) : absent(lines, edit.line, edit.regexp);
}

/** The edit as a plain (text) => text function. */
export const lineEdit =
  (edit: LineEdit) =>
  (text: string): string =>
    applyLineEdit(text, edit).text;

function lastIndex(lines: readonly string[], test: (line: string) => boolean): number {
  for (let index = lines.length - 1; index >= 0; index--) if (test(lines[index] ?? "")) return index;
  return -1;
}

function present(lines: string[], line: string, regexp: RegExp | undefined): LineEditResult {
  const wanted = `${line}\n`;
  let index = regexp === undefined ? -1 : lastIndex(lines, (candidate) => regexp.test(withoutNewline(candidate)));
  if (index < 0) index = lastIndex(lines, (candidate) => withoutLineEnd(candidate) === line);
  if (index >= 0) {
    const found = lines[index] ?? "";
    if (found === wanted) return { text: lines.join(""), outcome: { kind: "present", lineNumber: index + 1 } };
    lines[index] = wanted;
    return { text: lines.join(""), outcome: { kind: "replaced", lineNumber: index + 1, before: withoutLineEnd(found) } };
  }
  const last = lines.length - 1;
  if (last >= 0 && !(lines[last] ?? "").endsWith("\n")) lines[last] = `${lines[last] ?? ""}\n`;
  lines.push(wanted);
  return { text: lines.join(""), outcome: { kind: "added", lineNumber: lines.length } };
}

function absent(lines: string[], line: string | undefined, regexp: RegExp | undefined): LineEditResult {
  const matches = (candidate: string): boolean => (regexp === undefined ? withoutLineEnd(candidate) === line : regexp.test(withoutNewline(candidate)));
  const removed: number[] = [];
  const kept = lines.filter((candidate, index) => {
    if (!matches(candidate)) return true;
    removed.push(index + 1);
    return false;
  });
  return { text: kept.join(""), outcome: removed.length === 0 ? { kind: "none_to_remove" } : { kind: "removed", lineNumbers: removed } };
}
