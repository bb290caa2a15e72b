import { isMap, isScalar, isSeq, type Node } from "yaml";
import { FleetError, formatLocation, type SourceLocation } from "../errors.js";
import type { InventoryBuilder } from "./builder.js";
import { expandHostRanges, HostRangeError, splitHostPort } from "./host-pattern.js";
import { InventoryCode, inventoryProblem } from "./problems.js";
import { varName } from "./var-value.js";
import { isEmptyDocument, locate, locateOffset, mappingEntries, varValue, type MapEntry, type YamlSource } from "./yaml-document.js";

/**
 * Reads a YAML inventory (Ansible's yaml plugin format) into the builder:
 *
 *   all:                  top-level keys are groups
 *     vars: {...}
 *     hosts: {NAME: {VAR: VALUE} | null}
 *     children: {GROUP: <same structure>}
 *
 * A section may also be a single name (`hosts: web1`). Keys Ansible skips with a warning are
 * skipped the same way; what Ansible rejects is reported as a problem with its position.
 */
export function readYamlInventory(builder: InventoryBuilder, source: YamlSource): void {
  const root = source.doc.contents as Node | null;
  if (root === null) return;
  if (isEmptyDocument(source)) {
    const documentStart = locateOffset(source, source.doc.range[0]);
    builder.report(inventoryProblem(InventoryCode.structure, "a YAML inventory must be a mapping of groups, found an empty document", documentStart, emptyDocumentHint));
    return;
  }
  if (!isMap(root)) {
    builder.report(
      inventoryProblem(InventoryCode.structure, `a YAML inventory must be a mapping of groups, found ${describeNode(root)}`, locate(source, root)),
    );
    return;
  }
  let entries: MapEntry[];
  try {
    const read = mappingEntries(source, root);
    entries = read.entries;
    warnDuplicates(builder, read.duplicates);
  } catch (error) {
    // a key whose aliases expand too far
    if (!(error instanceof FleetError)) throw error;
    builder.report(error);
    return;
  }
  const plugin = entries.find((entry) => entry.key === "plugin");
  if (plugin !== undefined && isTruthyNode(plugin.value)) {
    const value = isScalar(plugin.value) ? String(plugin.value.value) : describeNode(plugin.value);
    builder.report(inventoryProblem(InventoryCode.unsupported, `inventory plugin configuration files (plugin: ${value}) are not supported`, plugin.location));
    return;
  }
  const reader = new YamlGroupReader(builder, source);
  for (const entry of entries) {
    try {
      reader.readGroup(entry);
    } catch (error) {
      if (!(error instanceof FleetError)) throw error;
      builder.report(error);
      // past the alias budget every further group would be refused the same way: one report is enough
      if (reader.overBudget) return;
    }
  }
}

/**
 * How many group, host and variable entries may be read through aliases. A group's definition
 * reached through an alias is read again for every reference, as Ansible does; nested references
 * multiply (a "billion laughs" built of groups), so past this many entries the file is refused.
 * A real inventory reads a few thousand at most.
 */
export const MAX_ALIASED_ENTRIES = 1_000_000;

/** Ansible refuses it too: its yaml plugin rejects an empty document and its ini plugin the `---` line. */
const emptyDocumentHint = "add groups (`all:` with `hosts:`), or delete the `---` line: a file of only comments is read as an empty inventory";

const sections = ["vars", "children", "hosts"] as const;
type Section = (typeof sections)[number];

const sectionHints: Record<Section, string> = {
  vars: "write the group's variables as a mapping: `vars: {name: value}`",
  children: "write child groups as a mapping: `children:` then one `GROUP:` per line, indented",
  hosts: "write hosts as a mapping: `hosts:` then one `HOST:` per line (with its variables, or nothing), indented — not a list",
};

class YamlGroupReader {
  /** Entries read through aliases so far (see MAX_ALIASED_ENTRIES). */
  private aliasedEntries = 0;

