import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyLineEdit, lineEdit, splitLines, type LineEdit } from "../../../src/modules/support/line-edit.js";

describe("splitLines", () => {
  it.each([
    { text: "", lines: [] },
    { text: "a", lines: ["a"] },
    { text: "a\n", lines: ["a\n"] },
    { text: "a\nb", lines: ["a\n", "b"] },
    { text: "a\r\nb\n\n", lines: ["a\r\n", "b\n", "\n"] },
    { text: "a\rb\n", lines: ["a\rb\n"] },
  ])("$text", ({ text, lines }) => {
    expect(splitLines(text)).toEqual(lines);
  });
});

describe("applyLineEdit", () => {
  const present = (line: string, regexp?: string): LineEdit => ({ state: "present", line, regexp: regexp === undefined ? undefined : new RegExp(regexp) });
  const absent = (line?: string, regexp?: string): LineEdit => ({ state: "absent", line, regexp: regexp === undefined ? undefined : new RegExp(regexp) });

  it.each<{ name: string; text: string; edit: LineEdit; after: string; outcome: unknown }>([
    { name: "insert at the end", text: "a\nb\n", edit: present("c"), after: "a\nb\nc\n", outcome: { kind: "added", lineNumber: 3 } },
    { name: "insert into an empty text", text: "", edit: present("c"), after: "c\n", outcome: { kind: "added", lineNumber: 1 } },
    { name: "insert after a last line without newline", text: "a\nb", edit: present("c"), after: "a\nb\nc\n", outcome: { kind: "added", lineNumber: 3 } },
    { name: "line already present", text: "a\nc\nb\n", edit: present("c"), after: "a\nc\nb\n", outcome: { kind: "present", lineNumber: 2 } },
    { name: "line present as the last line without newline: the newline is added (as Ansible)", text: "a\nc", edit: present("c"), after: "a\nc\n", outcome: { kind: "replaced", lineNumber: 2, before: "c" } },
    { name: "line present with CRLF is rewritten with LF (as Ansible)", text: "c\r\nx\n", edit: present("c"), after: "c\nx\n", outcome: { kind: "replaced", lineNumber: 1, before: "c" } },
    { name: "regexp replaces the matching line", text: "# c\nPermitRootLogin yes\nX 1\n", edit: present("PermitRootLogin no", "^PermitRootLogin\\s"), after: "# c\nPermitRootLogin no\nX 1\n", outcome: { kind: "replaced", lineNumber: 2, before: "PermitRootLogin yes" } },
    { name: "regexp matches several lines: the last is replaced", text: "k=1\nx\nk=2\ny\n", edit: present("k=3", "^k="), after: "k=1\nx\nk=3\ny\n", outcome: { kind: "replaced", lineNumber: 3, before: "k=2" } },
    { name: "regexp matches the wanted line already", text: "k=1\nk=3\n", edit: present("k=3", "^k="), after: "k=1\nk=3\n", outcome: { kind: "present", lineNumber: 2 } },
    { name: "regexp without a match, line present: unchanged", text: "PermitRootLogin no\n", edit: present("PermitRootLogin no", "^PermitRootLogin yes$"), after: "PermitRootLogin no\n", outcome: { kind: "present", lineNumber: 1 } },
    { name: "regexp without a match: appended", text: "a\n", edit: present("k=1", "^k="), after: "a\nk=1\n", outcome: { kind: "added", lineNumber: 2 } },
    { name: "regexp $ is the end of the line, not of the newline", text: "k=1\n", edit: present("k=2", "^k=1$"), after: "k=2\n", outcome: { kind: "replaced", lineNumber: 1, before: "k=1" } },
    { name: "regexp on a last line without newline", text: "a\nk=1", edit: present("k=2", "^k="), after: "a\nk=2\n", outcome: { kind: "replaced", lineNumber: 2, before: "k=1" } },
    { name: "the line is text, not a pattern", text: "a.b\n", edit: present("a*b"), after: "a.b\na*b\n", outcome: { kind: "added", lineNumber: 2 } },
    { name: "absent removes every equal line", text: "x\na\nx\nx", edit: absent("x"), after: "a\n", outcome: { kind: "removed", lineNumbers: [1, 3, 4] } },
    { name: "absent removes every regexp match", text: "k=1\na\nk=2\n", edit: absent(undefined, "^k="), after: "a\n", outcome: { kind: "removed", lineNumbers: [1, 3] } },
    { name: "absent with both: the regexp decides (as Ansible)", text: "k=1\nline\n", edit: absent("line", "^k="), after: "line\n", outcome: { kind: "removed", lineNumbers: [1] } },
    { name: "absent, nothing matches", text: "a\nb", edit: absent("c"), after: "a\nb", outcome: { kind: "none_to_remove" } },
    { name: "absent of the last line without newline keeps the rest as is", text: "a\nb", edit: absent("b"), after: "a\n", outcome: { kind: "removed", lineNumbers: [2] } },
    { name: "absent on an empty text", text: "", edit: absent("a"), after: "", outcome: { kind: "none_to_remove" } },
  ])("$name", ({ text, edit, after, outcome }) => {
    expect(applyLineEdit(text, edit)).toEqual({ text: after, outcome });
    expect(lineEdit(edit)(text)).toBe(after);
  });

  const texts = fc.array(fc.constantFrom("a", "b", "k=1", "k=2", "", "c\r"), { maxLength: 8 }).chain((lines) => fc.boolean().map((newline) => lines.join("\n") + (newline && lines.length > 0 ? "\n" : "")));
  const edits = fc.oneof(
    // the documented contract (Ansible's too): a regexp matches the line it puts in place
    fc.record({ state: fc.constant("present" as const), line: fc.constantFrom("a", "k=3", "c"), regexp: fc.constantFrom(undefined, /^k=/, /^[ac]$/) }).filter((edit) => edit.regexp === undefined || edit.regexp.test(edit.line)),
    fc.record({ state: fc.constant("absent" as const), line: fc.constantFrom("a", "k=1", undefined), regexp: fc.constantFrom(undefined, /^k=/) }).filter((edit) => edit.line !== undefined || edit.regexp !== undefined),
  );

  it("is idempotent: applying the edit twice changes nothing the second time", () => {
    fc.assert(
      fc.property(texts, edits, (text, edit) => {
        const once = applyLineEdit(text, edit).text;
        const twice = applyLineEdit(once, edit);
        expect(twice.text).toBe(once);
        expect(["present", "none_to_remove"]).toContain(twice.outcome.kind);
      }),
    );
  });

  it("a regexp that does not match its own line changes the text again on a second pass (as in Ansible)", () => {
    const edit = present("k=3", "^k=[12]$");
    const once = applyLineEdit("k=1\nk=2\n", edit).text;
    expect(once).toBe("k=1\nk=3\n");
    expect(applyLineEdit(once, edit)).toEqual({ text: "k=3\nk=3\n", outcome: { kind: "replaced", lineNumber: 1, before: "k=1" } });
  });

  it("present of a new line appends it once and keeps the text before it", () => {
    fc.assert(
      fc.property(texts, (text) => {
        const after = applyLineEdit(text, { state: "present", line: "z" }).text;
        expect(splitLines(after).filter((line) => line === "z\n")).toHaveLength(1);
        expect(after.startsWith(text.endsWith("\n") || text === "" ? text : `${text}\n`)).toBe(true);
      }),
    );
  });
});
