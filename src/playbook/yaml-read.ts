import { isMap, isScalar, isSeq, visit, type Node, type YAMLMap } from "yaml";
import { FleetError, type SourceLocation } from "../errors.js";
import { varName } from "../inventory/var-value.js";
import { followAlias, locate, mappingEntries, parseYaml, resolveAlias, varValue, type MapEntry, type YamlSource } from "../inventory/yaml-document.js";
import type { VarValue } from "../inventory/types.js";
import { asPlaybookProblem, playbookProblem, PlaybookCode, type PlaybookCodeValue } from "./problems.js";

/**
 * Typed values out of the nodes of one YAML file. Every reader returns undefined after recording a
 * located problem, so that a loader can go on and report every problem of the file at once.
 */
export class YamlReader {
  constructor(
    readonly source: YamlSource,
    /** The file's text, to find positions inside a scalar. */
    readonly text: string,
    /** Shared by every file of one playbook load. */
    readonly problems: FleetError[],
  ) {}

  report(code: PlaybookCodeValue, message: string, location: SourceLocation, hint?: string): void {
    this.problems.push(hint === undefined ? playbookProblem(code, message, location) : playbookProblem(code, message, location, hint));
  }

  /** Where a value was written; an empty value points at its key. */
  at(entry: MapEntry): SourceLocation {
    return entry.value === null ? entry.location : locate(this.source, entry.value);
  }

  locate(node: Node | null): SourceLocation {
    return locate(this.source, node);
  }

  /** The entries of a mapping; a key written twice is a problem (YAML would drop the first silently). */
  entries(map: YAMLMap): MapEntry[] {
    let read: ReturnType<typeof mappingEntries>;
    try {
      read = mappingEntries(this.source, map);
    } catch (error) {
      // a key whose aliases expand too far
      if (!(error instanceof FleetError)) throw error;
      this.problems.push(asPlaybookProblem(error));
      return [];
    }
    const { entries, duplicates } = read;
    for (const duplicate of duplicates) {
      this.report(PlaybookCode.duplicateKey, `\`${keyName(duplicate)}\` is given twice`, duplicate.location);
    }
    return entries;
  }

  /** The value as plain data (for vars and module arguments). */
  data(node: Node | null): VarValue | undefined {
    try {
      return varValue(this.source, node);
    } catch (error) {
      if (!(error instanceof FleetError)) throw error;
      this.problems.push(asPlaybookProblem(error));
      return undefined;
    }
  }

  /** Text: a string, or a number written without quotes (`name: 2024`). */
  string(entry: MapEntry, what: string): string | undefined {
    const value = scalarValue(this.source, entry.value);
    if (typeof value === "string") return value;
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    this.report(PlaybookCode.value, `${what} must be text, not ${describeNode(this.source, entry.value)}`, this.at(entry));
    return undefined;
  }

  /** true/false; yes/no and on/off as YAML 1.1 (and Ansible) read them, also when quoted. */
  bool(entry: MapEntry, what: string): boolean | undefined {
    const value = scalarValue(this.source, entry.value);
    if (typeof value === "boolean") return value;
    if (typeof value === "string") {
      const word = value.toLowerCase();
      if (["yes", "true", "on"].includes(word)) return true;
      if (["no", "false", "off"].includes(word)) return false;
    }
    this.report(PlaybookCode.value, `${what} must be true or false, not ${describeNode(this.source, entry.value)}`, this.at(entry));
    return undefined;
  }

  /**
   * One name or a list of names (tags, notify). A single string is one name; with `splitCommas`
   * it may hold several separated by commas (as Ansible reads `tags: "a, b"`).
   */
  names(entry: MapEntry, what: string, splitCommas: boolean): Array<{ name: string; location: SourceLocation }> | undefined {
    if (entry.value === null) return [];
    const items = isSeq(entry.value) ? entry.value.items.map((item) => followAlias(this.source, item as Node | null)) : [entry.value];
    const names: Array<{ name: string; location: SourceLocation }> = [];
    let ok = true;
    for (const item of items) {
      const value = scalarValue(this.source, item);
      const location = this.locate(item);
      if (typeof value === "string" || (typeof value === "number" && Number.isFinite(value))) {
        const parts = splitCommas ? String(value).split(",") : [String(value)];
        for (const part of parts) {
          const name = part.trim();
          if (name !== "") names.push({ name, location });
        }
        continue;
      }
      ok = false;
      this.report(PlaybookCode.value, `${what} must be a name or a list of names, not ${describeNode(this.source, item)}`, location);
    }
    return ok ? names : undefined;
  }

  /** The items of a list (aliases resolved); `key:` with no value is an empty list. */
  list(entry: MapEntry, what: string): Array<Node | null> | undefined {
    if (entry.value === null) return [];
    if (isSeq(entry.value)) return entry.value.items.map((item) => followAlias(this.source, item as Node | null));
    this.report(PlaybookCode.structure, `${what} must be a list, not ${describeNode(this.source, entry.value)}`, this.at(entry));
    return undefined;
  }
}

/** A mapping key as the name the user wrote. */
export function keyName(entry: MapEntry): string {
  return typeof entry.key === "string" ? entry.key : varName(entry.key);
}

/** What a node holds, in words, for messages: "a list", "a mapping", "the number 3"... */
export function describeNode(source: YamlSource, node: Node | null): string {
  const resolved = resolveAlias(source, node);
  if (resolved === null) return "nothing";
  if (isMap(resolved)) return "a mapping";
  if (isSeq(resolved)) return "a list";
  if (isScalar(resolved)) {
    const value = resolved.value;
    if (typeof value === "string") return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
    if (typeof value === "number" || typeof value === "bigint") return `the number ${String(value)}`;
    if (typeof value === "boolean") return value ? "true" : "false";
  }
  return "a value of another kind";
}

/**
 * The value of a scalar as PyYAML constructs it; for a list or mapping the node itself (which no
 * reader takes for a scalar), so that nothing is converted that could fail to convert.
 */
export function scalarValue(source: YamlSource, node: Node | null): unknown {
  const resolved = resolveAlias(source, node);
  return isScalar(resolved) ? resolved.value : resolved;
}

/**
 * parseYaml with playbook codes, plus what PyYAML refuses and yaml only fails on when converting:
 * a merge key (`<<`) whose value is not a mapping or a list of mappings.
 */
export function parsePlaybookYaml(text: string, file: string): { source: YamlSource; problems: FleetError[] } {
  const { source, problems } = parseYaml(text, file);
  const all = problems.map((problem) => asPlaybookProblem(problem));
  visit(source.doc, {
    Pair(_key, pair) {
      const key = pair.key as Node | null;
      if (!isScalar(key) || typeof key.value !== "symbol") return;
      const value = resolveAlias(source, pair.value as Node | null);
      const items = isSeq(value) ? value.items.map((item) => resolveAlias(source, item as Node | null)) : [value];
      if (items.every((item) => isMap(item))) return;
      all.push(playbookProblem(PlaybookCode.yamlSyntax, "YAML merge key << needs a mapping or a list of mappings", locate(source, key), "merge an anchored mapping (`<<: *defaults`) or a list of them"));
    },
  });
  return { source, problems: all };
}