  constructor(
    private readonly builder: InventoryBuilder,
    private readonly source: YamlSource,
  ) {}

  get overBudget(): boolean {
    return this.aliasedEntries > MAX_ALIASED_ENTRIES;
  }

  /** Counts entries read through an alias; throws, located, past the budget. */
  private spend(aliased: boolean, count: number, location: SourceLocation): void {
    if (!aliased) return;
    this.aliasedEntries += count;
    if (this.overBudget) {
      throw inventoryProblem(
        InventoryCode.yamlSyntax,
        `YAML aliases make this inventory expand too far: more than ${MAX_ALIASED_ENTRIES.toLocaleString("en-US")} groups, hosts and variables read through aliases (an alias bomb?)`,
        location,
        "refer to each group's definition once (a group named again under children: needs no alias), or write the groups out",
      );
    }
  }

  /**
   * Returns the group name when the entry defines (or names) a group. `viaAlias`: the entry is
   * inside a definition reached through an alias.
   */
  readGroup(entry: MapEntry, viaAlias = false): string | undefined {
    const { key, value, location } = entry;
    const aliased = viaAlias || entry.aliased === true;
    this.spend(aliased, 1, location);
    if (value !== null && !isMap(value)) {
      this.builder.warn(`${where(location)}skipping "${String(key)}": not a valid group definition (a group is a mapping)`);
      return undefined;
    }
    if (typeof key !== "string" || key === "") {
      this.builder.report(inventoryProblem(InventoryCode.groupName, `invalid group name ${JSON.stringify(key)}`, location));
      return undefined;
    }
    const group = key;
    this.builder.addGroup(group);
    if (value === null) return group;

    const { entries, duplicates } = mappingEntries(this.source, value);
    warnDuplicates(this.builder, duplicates);
    const sectionEntries = new Map<Section, MapEntry[]>();
    for (const section of sections) {
      const entry = entries.find((candidate) => candidate.key === section);
      if (entry === undefined || entry.value === null) continue;
      const items = this.sectionItems(group, section, entry);
      if (items !== undefined) sectionEntries.set(section, items);
    }
    for (const entry of entries) {
      const section = sections.find((name) => name === entry.key);
      if (section !== undefined) {
        const items = sectionEntries.get(section) ?? [];
        const sectionAliased = aliased || entry.aliased === true;
        if (section === "vars") this.readVars(group, items, sectionAliased);
        else if (section === "children") this.readChildren(group, items, sectionAliased);
        else this.readHosts(group, items, sectionAliased);
      } else if (entry.value !== null && isMap(entry.value)) {
        this.builder.warn(`${where(entry.location)}skipping unexpected key "${String(entry.key)}" in group "${group}" (only vars, children and hosts are read)`);
      } else if (entry.value !== null) {
        this.builder.warn(`${where(entry.location)}skipping key "${String(entry.key)}" in group "${group}": it is not a mapping`);
      }
    }
    return group;
  }

  /** The entries of a section; a lone name stands for `{name: null}`, as Ansible allows. */
  private sectionItems(group: string, section: Section, entry: MapEntry): MapEntry[] | undefined {
    const node = entry.value;
    if (isScalar(node) && typeof node.value === "string") {
      return [{ key: node.value, keyNode: node, value: null, location: locate(this.source, node) }];
    }
    if (isMap(node)) {
      const { entries, duplicates } = mappingEntries(this.source, node);
      warnDuplicates(this.builder, duplicates);
      return entries;
    }
    this.builder.report(
      inventoryProblem(
        InventoryCode.structure,
        `"${section}" of group "${group}" must be a mapping, found ${describeNode(node)}`,
        locate(this.source, node),
        sectionHints[section],
      ),
    );
    return undefined;
  }

