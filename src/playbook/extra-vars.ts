import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isMap, isSeq } from "yaml";
import { FleetError, InputFileError, messageOf } from "../errors.js";
import type { Vars } from "../inventory/types.js";
import { varName } from "../inventory/var-value.js";
import { locate, mappingEntries, resolveAlias, varValue, type YamlSource } from "../inventory/yaml-document.js";
import { asPlaybookProblem, playbookProblem, PlaybookCode, playbookUsageProblem } from "./problems.js";
import { parsePlaybookYaml } from "./yaml-read.js";

/**
 * -e values as ansible-playbook reads them, later ones winning (a whole top-level value is
 * replaced):
 * - `KEY=VALUE [KEY=VALUE...]`: words split as a shell would (quotes group, a backslash escapes);
 *   values stay strings;
 * - `@FILE`: a YAML or JSON file (relative to `cwd`) holding a mapping;
 * - `{...}` (or anything starting with `{` or `[`): an inline YAML/JSON mapping.
 * A bad inline value throws a usage FleetError (exit 5); a bad file an InputFileError (exit 4).
 */
export function parseExtraVars(values: readonly string[], options: { cwd?: string } = {}): Vars {
  const cwd = options.cwd ?? process.cwd();
  const result: Vars = {};
  for (const value of values) Object.assign(result, parseOne(value, cwd));
  return result;
}

function parseOne(value: string, cwd: string): Vars {
  const text = value.trim();
  if (text.startsWith("@")) return readFile(text.slice(1), cwd);
  if (text.startsWith("{") || text.startsWith("[")) return parseInline(text);
  return parseKeyValues(text);
}

function parseKeyValues(text: string): Vars {
  const words = splitWords(text);
  if (typeof words === "string") throw playbookUsageProblem(PlaybookCode.extraVars, `-e ${text}: ${words}`);
  const vars: Vars = {};
  for (const word of words) {
    const equals = word.indexOf("=");
    if (equals <= 0) {
      throw playbookUsageProblem(
        PlaybookCode.extraVars,
        equals === 0 ? `-e ${text}: "${word}" has no name before =` : `-e ${text}: "${word}" is not KEY=VALUE`,
      );
    }
    vars[word.slice(0, equals)] = word.slice(equals + 1);
  }
  return vars;
}

/**
 * Words as a POSIX shell splits them (no comments, no expansions): whitespace separates, '...' is
 * literal, "..." allows \" and \\, a backslash elsewhere escapes the next character. Returns what
 * is wrong instead of the words when the quoting is broken.
 */
export function splitWords(text: string): string[] | string {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let index = 0; index < text.length; index++) {
    const char = text[index] ?? "";
    if (quote !== null) {
      if (char === quote) quote = null;
      else if (char === "\\" && quote === '"' && (text[index + 1] === '"' || text[index + 1] === "\\")) word += text[++index] ?? "";
      else word += char;
      continue;
    }
    if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === "\\") {
      const next = text[index + 1];
      if (next === undefined) return "a backslash ends the value";
      word += next;
      inWord = true;
      index++;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== null) return `the quote ${quote} is not closed`;
  if (inWord) words.push(word);
  return words;
}

function parseInline(text: string): Vars {
  const { source, problems } = parsePlaybookYaml(text, "-e");
  const first = problems[0];
  if (first !== undefined) throw playbookUsageProblem(PlaybookCode.extraVars, `-e ${text}: ${first.message}`);
  const root = resolveAlias(source, source.doc.contents);
  if (!isMap(root)) throw playbookUsageProblem(PlaybookCode.extraVars, `-e ${text}: extra vars must be a mapping, not ${isSeq(root) ? "a list" : "a single value"}`);
  try {
    return mappingVars(source, root);
  } catch (error) {
    if (!(error instanceof FleetError)) throw error;
    throw playbookUsageProblem(PlaybookCode.extraVars, `-e ${text}: ${error.message}`);
  }
}

function readFile(file: string, cwd: string): Vars {
  if (file === "") throw playbookUsageProblem(PlaybookCode.extraVars, "-e @: no file named after @");
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), "utf8");
  } catch (error) {
    throw new InputFileError([playbookProblem(PlaybookCode.extraVarsFile, `cannot read -e @${file}: ${messageOf(error)}`, { file }, "check the path after @ (relative to the current directory)")]);
  }
  if (text.startsWith("$ANSIBLE_VAULT;")) {
    throw new InputFileError([playbookProblem(PlaybookCode.unsupported, "vault-encrypted files are not supported", { file, line: 1, column: 1 }, "decrypt it with ansible-vault decrypt")]);
  }
  const { source, problems } = parsePlaybookYaml(text, file);
  if (problems.length > 0) throw new InputFileError(problems);
  const root = resolveAlias(source, source.doc.contents);
  if (root === null) return {};
  if (!isMap(root)) {
    throw new InputFileError([
      playbookProblem(PlaybookCode.extraVarsFile, `extra vars file must hold a mapping of variables, not ${isSeq(root) ? "a list" : "a single value"}`, locate(source, root)),
    ]);
  }
  try {
    return mappingVars(source, root);
  } catch (error) {
    if (!(error instanceof FleetError)) throw error;
    throw new InputFileError([asPlaybookProblem(error)]);
  }
}

function mappingVars(source: YamlSource, root: Parameters<typeof mappingEntries>[1]): Vars {
  const vars: Vars = {};
  for (const entry of mappingEntries(source, root).entries) vars[varName(entry.key)] = varValue(source, entry.value);
  return vars;
}
