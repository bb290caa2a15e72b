import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { isMap, isSeq, type Node, type YAMLMap } from "yaml";
import { InputFileError, messageOf, type FleetError } from "../errors.js";
import { errorCode } from "../inventory/fs-util.js";
import { followAlias, resolveAlias, type YamlSource } from "../inventory/yaml-document.js";
import type { ModuleRegistry } from "../modules/registry.js";
import { ControlCatalog } from "./controls.js";
import { isPlayKey, isTaskKey } from "./keys.js";
import { readPlay, type ReadPlay } from "./play.js";
import { playbookProblem, PlaybookCode } from "./problems.js";
import type { Playbook } from "./types.js";
import { describeNode, parsePlaybookYaml, scalarValue, YamlReader } from "./yaml-read.js";

export { resolvePlaybookPath } from "./resolve-path.js";

export interface LoadPlaybookOptions {
  /** The modules tasks may name. */
  registry: ModuleRegistry;
  /** What a relative `file` is relative to; default: the current directory. */
  cwd?: string;
}

/**
 * Read and check a playbook with the vars files and templates it names, before any host is
 * touched. Every problem found is reported at once, located and with a hint, in one
 * InputFileError (exit 4).
 */
export async function loadPlaybook(file: string, options: LoadPlaybookOptions): Promise<Playbook> {
  const path = resolve(options.cwd ?? process.cwd(), file);
  const text = await readPlaybookText(file, path);
  const { source, problems: yamlProblems } = parsePlaybookYaml(text, file);
  if (yamlProblems.length > 0) throw new InputFileError(yamlProblems);

  const problems: FleetError[] = [];
  const reader = new YamlReader(source, text, problems);
  const context = { registry: options.registry, catalog: new ControlCatalog(reader), baseDir: dirname(path), shownDir: dirname(file) };
  const root = resolveAlias(source, source.doc.contents);
  const plays: ReadPlay[] = [];
  if (root === null) {
    reader.report(PlaybookCode.structure, "the playbook is empty: a playbook is a list of plays", { file, line: 1, column: 1 });
  } else if (!isSeq(root)) {
    reader.report(PlaybookCode.structure, `a playbook is a list of plays; this file holds ${describeNode(source, root)}`, reader.locate(root), notAListHint(source, root, options.registry));
  } else if (root.items.length === 0) {
    reader.report(PlaybookCode.structure, "the playbook holds no plays", reader.locate(root));
  } else {
    for (const item of root.items) {
      const play = readPlay(reader, context, followAlias(source, item as Node | null));
      if (play !== undefined) plays.push(play);
    }
  }
  if (problems.length > 0) throw new InputFileError(inFileOrder(problems, file));

  for (const { tasks, handlers } of plays) {
    for (const { task, control } of [...tasks, ...handlers]) {
      if (control !== undefined) task.control = context.catalog.resolve(control, task.scope);
    }
  }
  return { file, path, baseDir: dirname(path), plays: plays.map((read) => read.play) };
}

async function readPlaybookText(file: string, path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const problem =
      errorCode(error) === "ENOENT"
        ? playbookProblem(PlaybookCode.notFound, `playbook ${file} not found`, { file })
        : playbookProblem(PlaybookCode.unreadable, `cannot read playbook ${file}: ${messageOf(error)}`, { file });
    throw new InputFileError([problem]);
  }
  if (text.startsWith("$ANSIBLE_VAULT;")) {
    throw new InputFileError([playbookProblem(PlaybookCode.unsupported, "vault-encrypted playbooks are not supported", { file, line: 1, column: 1 }, "decrypt it with ansible-vault decrypt")]);
  }
  return text;
}

/** Says what the file looks like when it is not a list of plays. */
function notAListHint(source: YamlSource, root: Node, registry: ModuleRegistry): string | undefined {
  if (!isMap(root)) return undefined;
  const keys = (root as YAMLMap).items.map((pair) => String(scalarValue(source, pair.key as Node | null)));
  if (keys.includes("hosts") || keys.includes("tasks")) {
    return "this looks like a single play: make it a list of one play by starting it with `- ` (`- name: ...` / `  hosts: ...`)";
  }
  if (keys.some((key) => registry.has(key)) || keys.some((key) => isTaskKey(key) && !isPlayKey(key))) {
    return "this looks like a task: put it under a play's `tasks:` (`- hosts: all` / `  tasks:` / `    - name: ...`)";
  }
  return undefined;
}

/** Problems by file (the playbook first, then the others as they were read), then by position. */
function inFileOrder(problems: readonly FleetError[], playbook: string): FleetError[] {
  const files: string[] = [playbook];
  for (const problem of problems) {
    const file = problem.location?.file ?? "";
    if (!files.includes(file)) files.push(file);
  }
  const position = (problem: FleetError): [number, number, number] => [files.indexOf(problem.location?.file ?? ""), problem.location?.line ?? 0, problem.location?.column ?? 0];
  return [...problems].sort((a, b) => {
    const [fa, la, ca] = position(a);
    const [fb, lb, cb] = position(b);
    return fa - fb || la - lb || ca - cb;
  });
}
