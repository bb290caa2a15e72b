import { readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { isMap, isSeq } from "yaml";
import { FleetError, messageOf, type SourceLocation } from "../errors.js";
import { byCodePoint, entryKind, errorCode } from "./fs-util.js";
import { InventoryCode, inventoryProblem } from "./problems.js";
import { isTrackedVar } from "./tracked-vars.js";
import type { Vars } from "./types.js";
import { varName } from "./var-value.js";
import { isEmptyDocument, locate, mappingEntries, parseYaml, varValue, type MapEntry } from "./yaml-document.js";

/**
 * group_vars/ and host_vars/ beside an inventory source, found the way Ansible's host_group_vars
 * plugin finds them: for NAME, the first of NAME, NAME.yml, NAME.yaml, NAME.json that exists; if
 * it is a directory, every file in it (recursively, sorted, hidden and backup files skipped, only
 * files with no extension or one of those extensions).
 */

export interface VarsLayer {
  vars: Vars;
  origins: ReadonlyMap<string, SourceLocation>;
}

/** The vars files of one inventory source, per group and per host name. */
export interface SourceVarsFiles {
  groups: Map<string, VarsLayer>;
  hosts: Map<string, VarsLayer>;
}

const varsExtensions = ["", ".yml", ".yaml", ".json"];

export class VarsFileReader {
  private readonly files = new Map<string, VarsLayer | undefined>();
  readonly problems: FleetError[] = [];
  readonly warnings: string[] = [];

  /** Reads synchronously: hundreds of small files load faster so than through the thread pool. */
  read(basedir: string, groupNames: readonly string[], hostNames: readonly string[]): SourceVarsFiles {
    return {
      groups: this.readKind(join(basedir, "group_vars"), groupNames),
      hosts: this.readKind(join(basedir, "host_vars"), hostNames),
    };
  }

  private readKind(directory: string, names: readonly string[]): Map<string, VarsLayer> {
    const layers = new Map<string, VarsLayer>();
    const listing = this.listing(directory);
    if (listing === undefined) return layers;
    for (const name of names) {
      if (name.startsWith("/")) continue;
      if (!name.includes("/") && !varsExtensions.some((extension) => listing.has(name + extension))) continue;
      const files = this.filesFor(directory, listing, name);
      if (files.length === 0) continue;
      const vars: Vars = {};
      const origins = new Map<string, SourceLocation>();
      for (const file of files) {
        const part = this.load(file);
        if (part === undefined) continue;
        Object.assign(vars, part.vars);
        for (const [key, origin] of part.origins) origins.set(key, origin);
      }
      layers.set(name, { vars, origins });
    }
    return layers;
  }

  private listing(directory: string): Set<string> | undefined {
    try {
      return new Set(readdirSync(directory));
    } catch (error) {
      const code = errorCode(error);
      if (code === "ENOENT") return undefined;
      if (code === "ENOTDIR") {
        this.warnings.push(`${directory} is not a directory; skipped`);
        return undefined;
      }
      this.problems.push(inventoryProblem(InventoryCode.unreadable, `cannot read ${directory}: ${messageOf(error)}`, { file: directory }));
      return undefined;
    }
  }

  private filesFor(directory: string, listing: Set<string>, name: string): string[] {
    for (const extension of varsExtensions) {
      const candidate = name + extension;
      if (!name.includes("/") && !listing.has(candidate)) continue;
      const path = join(directory, candidate);
      const kind = entryKind(path);
      if (kind === "missing") continue;
      return kind === "directory" ? this.directoryFiles(path) : [path];
    }
    return [];
  }

  private directoryFiles(directory: string): string[] {
    let entries: string[];
    try {
      entries = readdirSync(directory).sort(byCodePoint);
    } catch (error) {
      this.problems.push(inventoryProblem(InventoryCode.unreadable, `cannot read ${directory}: ${messageOf(error)}`, { file: directory }));
      return [];
    }
    const files: string[] = [];
    for (const entry of entries) {
      if (entry.startsWith(".") || entry.endsWith("~")) continue;
      const path = join(directory, entry);
      const extension = extname(entry);
      const kind = entryKind(path);
      if (kind === "directory" && extension === "") for (const file of this.directoryFiles(path)) files.push(file);
      else if (kind === "file" && varsExtensions.includes(extension)) files.push(path);
    }
    return files;
  }

  /** A file is read once however many sources point at it. */
  private load(file: string): VarsLayer | undefined {
    if (!this.files.has(file)) this.files.set(file, this.parse(file));
    return this.files.get(file);
  }

  private parse(file: string): VarsLayer | undefined {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      this.problems.push(inventoryProblem(InventoryCode.unreadable, `cannot read ${file}: ${messageOf(error)}`, { file }));
      return undefined;
    }
    if (text.startsWith("$ANSIBLE_VAULT;")) {
      this.problems.push(
        inventoryProblem(InventoryCode.unsupported, "vault-encrypted files are not supported", { file, line: 1, column: 1 }, "decrypt it with ansible-vault decrypt, or keep secrets out of the inventory"),
      );
      return undefined;
    }
    const { source, problems } = parseYaml(text, file);
    if (problems.length > 0) {
      for (const problem of problems) this.problems.push(problem);
      return undefined;
    }
    const root = source.doc.contents;
    // Ansible reads an empty document (no content, only comments, `---` alone, `~`, `null`) as no variables.
    if (isEmptyDocument(source)) return { vars: {}, origins: new Map() };
    if (!isMap(root)) {
      this.problems.push(inventoryProblem(InventoryCode.varsFileNotMapping, "a vars file must hold a mapping of variables, found " + (isSeq(root) ? "a list" : "a single value"), locate(source, root)));
      return undefined;
    }
    let entries: MapEntry[];
    try {
      entries = mappingEntries(source, root).entries;
    } catch (error) {
      // a key whose aliases expand too far
      if (!(error instanceof FleetError)) throw error;
      this.problems.push(error);
      return undefined;
    }
    const vars: Vars = {};
    const origins = new Map<string, SourceLocation>();
    for (const entry of entries) {
      const name = varName(entry.key);
      try {
        vars[name] = varValue(source, entry.value);
      } catch (error) {
        if (!(error instanceof FleetError)) throw error;
        this.problems.push(error);
        continue;
      }
      if (isTrackedVar(name)) origins.set(name, entry.location);
    }
    return { vars, origins };
  }
}