  private readVars(group: string, entries: MapEntry[], aliased: boolean): void {
    for (const entry of entries) {
      this.spend(aliased || entry.aliased === true, 1, entry.location);
      this.builder.setGroupVar(group, varName(entry.key), varValue(this.source, entry.value), entry.location);
    }
  }

  private readChildren(group: string, entries: MapEntry[], aliased: boolean): void {
    for (const entry of entries) {
      const child = this.readGroup(entry, aliased);
      if (child !== undefined) {
        this.builder.addChild(group, child, entry.location);
      } else if (typeof entry.key === "string" && this.builder.groups.has(entry.key)) {
        this.builder.addChild(group, entry.key, entry.location);
      }
    }
  }

  private readHosts(group: string, entries: MapEntry[], aliased: boolean): void {
    for (const entry of entries) {
      if (entry.key === "") {
        this.builder.report(inventoryProblem(InventoryCode.hostName, "empty host name", entry.location));
        continue;
      }
      if (typeof entry.key !== "string") {
        this.builder.report(
          inventoryProblem(InventoryCode.hostName, `host name ${JSON.stringify(entry.key)} must be a string`, entry.location, "quote it: \"" + String(entry.key) + "\":"),
        );
        continue;
      }
      const names = this.expand(entry.key, entry.location);
      if (names === undefined) continue;
      const vars = this.hostVars(entry);
      this.spend(aliased || entry.aliased === true, names.length * (1 + vars.length), entry.location);
      if (!this.builder.admitHosts(names, entry.location)) continue;
      const { port } = splitHostPort(entry.key);
      for (const name of names) {
        this.builder.addHost(name, group, port, entry.location);
        for (const [key, value, at] of vars) this.builder.setHostVar(name, key, value, at);
      }
    }
  }

  private expand(entry: string, location: SourceLocation): string[] | undefined {
    try {
      return expandHostRanges(splitHostPort(entry).pattern);
    } catch (error) {
      if (!(error instanceof HostRangeError)) throw error;
      this.builder.report(error.hint === undefined ? inventoryProblem(InventoryCode.range, error.message, location) : inventoryProblem(InventoryCode.range, error.message, location, error.hint));
      return undefined;
    }
  }

  /** A host's variables; empty values (null, "", 0, false) mean none, as `vars or {}` does in Ansible. */
  private hostVars(entry: MapEntry): Array<[string, ReturnType<typeof varValue>, SourceLocation]> {
    const node = entry.value;
    if (node === null) return [];
    if (isMap(node)) {
      const { entries, duplicates } = mappingEntries(this.source, node);
      warnDuplicates(this.builder, duplicates);
      return entries.map((item) => [varName(item.key), varValue(this.source, item.value), item.location]);
    }
    if (!isTruthyNode(node)) return [];
    this.builder.report(
      inventoryProblem(
        InventoryCode.hostVarsNotMapping,
        `variables of host "${String(entry.key)}" must be a mapping, found ${describeNode(node)}`,
        locate(this.source, node),
      ),
    );
    return [];
  }
}

function warnDuplicates(builder: InventoryBuilder, duplicates: MapEntry[]): void {
  for (const entry of duplicates) {
    builder.warn(`${where(entry.location)}duplicate key "${String(entry.key)}": the last value is used`);
  }
}

function where(location: SourceLocation): string {
  return `${formatLocation(location)}: `;
}

/** Python's truth of the value a node holds, without converting (and so expanding) a list or mapping. */
function isTruthyNode(node: Node | null): boolean {
  if (node === null) return false;
  if (isSeq(node) || isMap(node)) return node.items.length > 0;
  if (isScalar(node)) return Boolean(node.value);
  return true;
}

function describeNode(node: Node | null): string {
  if (node === null) return "nothing";
  if (isSeq(node)) return "a list";
  if (isMap(node)) return "a mapping";
  if (isScalar(node)) return typeof node.value === "string" ? `the text ${JSON.stringify(node.value)}` : `the value ${String(node.value)}`;
  return "something else";
}
