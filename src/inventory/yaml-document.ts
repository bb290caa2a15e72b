import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Schema, visit, type Alias, type Document, type Node, type YAMLMap } from "yaml";
import { FleetError, type SourceLocation } from "../errors.js";
import { InventoryCode, inventoryProblem } from "./problems.js";
import type { VarValue } from "./types.js";
import { pythonKeyIdentity, toVarValue } from "./var-value.js";
import { pyYamlTags } from "./yaml-schema.js";

/** A parsed YAML file together with what is needed to point at its nodes. */
export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The node each alias refers to, found in one pass (yaml's Alias.resolve walks the whole document per call). */
  aliasTargets: Map<Alias, Node>;
}

export interface ParsedYaml {
  source: YamlSource;
  /** Syntax errors and unsupported constructs, each located. Empty when the file is usable. */
  problems: FleetError[];
}

/** Built once: inventories read hundreds of small group_vars files. */
const pyYamlSchema = new Schema({ schema: "yaml-1.1", customTags: pyYamlTags, merge: true });

/** Parse YAML as Ansible's PyYAML loader reads it, reporting every problem with its position. */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    version: "1.1",
    schema: pyYamlSchema,
    uniqueKeys: false,
    prettyErrors: false,
    lineCounter: lines,
  });
  const source: YamlSource = { file, doc, lines, aliasTargets: new Map() };
  const problems: FleetError[] = doc.errors.map((error) =>
    // yaml reports the end of the JavaScript stack as a syntax error, in the engine's words
    /Maximum call stack size exceeded/.test(error.message)
      ? inventoryProblem(InventoryCode.yamlSyntax, "YAML nested too deeply: lists and mappings inside each other, hundreds of levels", locateOffset(source, error.pos[0]), "nest the data less deeply")
      : inventoryProblem(InventoryCode.yamlSyntax, `YAML syntax error: ${firstLine(error.message)}`, locateOffset(source, error.pos[0])),
  );
  for (const warning of doc.warnings) {
    // PyYAML's SafeLoader refuses a tag it has no constructor for; yaml only warns.
    if (warning.code === "TAG_RESOLVE_FAILED") {
      problems.push(inventoryProblem(InventoryCode.yamlSyntax, `YAML syntax error: ${firstLine(warning.message)}`, locateOffset(source, warning.pos[0]), unknownTagHint));
    }
  }
  // Document order, as PyYAML reads it: an alias refers to the last anchor of that name before it.
  const anchors = new Map<string, Node>();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        const problem = aliasProblem(source, node, anchors.get(node.source));
        if (problem !== undefined) problems.push(problem);
        return;
      }
      if (node.anchor !== undefined) anchors.set(node.anchor, node);
      if (isScalar(node) && (node.tag === "!vault" || node.tag === "!vault-encrypted")) {
        problems.push(
          inventoryProblem(
            InventoryCode.unsupported,
            "vault-encrypted values (!vault) are not supported",
            locate(source, node),
            "decrypt the value (ansible-vault decrypt) or keep secrets out of the inventory",
          ),
        );
      }
    },
  });
  return { source, problems: problems.sort(byPosition) };
}

function byPosition(a: FleetError, b: FleetError): number {
  return (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0);
}

const unknownTagHint = "remove the tag, or use one PyYAML's safe loader knows (!!str, !!int, !!float, !!bool, !!set, !unsafe)";

/**
 * Records where the alias points; PyYAML rejects an alias to an anchor not defined before it, and
 * one inside its own anchor would make a value that never ends.
 */
