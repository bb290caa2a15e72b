/**
 * Mutations of real input files, as fast-check arbitraries: each mutation is data (shown when an
 * input fails) applied to the text, a few in a row. They break files the way editors, transfers
 * and people break them: cut short, a byte changed, syntax of the format inserted where it does
 * not belong, line endings and encodings changed, lines repeated or lost, numbers out of range.
 */
import fc from "fast-check";

export type Mutation =
  | { op: "truncate"; at: number }
  | { op: "replace-char"; at: number; char: string }
  | { op: "insert"; at: number; text: string }
  | { op: "delete"; at: number; length: number }
  | { op: "duplicate-line"; line: number; times: number }
  | { op: "delete-line"; line: number }
  | { op: "swap-lines"; a: number; b: number }
  | { op: "indent"; line: number; by: number }
  | { op: "crlf" }
  | { op: "cr" }
  | { op: "bom" }
  | { op: "tabs" }
  | { op: "number"; index: number; value: string }
  | { op: "repeat-slice"; at: number; length: number; times: number };

/** Characters that mean something somewhere, control characters, and a few far from ASCII. */
const specialChars = [
  "\0", "\t", "\n", "\r", "\v", "\f", "\x1b", "\x7f", "\u0085", "\u00a0", "\u2028", "\u2029", "\ufeff", "\ufffd", "\ud800", "\udfff",
  ":", "-", "[", "]", "{", "}", ",", "#", ";", "=", "&", "*", "!", "|", ">", "'", '"', "%", "@", "`", "\\", "?", "~", " ", "é", "Ω", "中", "😀",
];

/** Unicode text, lone surrogates included (written to a file they become U+FFFD, as an editor would). */
export const unicodeText = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ unit: fc.constantFrom(...specialChars), maxLength: 12 }),
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)), minLength: 1, maxLength: 3 }),
);

/** Numbers where a number is read: out of range, negative, not numbers at all. */
export const hostileNumbers = [
  "0", "-1", "-0", "1.5", "1e3", "1e309", "-1e309", "NaN", "nan", ".inf", "-.inf", "Infinity", "0x7fffffff", "0o777", "0b101", "1_000",
  "99999999", "2147483648", "4294967296", "9007199254740993", "99999999999999999999", "1:30", "0777", "+5", " 5", "5 ", "٣", "１",
];

export function mutation(tokens: readonly string[]): fc.Arbitrary<Mutation> {
  const position = fc.nat({ max: 1_000_000 });
  const line = fc.nat({ max: 10_000 });
  return fc.oneof(
    { weight: 2, arbitrary: position.map((at) => ({ op: "truncate" as const, at })) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant("replace-char" as const), at: position, char: fc.constantFrom(...specialChars) }) },
    { weight: 6, arbitrary: fc.record({ op: fc.constant("insert" as const), at: position, text: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...tokens) }, { weight: 1, arbitrary: unicodeText }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), at: position, length: fc.integer({ min: 1, max: 40 }) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant("duplicate-line" as const), line, times: fc.integer({ min: 1, max: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("delete-line" as const), line }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("swap-lines" as const), a: line, b: line }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("indent" as const), line, by: fc.integer({ min: -4, max: 6 }) }) },
    { weight: 1, arbitrary: fc.constant({ op: "crlf" as const }) },
    { weight: 1, arbitrary: fc.constant({ op: "cr" as const }) },
    { weight: 1, arbitrary: fc.constant({ op: "bom" as const }) },
    { weight: 1, arbitrary: fc.constant({ op: "tabs" as const }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("number" as const), index: fc.nat({ max: 200 }), value: fc.constantFrom(...hostileNumbers) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("repeat-slice" as const), at: position, length: fc.integer({ min: 1, max: 200 }), times: fc.integer({ min: 2, max: 50 }) }) },
  );
}

/** One to four mutations in a row. */
export function mutations(tokens: readonly string[]): fc.Arbitrary<Mutation[]> {
  return fc.array(mutation(tokens), { minLength: 1, maxLength: 4 });
}

export function applyMutations(text: string, list: readonly Mutation[]): string {
  return list.reduce(applyMutation, text);
}

