import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { isMap, isSeq } from "yaml";
import { messageOf, type FleetError, type SourceLocation } from "../errors.js";
import { InventoryCode, inventoryProblem } from "./problems.js";
import type { Vars } from "./types.js";
import { varName } from "./var-value.js";
import { locate, mappingEntries, parseYaml, varValue } from "./yaml-document.js";

/**
 * group_vars/ and host_vars/ beside an inventory source, found the way Ansible's host_group_vars
 * plugin finds them: for NAME, the first of NAME, NAME.yml, NAME.yaml, NAME.json that exists; if
 * it is a directory, every file in it (recursively, sorted, hidden and backup files skipped, only
 * files with no extension or one of those extensions).
 */

export interface VarsLayer {
  vars: Vars;
  origins: Map<string, SourceLocation>;
}

/** The vars files of one inventory source, per group and per host name. */
export interface SourceVarsFiles {
  groups: Map<string, VarsLayer>;
  hosts: Map<string, VarsLayer>;
}

const varsExtensions = ["", ".yml", ".yaml", ".json"];

export class VarsFileReader {
  private readonly files = new Map<string, Promise<VarsLayer | undefined>>();
  private readonly found: FleetError[] = [];
  readonly warnings: string[] = [];

  /** Problems by file and position: files are read concurrently, so arrival order varies. */
  get problems(): FleetError[] {
    const key = (problem: FleetError): [string, number, number] => [problem.location?.file ?? "", problem.location?.line ?? 0, problem.location?.column ?? 0];
    return [...this.found].sort((a, b) => {
      const [fileA, lineA, columnA] = key(a);
      const [fileB, lineB, columnB] = key(b);
      return byCodePoint(fileA, fileB) || lineA - lineB || columnA - columnB;
    });
  }

  async read(basedir: string, groupNames: readonly string[], hostNames: readonly string[]): Promise<SourceVarsFiles> {
    const [groups, hosts] = await Promise.all([
      this.readKind(join(basedir, "group_vars"), groupNames),
      this.readKind(join(basedir, "host_vars"), hostNames),
    ]);
    return { groups, hosts };
  }

  private async readKind(directory: string, names: readonly string[]): Promise<Map<string, VarsLayer>> {
    const layers = new Map<string, VarsLayer>();
    const listing = await this.listing(directory);
    if (listing === undefined) return layers;
    await Promise.all(
      names.map(async (name) => {
        if (name.startsWith("/")) return;
        const files = await this.filesFor(directory, listing, name);
        if (files.length === 0) return;
        const loaded = await Promise.all(files.map((file) => this.load(file)));
        const layer: VarsLayer = { vars: {}, origins: new Map() };
        for (const part of loaded) {
          if (part === undefined) continue;
          Object.assign(layer.vars, part.vars);
          for (const [key, origin] of part.origins) layer.origins.set(key, origin);
        }
        layers.set(name, layer);
      }),
    );
    return layers;
  }

  private async listing(directory: string): Promise<Set<string> | undefined> {
    try {
      return new Set(await readdir(directory));
    } catch (error) {
      const code = errorCode(error);
      if (code === "ENOENT") return undefined;
      if (code === "ENOTDIR") {
        this.warnings.push(`${directory} is not a directory; skipped`);
        return undefined;
      }
      this.found.push(inventoryProblem(InventoryCode.unreadable, `cannot read ${directory}: ${messageOf(error)}`, { file: directory }));
      return undefined;
    }
  }

  private async filesFor(directory: string, listing: Set<string>, name: string): Promise<string[]> {
    for (const extension of varsExtensions) {
      const candidate = name + extension;
      if (!name.includes("/") && !listing.has(candidate)) continue;
      const path = join(directory, candidate);
      const kind = await entryKind(path);
      if (kind === "missing") continue;
      return kind === "directory" ? this.directoryFiles(path) : [path];
    }
    return [];
  }

  private async directoryFiles(directory: string): Promise<string[]> {
    let entries: string[];
    try {
      entries = (await readdir(directory)).sort(byCodePoint);
    } catch (error) {
      this.found.push(inventoryProblem(InventoryCode.unreadable, `cannot read ${directory}: ${messageOf(error)}`, { file: directory }));
      return [];
    }
    const files: string[] = [];
    for (const entry of entries) {
      if (entry.startsWith(".") || entry.endsWith("~")) continue;
      const path = join(directory, entry);
      const extension = extname(entry);
      const kind = await entryKind(path);
      if (kind === "directory" && extension === "") files.push(...(await this.directoryFiles(path)));
      else if (kind === "file" && varsExtensions.includes(extension)) files.push(path);
    }
    return files;
  }

  private load(file: string): Promise<VarsLayer | undefined> {
    let loading = this.files.get(file);
    if (loading === undefined) {
      loading = this.parse(file);
      this.files.set(file, loading);
    }
    return loading;
  }

  private async parse(file: string): Promise<VarsLayer | undefined> {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      this.found.push(inventoryProblem(InventoryCode.unreadable, `cannot read ${file}: ${messageOf(error)}`, { file }));
      return undefined;
    }
    if (text.startsWith("$ANSIBLE_VAULT;")) {
      this.found.push(
        inventoryProblem(InventoryCode.unsupported, "vault-encrypted files are not supported", { file, line: 1, column: 1 }, "decrypt it with ansible-vault decrypt, or keep secrets out of the inventory"),
      );
      return undefined;
    }
    const { source, problems } = parseYaml(text, file);
    if (problems.length > 0) {
      this.found.push(...problems);
      return undefined;
    }
    const root = source.doc.contents;
    if (root === null) return undefined;
    if (!isMap(root)) {
      this.found.push(inventoryProblem(InventoryCode.varsFileNotMapping, "a vars file must hold a mapping of variables, found " + (isSeq(root) ? "a list" : "a single value"), locate(source, root)));
      return undefined;
    }
    const layer: VarsLayer = { vars: {}, origins: new Map() };
    for (const entry of mappingEntries(source, root).entries) {
      const name = varName(entry.key);
      layer.vars[name] = varValue(source, entry.value);
      layer.origins.set(name, entry.location);
    }
    return layer;
  }
}

async function entryKind(path: string): Promise<"file" | "directory" | "missing"> {
  try {
    return (await stat(path)).isDirectory() ? "directory" : "file";
  } catch {
    return "missing";
  }
}

export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") return error.code;
  return undefined;
}
