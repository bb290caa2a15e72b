import { accessSync, constants, readdirSync, readFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { isMap } from "yaml";
import { messageOf } from "../errors.js";
import { InventoryBuilder } from "./builder.js";
import { byCodePoint, entryKind, errorCode } from "./fs-util.js";
import { splitHostPort } from "./host-pattern.js";
import { readIniInventory } from "./ini-inventory.js";
import { InventoryCode, inventoryProblem } from "./problems.js";
import { readYamlInventory } from "./yaml-inventory.js";
import { parseYaml } from "./yaml-document.js";

/**
 * Reads inventory sources as Ansible does: a file is parsed by format, a directory is read file by
 * file (sorted, recursively, skipping what Ansible skips), and a string with commas that is not a
 * path is a host list (`-i web1,web2,`). Returns the directories whose group_vars/host_vars
 * apply, one per source in order. Reads synchronously: inventories are many small files, read
 * once at start.
 */
export function readSources(builder: InventoryBuilder, sources: readonly string[]): string[] {
  const varsDirectories: string[] = [];
  for (const source of sources) {
    const kind = entryKind(source);
    if (kind === "missing") {
      if (source.includes(",")) {
        readHostList(builder, source);
      } else {
        builder.report(inventoryProblem(InventoryCode.notFound, `inventory source ${source} does not exist`, undefined));
      }
      continue;
    }
    if (kind === "directory") {
      readDirectory(builder, source);
      varsDirectories.push(source);
    } else {
      readInventoryFile(builder, source);
      varsDirectories.push(dirname(source));
    }
  }
  return varsDirectories;
}

/** What Ansible skips inside an inventory directory (INVENTORY_IGNORE_EXTS and the vars folders). */
const ignoredInDirectory = /^\.|^host_vars$|^group_vars$|^vars_plugins$|(?:\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/;

function readDirectory(builder: InventoryBuilder, directory: string): void {
  let entries: string[];
  try {
    entries = readdirSync(directory).sort(byCodePoint);
  } catch (error) {
    builder.report(inventoryProblem(InventoryCode.unreadable, `cannot read directory ${directory}: ${messageOf(error)}`, { file: directory }));
    return;
  }
  for (const entry of entries) {
    const path = join(directory, entry);
    if (ignoredInDirectory.test(entry)) {
      if (entry.endsWith(".ini")) {
        builder.warn(`${path}: skipped, as Ansible skips .ini files inside an inventory directory (pass it with its own -i to read it)`);
      }
      continue;
    }
    if (entryKind(path) === "directory") readDirectory(builder, path);
    else readInventoryFile(builder, path);
  }
}

/** `-i host1,host2:2222,` — hosts in "ungrouped", no ranges. */
function readHostList(builder: InventoryBuilder, list: string): void {
  for (const item of list.split(",")) {
    const entry = item.trim();
    if (entry === "") continue;
    const { pattern, port } = splitHostPort(entry);
    const name = pattern.includes("[") ? entry : pattern;
    builder.addHost(name, "ungrouped", pattern.includes("[") ? undefined : port, undefined);
  }
}

const yamlExtensions = new Set([".yml", ".yaml", ".json"]);

function readInventoryFile(builder: InventoryBuilder, file: string): void {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const message = errorCode(error) === "EACCES" ? "permission denied" : messageOf(error);
    builder.report(inventoryProblem(InventoryCode.unreadable, `cannot read inventory file ${file}: ${message}`, { file }));
    return;
  }
  const extension = extname(file);
  if (extension === ".toml") {
    builder.report(inventoryProblem(InventoryCode.unsupported, "TOML inventories are not supported", { file }));
    return;
  }
  if (text.startsWith("#!") && isExecutable(file)) {
    builder.report(inventoryProblem(InventoryCode.unsupported, "inventory scripts are not run by fleet", { file, line: 1, column: 1 }));
    return;
  }
  if (text.startsWith("$ANSIBLE_VAULT;")) {
    builder.report(inventoryProblem(InventoryCode.unsupported, "vault-encrypted inventories are not supported", { file, line: 1, column: 1 }));
    return;
  }
  if (extension === "" || yamlExtensions.has(extension)) readYamlOrIni(builder, file, text, extension !== "");
  else readIniInventory(builder, file, text);
}

/**
 * Ansible tries its yaml plugin first and falls back to the ini plugin. A file is YAML when it
 * parses to a mapping (or to nothing). Otherwise a file without extension is INI (its problems
 * are INI problems), and a .yml/.yaml/.json file is read as INI only if that works without a
 * problem; if not, its YAML problems are reported.
 */
function readYamlOrIni(builder: InventoryBuilder, file: string, text: string, yamlByName: boolean): void {
  const yaml = parseYaml(text, file);
  const root = yaml.source.doc.contents;
  if (yaml.problems.length === 0 && (root === null || isMap(root))) {
    readYamlInventory(builder, yaml.source);
    return;
  }
  if (!yamlByName) {
    readIniInventory(builder, file, text);
    return;
  }
  const trial = new InventoryBuilder();
  for (const group of builder.groups.keys()) trial.addGroup(group);
  readIniInventory(trial, file, text);
  if (trial.problems.length === 0) readIniInventory(builder, file, text);
  else if (yaml.problems.length > 0) for (const problem of yaml.problems) builder.report(problem);
  else readYamlInventory(builder, yaml.source);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