export function applyMutation(text: string, mutation: Mutation): string {
  const at = (position: number): number => (text.length === 0 ? 0 : position % (text.length + 1));
  const lines = (): string[] => text.split("\n");
  const lineIndex = (index: number, count: number): number => (count === 0 ? 0 : index % count);
  switch (mutation.op) {
    case "truncate":
      return text.slice(0, at(mutation.at));
    case "replace-char": {
      const index = at(mutation.at);
      return text.slice(0, index) + mutation.char + text.slice(index + 1);
    }
    case "insert": {
      const index = at(mutation.at);
      return text.slice(0, index) + mutation.text + text.slice(index);
    }
    case "delete": {
      const index = at(mutation.at);
      return text.slice(0, index) + text.slice(index + mutation.length);
    }
    case "duplicate-line": {
      const all = lines();
      const index = lineIndex(mutation.line, all.length);
      const copy = all[index] ?? "";
      all.splice(index, 0, ...Array.from({ length: mutation.times }, () => copy));
      return all.join("\n");
    }
    case "delete-line": {
      const all = lines();
      all.splice(lineIndex(mutation.line, all.length), 1);
      return all.join("\n");
    }
    case "swap-lines": {
      const all = lines();
      const a = lineIndex(mutation.a, all.length);
      const b = lineIndex(mutation.b, all.length);
      [all[a], all[b]] = [all[b] ?? "", all[a] ?? ""];
      return all.join("\n");
    }
    case "indent": {
      const all = lines();
      const index = lineIndex(mutation.line, all.length);
      const current = all[index] ?? "";
      all[index] = mutation.by >= 0 ? " ".repeat(mutation.by) + current : current.replace(new RegExp(`^ {0,${-mutation.by}}`), "");
      return all.join("\n");
    }
    case "crlf":
      return text.replace(/\r?\n/g, "\r\n");
    case "cr":
      return text.replace(/\r?\n/g, "\r");
    case "bom":
      return `\ufeff${text}`;
    case "tabs":
      return text.replace(/^( {2})+/gm, (spaces) => "\t".repeat(spaces.length / 2));
    case "number": {
      const numbers = [...text.matchAll(/\b\d+(?:\.\d+)?\b/g)];
      const match = numbers.length === 0 ? undefined : numbers[mutation.index % numbers.length];
      if (match?.index === undefined) return text;
      return text.slice(0, match.index) + mutation.value + text.slice(match.index + match[0].length);
    }
    case "repeat-slice": {
      const index = at(mutation.at);
      const slice = text.slice(index, index + mutation.length);
      return text.slice(0, index) + slice.repeat(mutation.times) + text.slice(index + mutation.length);
    }
  }
}

/** YAML syntax, in and out of place. */
export const yamlTokens = [
  ":", ": ", "- ", "-", "? ", "{", "}", "[", "]", "{}", "[]", ",", "&a ", "*a", "&b ", "*b", "*undefined_anchor", "<<: *a\n", "<<: ", "!!str ", "!!int ", "!!float ",
  "!!bool ", "!!null ", "!!set ", "!!binary ", "!!map ", "!!seq ", "!!python/object:os.system ", "!unsafe ", "!vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\n",
  "!custom ", "|", "|-\n", ">", ">+\n", "'", '"', "'unterminated", '"unterminated', "#", " # comment", "\n", "\t", "  ", "    ", "---\n", "...\n", "--- ", "%YAML 1.1\n",
  "%TAG ! tag:example.com,2000:\n", "~", "null", "yes", "no", "on", "off", "y", "0o17", "0755", "1:20", "2001-02-30", "2024-01-01 12:00:00", ".inf", ".nan", "0x",
  "1e3", "1.0", "-", "\\", "\\u0000", '"\\x00"', '"\\ud800"', "\0", "\ufeff", "hosts:", "children:", "vars:", "all:", "ungrouped:", "plugin: aws_ec2\n",
  "ansible_port: 99999", "ansible_host: ", "ansible_connection: local", "ansible_group_priority: x", "lxd_cluster: ", "lxd_cluster: [a]", "web[0:99999999]:",
  "h[a:Z]:", "h[01:1]:", "h[1:2:0]:", "h[5:1]:", "h[:]:", "[::1]:22:", "h:0:", "{{ x }}", "{% if %}", "$ANSIBLE_VAULT;1.1;AES256\n",
];

/** INI inventory syntax, in and out of place. */
export const iniTokens = [
  "[", "]", "[g]\n", "[g:vars]\n", "[g:children]\n", "[all:children]\n", "[all:vars]\n", "[ungrouped]\n", "[g:unknown]\n", "[bad name]\n", "[]\n", "[:vars]\n",
  "=", "==", " = ", "\\", "\\\n", ";", "#", "'", '"', "'''", '"""', "ansible_port=", "ansible_port=99999", "ansible_port=-1", "ansible_host=", "ansible_connection=local",
  "ansible_group_priority=x", "ansible_group_priority=99999999999999999999", "lxd_cluster=", "lxd_cluster=[1,2]", "web[0:99999999]", "h[a:Z]", "h[01:1]",
  "h[1:2:0]", "h[5:1]", "h[0:9][0:9][0:9][0:9][0:9][0:9]", "h:", "---", "x=[1, 2", "x={'a': (1,", "x=True", "x=None", "x=0x", "x=1e999", "x=u'\\N{DASH}'",
  "x='\\x4'", 'x="\\u12"', "x=set()", "x=(((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))", "\t", "\n", "\r\n", " ", "{{ x }}", "é", "\0",
];
