/**
 * Python's shlex.split(line, comments=True) in POSIX mode, which Ansible uses to split INI host
 * lines: whitespace separates words, '...' is literal, "..." allows \" and \\, a backslash outside
 * quotes escapes the next character, and # starts a comment (also right after a word).
 */
export class ShlexError extends Error {}

const whitespace = new Set([" ", "\t", "\r", "\n"]);

export function shlexSplit(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let quoted = false;
  let inWord = false;
  let quote: "'" | '"' | null = null;

  const finishWord = (): void => {
    if (inWord && (word !== "" || quoted)) words.push(word);
    word = "";
    quoted = false;
    inWord = false;
  };

  for (let index = 0; index < line.length; index++) {
    const char = line[index] ?? "";
    if (quote !== null) {
      if (char === quote) {
        quote = null;
      } else if (char === "\\" && quote === '"') {
        const next = line[index + 1];
        if (next === undefined) throw new ShlexError("No escaped character");
        if (next !== "\\" && next !== '"') word += "\\";
        word += next;
        index++;
      } else {
        word += char;
      }
      continue;
    }
    if (whitespace.has(char)) {
      finishWord();
    } else if (char === "#") {
      break;
    } else if (char === "\\") {
      const next = line[index + 1];
      if (next === undefined) throw new ShlexError("No escaped character");
      word += next;
      inWord = true;
      index++;
    } else if (char === "'" || char === '"') {
      quote = char;
      quoted = true;
      inWord = true;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== null) throw new ShlexError("No closing quotation");
  finishWord();
  return words;
}
