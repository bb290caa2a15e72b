import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { isMap, isSeq, type Node } from "yaml";
import { FleetError, messageOf } from "../errors.js";
import { errorCode } from "../inventory/fs-util.js";
import type { Vars } from "../inventory/types.js";
import { varName } from "../inventory/var-value.js";
import { mappingEntries, resolveAlias } from "../inventory/yaml-document.js";
import { asPlaybookProblem, PlaybookCode } from "./problems.js";
import { parsePlaybookYaml, scalarValue, YamlReader } from "./yaml-read.js";

/**
 * One `vars_files:` item: a path relative to the playbook's directory, read now. The file holds a
 * mapping of variables, or nothing. `path` in the result is the file as messages show it.
 */
export function readVarsFile(reader: YamlReader, directories: { baseDir: string; shownDir: string }, node: Node | null): { path: string; vars: Vars } | undefined {
  const location = reader.locate(node);
  const name = scalarValue(reader.source, node);
  if (typeof name !== "string" || name === "") {
    reader.report(PlaybookCode.value, "a vars_files item is the path of a YAML file", location);
    return undefined;
  }
  if (name.includes("{{")) {
    reader.report(PlaybookCode.value, "vars_files paths cannot hold templates: they are read before any host's variables are known", location);
    return undefined;
  }
  const path = isAbsolute(name) ? name : join(directories.baseDir, name);
  const shown = isAbsolute(name) ? name : join(directories.shownDir, name);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") reader.report(PlaybookCode.varsFileMissing, `vars file ${name} not found: there is no file ${shown}`, location);
    else reader.report(PlaybookCode.varsFile, `cannot read vars file ${shown}: ${messageOf(error)}`, location);
    return undefined;
  }
  if (text.startsWith("$ANSIBLE_VAULT;")) {
    reader.report(PlaybookCode.unsupported, `vars file ${shown} is vault-encrypted, which is not supported`, location, "decrypt it with ansible-vault decrypt, or pass secrets with -e @FILE");
    return undefined;
  }
  const { source, problems } = parsePlaybookYaml(text, shown);
  if (problems.length > 0) {
    for (const problem of problems) reader.problems.push(problem);
    return undefined;
  }
  const root = resolveAlias(source, source.doc.contents);
  if (root === null) return { path: shown, vars: {} };
  const file = new YamlReader(source, text, reader.problems);
  if (!isMap(root)) {
    file.report(PlaybookCode.varsFile, `a vars file holds a mapping of variables, not ${isSeq(root) ? "a list" : "a single value"}`, file.locate(root));
    return undefined;
  }
  const vars: Vars = {};
  let ok = true;
  // As Ansible (PyYAML) reads it: a key given twice keeps its last value, without a word.
  let entries: ReturnType<typeof mappingEntries>["entries"];
  try {
    entries = mappingEntries(source, root).entries;
  } catch (error) {
    // a key whose aliases expand too far
    if (!(error instanceof FleetError)) throw error;
    reader.problems.push(asPlaybookProblem(error));
    return undefined;
  }
  for (const entry of entries) {
    const value = file.data(entry.value);
    if (value === undefined) ok = false;
    else vars[varName(entry.key)] = value;
  }
  return ok ? { path: shown, vars } : undefined;
}