function aliasProblem(source: YamlSource, alias: Alias, target: Node | undefined): FleetError | undefined {
  if (target === undefined) {
    return inventoryProblem(InventoryCode.yamlSyntax, `YAML syntax error: found undefined alias *${alias.source}`, locate(source, alias), "define the anchor (&NAME) before the alias (*NAME) that uses it");
  }
  const aliasStart = alias.range?.[0];
  const [targetStart, , targetEnd] = target.range ?? [];
  if (aliasStart !== undefined && targetStart !== undefined && targetEnd !== undefined && aliasStart >= targetStart && aliasStart < targetEnd) {
    return inventoryProblem(InventoryCode.yamlSyntax, `YAML alias *${alias.source} is inside the node it refers to, so its value never ends`, locate(source, alias), "refer to the anchor from outside the node that defines it");
  }
  source.aliasTargets.set(alias, target);
  return undefined;
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

export function locateOffset(source: YamlSource, offset: number): SourceLocation {
  const position = source.lines.linePos(offset);
  return { file: source.file, line: position.line, column: position.col };
}

export function locate(source: YamlSource, node: Node | null | undefined): SourceLocation {
  const offset = node?.range?.[0];
  return offset === undefined ? { file: source.file } : locateOffset(source, offset);
}

/** Follow an alias to the node it names; an empty or null scalar (`key:`, `~`) is null. */
export function resolveAlias(source: YamlSource, node: Node | null | undefined): Node | null {
  if (node === null || node === undefined) return null;
  const resolved = isAlias(node) ? (source.aliasTargets.get(node) ?? null) : node;
  if (isScalar(resolved) && resolved.value === null) return null;
  return resolved;
}

/**
 * Follow an alias to the node it names, keeping an empty or null scalar as the node it is (unlike
 * resolveAlias): for the items of a list, whose problems need the item's position.
 */
export function followAlias(source: YamlSource, node: Node | null | undefined): Node | null {
  if (node === null || node === undefined) return null;
  return isAlias(node) ? (source.aliasTargets.get(node) ?? null) : node;
}

/**
 * True when the document holds no value: an empty file, only comments, `---` with nothing after
 * it, or a null scalar (`~`, `null`, `!!null ''`) — what PyYAML loads as None.
 */
export function isEmptyDocument(source: YamlSource): boolean {
  return resolveAlias(source, source.doc.contents) === null;
}

/**
 * The JavaScript value of a scalar key or node, as PyYAML would construct it. Throws a located
 * FleetError when the node's aliases expand too far.
 */
export function plainValue(source: YamlSource, node: Node | null): unknown {
  const resolved = resolveAlias(source, node);
  if (resolved === null) return null;
  if (isScalar(resolved)) return resolved.value;
  return guardedToJS(source, resolved, {});
}

/**
 * yaml refuses to expand aliases past a limit (its guard against "billion laughs" documents).
 * PyYAML has none, so the limit is set far above what a real inventory uses.
 */
const maxAliasCount = 10_000;

/**
 * varValue of each node, converted once: a value an alias names is read again for every
 * reference (a group definition reached through aliases, level upon level), and converting a large
 * one each time would multiply its size by the references. The value is shared: do not change it.
 */
const valuesOf = new WeakMap<Node, { value: VarValue } | { error: FleetError }>();

/** A variable value: the node converted to plain data. Throws a located FleetError when its aliases expand too far. */
export function varValue(source: YamlSource, node: Node | null): VarValue {
  const resolved = resolveAlias(source, node);
  if (resolved === null) return null;
  let known = valuesOf.get(resolved);
  if (known === undefined) {
    try {
      // Maps keep their keys' types (1 and true), which Python's dict tells apart from "1" and "true".
      known = { value: toVarValue(guardedToJS(source, resolved, { mapAsMap: true })) };
    } catch (error) {
      if (!(error instanceof FleetError)) throw error;
      known = { error };
    }
    valuesOf.set(resolved, known);
  }
  if ("error" in known) throw known.error;
  return known.value;
}

/** toJS with the alias limit; yaml's ReferenceError past it becomes a located FleetError. */
function guardedToJS(source: YamlSource, node: Node, options: { mapAsMap?: boolean }): unknown {
  try {
    return node.toJS(source.doc, { ...options, maxAliasCount });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw aliasesTooFar(source, node);
  }
}

/** The problem of a value whose aliases expand past the limit that guards against alias bombs. */
export function aliasesTooFar(source: YamlSource, node: Node | null): FleetError {
  return inventoryProblem(
    InventoryCode.yamlSyntax,
    "YAML aliases in this value expand too far (past the limit that guards against alias bombs)",
    locate(source, node),
    "write the value with fewer nested aliases (*NAME)",
  );
}

export interface MapEntry {
  key: unknown;
  keyNode: Node;
  /** The value node with aliases resolved; null for an empty value. */
  value: Node | null;
  location: SourceLocation;
  /** The value was reached through an alias (or a merge key): its content is written elsewhere and may be read many times. */
  aliased?: boolean;
}

export interface MapEntries {
  entries: MapEntry[];
  /** Keys written more than once (the last value wins, at the first key's place, as in PyYAML). */
  duplicates: MapEntry[];
}

/** mappingEntries of each mapping node, computed once: merge keys may name the same mapping many times. */
const entriesOf = new WeakMap<YAMLMap, MapEntries>();

/**
 * The entries of a mapping as PyYAML builds the dict: merge keys (`<<`) flattened first, explicit
 * keys after them, a repeated key keeping its first position and its last value. Computed once per
 * mapping (the result is shared: do not change it), so that mappings merging the same mapping
 * twice, level upon level, take linear time instead of doubling with every level.
 */
export function mappingEntries(source: YamlSource, map: YAMLMap): MapEntries {
  let result = entriesOf.get(map);
  if (result === undefined) {
    result = computeMappingEntries(source, map);
    entriesOf.set(map, result);
  }
  return result;
}

function computeMappingEntries(source: YamlSource, map: YAMLMap): MapEntries {
  const merged: MapEntry[] = [];
  const explicit: MapEntry[] = [];
  for (const pair of map.items) {
    const keyNode = pair.key as Node | null;
    if (keyNode === null) continue;
    if (isScalar(keyNode) && typeof keyNode.value === "symbol") {
      for (const entry of mergeSourceEntries(source, resolveAlias(source, pair.value as Node | null))) merged.push({ ...entry, aliased: true });
      continue;
    }
    explicit.push({
      key: plainValue(source, keyNode),
      keyNode,
      value: resolveAlias(source, pair.value as Node | null),
      location: locate(source, keyNode),
      aliased: isAlias(pair.value),
    });
  }
  const byKey = new Map<string, MapEntry>();
  const put = (identity: string, entry: MapEntry): void => {
    const earlier = byKey.get(identity);
    byKey.set(identity, earlier === undefined || earlier.key === entry.key ? entry : { ...entry, key: earlier.key });
  };
  for (const entry of merged) put(pythonKeyIdentity(entry.key), entry);
  const duplicates: MapEntry[] = [];
  const explicitKeys = new Set<string>();
  for (const entry of explicit) {
    const identity = pythonKeyIdentity(entry.key);
    if (explicitKeys.has(identity)) duplicates.push(entry);
    explicitKeys.add(identity);
    put(identity, entry);
  }
  return { entries: [...byKey.values()], duplicates };
}

function mergeSourceEntries(source: YamlSource, node: Node | null): MapEntry[] {
  if (isMap(node)) return mappingEntries(source, node).entries;
  if (isSeq(node)) {
    // Earlier maps in the sequence win, so they are applied last.
    const maps = node.items.map((item) => resolveAlias(source, item as Node | null));
    return maps.reverse().flatMap((item) => (isMap(item) ? mappingEntries(source, item).entries : []));
  }
  return [];
}

