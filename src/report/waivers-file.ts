import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { isMap, isScalar, isSeq, type Node, type YAMLMap } from "yaml";
import { FleetError, InputFileError, messageOf, type SourceLocation } from "../errors.js";
import { errorCode } from "../inventory/fs-util.js";
import { InventoryCode } from "../inventory/problems.js";
import { splitPattern } from "../inventory/select.js";
import { followAlias, isEmptyDocument, locate, mappingEntries, parseYaml, resolveAlias, type MapEntry, type YamlSource } from "../inventory/yaml-document.js";
import { didYouMean } from "../playbook/problems.js";
import { describeNode, keyName, scalarValue } from "../playbook/yaml-read.js";
import type { Waiver } from "./waivers.js";

/**
 * Stable codes of waiver-file problems; every one is category "parse" (exit 4) and has a default
 * hint the user can act on.
 */
export const WaiverCode = {
  notFound: "WAIVER_NOT_FOUND",
  unreadable: "WAIVER_UNREADABLE",
  yamlSyntax: "WAIVER_YAML_SYNTAX",
  structure: "WAIVER_STRUCTURE",
  unknownKey: "WAIVER_UNKNOWN_KEY",
  duplicateKey: "WAIVER_DUPLICATE_KEY",
  missingKey: "WAIVER_MISSING_KEY",
  value: "WAIVER_VALUE",
  control: "WAIVER_CONTROL",
  hosts: "WAIVER_HOSTS",
  date: "WAIVER_DATE",
} as const;

export type WaiverCodeValue = (typeof WaiverCode)[keyof typeof WaiverCode];

/** The keys a waiver may hold, in the order docs/reports.md lists them. */
export const WAIVER_KEYS = ["control", "hosts", "justification", "expires", "rule"] as const;

const defaultHints: Record<WaiverCodeValue, string> = {
  WAIVER_NOT_FOUND: "check the path given with --waivers; relative paths start from the current directory",
  WAIVER_UNREADABLE: "check that the path names a readable file",
  WAIVER_YAML_SYNTAX: "fix the YAML at this position (indentation, a missing ':' or an unclosed quote are the usual causes)",
  WAIVER_STRUCTURE: "a waivers file is a list of waivers (or a mapping `waivers: [...]`), each a mapping {control, hosts, justification, expires, rule}; see docs/reports.md",
  WAIVER_UNKNOWN_KEY: `a waiver has the keys ${WAIVER_KEYS.join(", ")}; see docs/reports.md`,
  WAIVER_DUPLICATE_KEY: "remove one of the two: YAML keeps only the last value, silently dropping the first",
  WAIVER_MISSING_KEY: "every waiver needs `control` (the id it waives) and `justification` (why the failure is accepted)",
  WAIVER_VALUE: "fix the value's type; docs/reports.md gives the type of every key",
  WAIVER_CONTROL: "name one control id (LXD-DEV-02) or a glob of ids (LXD-DEV-*): letters, digits and . _ : - plus the glob characters * ? [ ]",
  WAIVER_HOSTS: "hosts is a host pattern as -l takes it (tb1, cluster1, web*, ~regex, !excluded, &both), or a list of them",
  WAIVER_DATE: "write the date as YYYY-MM-DD (the waiver ends at the end of that day, UTC), e.g. expires: 2027-06-30",
};

function waiverProblem(code: WaiverCodeValue, message: string, location: SourceLocation, hint: string = defaultHints[code]): FleetError {
  return new FleetError(code, message, { category: "parse", hint, location });
}

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const globPattern = /^[A-Za-z0-9*?[][A-Za-z0-9._:*?[\]!-]*$/;
const datePattern = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

/**
 * Reads a waivers file (YAML): a list of waivers, or a mapping with the one key `waivers`. Every
 * problem of the file is reported at once, each at file:line:column with a hint, in one
 * InputFileError (exit 4). An empty file (or `waivers: []`) holds no waivers.
 */
export async function loadWaivers(file: string, options: { cwd?: string } = {}): Promise<Waiver[]> {
  const path = resolve(options.cwd ?? process.cwd(), file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const problem =
      errorCode(error) === "ENOENT"
        ? waiverProblem(WaiverCode.notFound, `waivers file ${file} not found`, { file })
        : waiverProblem(WaiverCode.unreadable, `cannot read waivers file ${file}: ${messageOf(error)}`, { file });
    throw new InputFileError([problem]);
  }
  return parseWaivers(text, file);
}

/** loadWaivers on text already read; `file` is the name locations use. */
export function parseWaivers(text: string, file: string): Waiver[] {
  const { source, problems: yamlProblems } = parseYaml(text, file);
  if (yamlProblems.length > 0) throw new InputFileError(yamlProblems.map(asWaiverProblem));
  if (isEmptyDocument(source)) return [];

  const reader = new WaiverReader(source);
  const root = resolveAlias(source, source.doc.contents);
  let items: Array<Node | null> = [];
  if (isSeq(root)) {
    items = root.items.map((item) => followAlias(source, item as Node | null));
  } else if (isMap(root)) {
    items = reader.topLevel(root);
  } else {
    reader.report(WaiverCode.structure, `a waivers file is a list of waivers; this file holds ${describeNode(source, root)}`, locate(source, root));
  }
  const waivers: Waiver[] = [];
  for (const item of items) {
    const waiver = reader.waiver(item);
    if (waiver !== undefined) waivers.push(waiver);
  }
  if (reader.problems.length > 0) throw new InputFileError(reader.problems.sort(byPosition));
  return waivers;
}

/** parseYaml speaks of inventories; in a waivers file its problems carry waiver codes and hints. */
function asWaiverProblem(problem: FleetError): FleetError {
  const location = problem.location ?? { file: "" };
  if (problem.code === InventoryCode.unsupported) return waiverProblem(WaiverCode.yamlSyntax, problem.message, location, "write the value in plain text: waivers hold no secrets");
  if (problem.code !== InventoryCode.yamlSyntax) return problem;
  // The YAML 1.1 timestamp resolver rejects 2027-02-30 before a waiver is read.
  if (/invalid (?:date|timestamp)/.test(problem.message)) return waiverProblem(WaiverCode.date, problem.message.replace(/^YAML syntax error: /, "expires: "), location);
  const generic = problem.hint === undefined || problem.hint.startsWith("fix the YAML at this position");
  return waiverProblem(WaiverCode.yamlSyntax, problem.message, location, generic ? defaultHints.WAIVER_YAML_SYNTAX : problem.hint);
}

function byPosition(a: FleetError, b: FleetError): number {
  return (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0);
}

class WaiverReader {
  readonly problems: FleetError[] = [];

  constructor(private readonly source: YamlSource) {}

  report(code: WaiverCodeValue, message: string, location: SourceLocation, hint?: string): void {
    this.problems.push(waiverProblem(code, message, location, hint));
  }

  /** `waivers: [...]`, the only key a top-level mapping may hold. */
  topLevel(root: YAMLMap): Array<Node | null> {
    const entries = this.entries(root);
    const names = entries.map((entry) => keyName(entry));
    if (entries.length === 0) {
      this.report(WaiverCode.structure, "a waivers file is a list of waivers; this file holds an empty mapping", locate(this.source, root));
      return [];
    }
    if (!names.includes("waivers") && names.some((name) => (WAIVER_KEYS as readonly string[]).includes(name))) {
      this.report(WaiverCode.structure, "a waivers file is a list of waivers; this file holds a single waiver without the list", locate(this.source, root), "write the waiver as an item of a list: `- control: ...`");
      return [];
    }
    let items: Array<Node | null> = [];
    for (const entry of entries) {
      const name = keyName(entry);
      if (name !== "waivers") {
        this.report(WaiverCode.structure, `unknown key \`${name}\` at the top of a waivers file`, entry.location, didYouMean(name, ["waivers"], "the top level is a list of waivers, or a mapping with the one key `waivers`"));
      } else if (isSeq(entry.value)) {
        items = entry.value.items.map((item) => followAlias(this.source, item as Node | null));
      } else if (entry.value !== null) {
        this.report(WaiverCode.structure, `waivers must be a list of waivers, not ${describeNode(this.source, entry.value)}`, this.at(entry));
      }
    }
    return items;
  }

  waiver(node: Node | null): Waiver | undefined {
    const location = locate(this.source, node);
    if (!isMap(node)) {
      this.report(WaiverCode.structure, `a waiver is a mapping {control, justification, ...}, not ${describeNode(this.source, node)}`, location);
      return undefined;
    }
    const fields = new Map<string, MapEntry>();
    for (const entry of this.entries(node)) {
      const name = keyName(entry);
      if ((WAIVER_KEYS as readonly string[]).includes(name)) fields.set(name, entry);
      else this.report(WaiverCode.unknownKey, `unknown key \`${name}\` in a waiver`, entry.location, didYouMean(name, WAIVER_KEYS, defaultHints.WAIVER_UNKNOWN_KEY));
    }
    const before = this.problems.length;
    const control = this.control(fields.get("control"), location);
    const hosts = this.hosts(fields.get("hosts"));
    const justification = this.justification(fields.get("justification"), location);
    const expires = this.expires(fields.get("expires"));
    const rule = this.optionalText(fields.get("rule"), "rule");
    if (this.problems.length > before || control === undefined || justification === undefined) return undefined;
    return { control, hosts: hosts ?? "all", justification, expires: expires ?? null, rule: rule ?? null, location };
  }

  private entries(map: YAMLMap): MapEntry[] {
    let read: ReturnType<typeof mappingEntries>;
    try {
      read = mappingEntries(this.source, map);
    } catch (error) {
      // a key whose aliases expand too far
      if (!(error instanceof FleetError)) throw error;
      this.problems.push(asWaiverProblem(error));
      return [];
    }
    const { entries, duplicates } = read;
    for (const duplicate of duplicates) this.report(WaiverCode.duplicateKey, `\`${keyName(duplicate)}\` is given twice`, duplicate.location);
    return entries;
  }

  /** Where a value was written; an empty value points at its key. */
  private at(entry: MapEntry): SourceLocation {
    return entry.value === null ? entry.location : locate(this.source, entry.value);
  }

  /** The scalar as the user wrote it (a YAML timestamp or number is still the text written). */
  private text(entry: MapEntry): string | undefined {
    const node = entry.value;
    if (!isScalar(node)) return undefined;
    const value = scalarValue(this.source, node);
    if (typeof value === "string") return value;
    if (typeof value === "number" && typeof node.source === "string") return node.source;
    return undefined;
  }

  private control(entry: MapEntry | undefined, waiverLocation: SourceLocation): string | undefined {
    if (entry === undefined) {
      this.report(WaiverCode.missingKey, "a waiver needs `control`: the control id (or a glob of ids) it waives", waiverLocation);
      return undefined;
    }
    const value = scalarValue(this.source, entry.value);
    if (typeof value !== "string" || value.trim() === "") {
      this.report(WaiverCode.control, `control must be a control id such as LXD-DEV-02, not ${describeNode(this.source, entry.value)}`, this.at(entry));
      return undefined;
    }
    const id = value.trim();
    const glob = /[*?[]/.test(id);
    if (glob ? !globPattern.test(id) : !idPattern.test(id)) {
      this.report(WaiverCode.control, `control ${JSON.stringify(id)} is not a control id (such as LXD-DEV-02) or a glob of ids (such as LXD-DEV-*)`, this.at(entry));
      return undefined;
    }
    return id;
  }

  private hosts(entry: MapEntry | undefined): string | undefined {
    if (entry === undefined) return undefined;
    const items = isSeq(entry.value) ? entry.value.items.map((item) => followAlias(this.source, item as Node | null)) : [entry.value];
    const patterns: string[] = [];
    for (const item of items) {
      const value = scalarValue(this.source, item);
      const location = locate(this.source, item ?? entry.keyNode);
      if (typeof value !== "string" && !(typeof value === "number" && Number.isFinite(value))) {
        this.report(WaiverCode.hosts, `hosts must be a host pattern or a list of them, not ${describeNode(this.source, item)}`, item === null ? entry.location : location);
        return undefined;
      }
      const text = String(value);
      // splitPattern drops what it cannot read (an unclosed bracket, as Ansible does): say so instead.
      if ((text.match(/\[/g)?.length ?? 0) !== (text.match(/]/g)?.length ?? 0)) {
        this.report(WaiverCode.hosts, `host pattern ${JSON.stringify(text)}: unbalanced brackets [ ]`, location);
        return undefined;
      }
      const terms = splitPattern(text);
      if (terms.length === 0) {
        this.report(WaiverCode.hosts, "hosts is empty: leave the key out to waive on every host", location);
        return undefined;
      }
      for (const term of terms) {
        const problem = termProblem(term.replace(/^[&!]/, ""));
        if (problem !== undefined) {
          this.report(WaiverCode.hosts, `host pattern ${JSON.stringify(term)}: ${problem}`, location);
          return undefined;
        }
      }
      patterns.push(terms.join(","));
    }
    if (patterns.length === 0) {
      this.report(WaiverCode.hosts, "hosts is an empty list: leave the key out to waive on every host", this.at(entry));
      return undefined;
    }
    return patterns.join(",");
  }

  private justification(entry: MapEntry | undefined, waiverLocation: SourceLocation): string | undefined {
    if (entry === undefined) {
      this.report(WaiverCode.missingKey, "a waiver needs `justification`: why the failure is accepted", waiverLocation);
      return undefined;
    }
    const value = scalarValue(this.source, entry.value);
    if (typeof value !== "string") {
      this.report(WaiverCode.value, `justification must be text, not ${describeNode(this.source, entry.value)}`, this.at(entry), "say why the failure is accepted, who accepted it and what would end the waiver");
      return undefined;
    }
    if (value.trim() === "") {
      this.report(WaiverCode.value, "justification is empty", this.at(entry), "say why the failure is accepted, who accepted it and what would end the waiver");
      return undefined;
    }
    return value.trim();
  }

  private expires(entry: MapEntry | undefined): string | undefined {
    if (entry === undefined) return undefined;
    const text = this.text(entry);
    if (text === undefined) {
      this.report(WaiverCode.date, `expires must be a date YYYY-MM-DD, not ${describeNode(this.source, entry.value)}`, this.at(entry));
      return undefined;
    }
    const shown = isScalar(entry.value) && typeof entry.value.source === "string" ? entry.value.source : text;
    const match = datePattern.exec(text);
    if (match === null) {
      this.report(WaiverCode.date, `expires: ${JSON.stringify(shown)} is not a date YYYY-MM-DD`, this.at(entry));
      return undefined;
    }
    const [, year, month, day] = match.map(Number);
    const date = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1));
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== (month ?? 1) - 1 || date.getUTCDate() !== day) {
      this.report(WaiverCode.date, `expires: ${text} is not a day of the calendar`, this.at(entry));
      return undefined;
    }
    return text;
  }

  private optionalText(entry: MapEntry | undefined, what: string): string | undefined {
    if (entry === undefined) return undefined;
    const value = this.text(entry);
    if (value === undefined || value.trim() === "") {
      this.report(WaiverCode.value, `${what} must be text, not ${describeNode(this.source, entry.value)}`, this.at(entry));
      return undefined;
    }
    return value.trim();
  }
}

/** What is wrong with one term of a waiver's host pattern, or undefined when it is usable on a report. */
function termProblem(term: string): string | undefined {
  if ((term.match(/\[/g)?.length ?? 0) !== (term.match(/]/g)?.length ?? 0)) return "unbalanced brackets [ ]";
  if (term.startsWith("@")) return "@FILE is not read for waivers: list the hosts or groups in the waiver";
  if (term.startsWith("~")) {
    try {
      new RegExp(term.slice(1), "u");
    } catch (error) {
      return `invalid regular expression: ${messageOf(error)}`;
    }
  }
  return undefined;
}
