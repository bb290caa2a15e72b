import { isMap, isScalar, isSeq, type Node } from "yaml";
import { closestNames } from "../inventory/closest.js";
import type { Vars } from "../inventory/types.js";
import { varName } from "../inventory/var-value.js";
import { followAlias, resolveAlias, type MapEntry } from "../inventory/yaml-document.js";
import { isPlayKey, PLAY_KEYS, TASK_KEYS, type PlayKey } from "./keys.js";
import { didYouMean, PlaybookCode } from "./problems.js";
import { readTask, type ReadTask, type TaskContext } from "./task.js";
import type { Play } from "./types.js";
import { readVarsFile } from "./vars-files.js";
import { describeNode, keyName, scalarValue, type YamlReader } from "./yaml-read.js";

/**
 * A play as read: its tasks and handlers still carry unresolved control references. A play with
 * problems is returned too; the problems are in the reader, and the loader throws them.
 */
export interface ReadPlay {
  play: Play;
  tasks: ReadTask[];
  handlers: ReadTask[];
}

/** One item of the playbook's list. */
export function readPlay(reader: YamlReader, context: TaskContext, node: Node | null): ReadPlay | undefined {
  const location = reader.locate(node);
  if (!isMap(node)) {
    reader.report(PlaybookCode.structure, `a play is a mapping (name, hosts, tasks, ...), not ${describeNode(reader.source, node)}`, location);
    return undefined;
  }
  const keyed = new Map<PlayKey, MapEntry>();
  const unknown: MapEntry[] = [];
  for (const entry of reader.entries(node)) {
    const key = keyName(entry);
    if (isPlayKey(key)) keyed.set(key, entry);
    else unknown.push(entry);
  }
  const looksLikeTask = !keyed.has("hosts") && !keyed.has("tasks") && unknown.some((entry) => context.registry.has(keyName(entry)));
  if (looksLikeTask) {
    reader.report(
      PlaybookCode.structure,
      "this play has no hosts and names a module: it looks like a task",
      location,
      "a playbook is a list of plays; put tasks under a play's `tasks:` (`- hosts: all` / `  tasks:` / `    - name: ...`)",
    );
  } else {
    for (const entry of unknown) reportUnknownKey(reader, context, entry);
  }

  const value = <T>(key: PlayKey, read: (entry: MapEntry) => T | undefined, fallback: T): T => {
    const entry = keyed.get(key);
    return entry === undefined ? fallback : (read(entry) ?? fallback);
  };

  const hosts = value("hosts", (entry) => readHosts(reader, entry), undefined as string | undefined);
  // `hots: all` is reported as a misspelt key; "no hosts" would only repeat it.
  const hostsMisspelt = unknown.some((entry) => closestNames(keyName(entry), ["hosts"]).length > 0);
  if (!keyed.has("hosts") && !looksLikeTask && !hostsMisspelt) {
    reader.report(PlaybookCode.missingKey, "this play has no hosts", location, "add `hosts:` with a host pattern, e.g. `hosts: all` or `hosts: lxd:&dc1`");
  }
  for (const item of value("controls", (entry) => reader.list(entry, "controls"), [])) context.catalog.define(item);
  const varsFiles: Play["varsFiles"] = [];
  for (const item of value("vars_files", (entry) => pathList(reader, entry), [])) {
    const file = readVarsFile(reader, context, item);
    if (file !== undefined) varsFiles.push(file);
  }
  const handlers = readTasks(reader, context, keyed.get("handlers"), "handler");
  const tasks = readTasks(reader, context, keyed.get("tasks"), "task");
  checkHandlers(reader, handlers, tasks);

  const play: Play = {
    name: value("name", (entry) => reader.string(entry, "name"), undefined as string | undefined) ?? hosts ?? "",
    hosts: hosts ?? "",
    become: value("become", (entry) => reader.bool(entry, "become"), undefined as boolean | undefined),
    becomeUser: value("become_user", (entry) => reader.string(entry, "become_user"), undefined as string | undefined),
    vars: value("vars", (entry) => readVars(reader, entry), {}),
    defaults: value("defaults", (entry) => readVars(reader, entry), {}),
    varsFiles,
    serial: value("serial", (entry) => readSerial(reader, entry), undefined as Play["serial"]),
    maxFailPercentage: value("max_fail_percentage", (entry) => readPercentage(reader, entry), undefined as number | undefined),
    anyErrorsFatal: value("any_errors_fatal", (entry) => reader.bool(entry, "any_errors_fatal"), false),
    secretVars: value("secret_vars", (entry) => readSecretVars(reader, entry), []),
    tasks: tasks.map((read) => read.task),
    handlers: handlers.map((read) => read.task),
    location,
  };
  return { play, tasks, handlers };
}

function reportUnknownKey(reader: YamlReader, context: TaskContext, entry: MapEntry): void {
  const key = keyName(entry);
  const taskKey = (TASK_KEYS as readonly string[]).includes(key) || context.registry.has(key);
  const hint = taskKey
    ? `\`${key}\` belongs to a task: write it on a task under \`tasks:\``
    : didYouMean(key, PLAY_KEYS, `a play takes: ${PLAY_KEYS.join(", ")}`);
  reader.report(PlaybookCode.unknownKey, `unknown play key \`${key}\``, entry.location, hint);
}

/** The items of `tasks:` or `handlers:` (those that are not even a mapping are left out). */
function readTasks(reader: YamlReader, context: TaskContext, entry: MapEntry | undefined, kind: "task" | "handler"): ReadTask[] {
  const items = entry === undefined ? [] : (reader.list(entry, kind === "task" ? "tasks" : "handlers") ?? []);
  return items.flatMap((item, index) => readTask(reader, context, item, index, kind) ?? []);
}

/** Handler names are unique, and notify names one of them. */
function checkHandlers(reader: YamlReader, handlers: readonly ReadTask[], tasks: readonly ReadTask[]): void {
  const names = new Set<string>();
  for (const handler of handlers) {
    if (names.has(handler.task.name)) {
      reader.report(PlaybookCode.handler, `two handlers are named ${JSON.stringify(handler.task.name)}`, handler.task.location, "give each handler its own name: notify picks a handler by name");
    }
    names.add(handler.task.name);
  }
  for (const task of tasks) {
    for (const notify of task.notify) {
      if (names.has(notify.name)) continue;
      const known = names.size === 0 ? "this play has no handlers" : `its handlers: ${[...names].join(", ")}`;
      reader.report(PlaybookCode.unknownHandler, `notify names no handler of this play: ${JSON.stringify(notify.name)}`, notify.location, didYouMean(notify.name, names, known));
    }
  }
}

/** A pattern, or a list of patterns (any of them). */
function readHosts(reader: YamlReader, entry: MapEntry): string | undefined {
  if (isSeq(entry.value)) {
    const names = reader.names(entry, "hosts", false);
    return names === undefined || names.length === 0 ? undefined : names.map((item) => item.name).join(",");
  }
  const hosts = reader.string(entry, "hosts");
  if (hosts === undefined) return undefined;
  if (hosts.trim() === "") {
    reader.report(PlaybookCode.value, "hosts is empty", reader.at(entry), "give a host pattern, e.g. `hosts: all`");
    return undefined;
  }
  return hosts;
}

function readVars(reader: YamlReader, entry: MapEntry): Vars | undefined {
  if (entry.value === null) return {};
  if (!isMap(entry.value)) {
    reader.report(PlaybookCode.value, `vars must be a mapping of variable names to values, not ${describeNode(reader.source, entry.value)}`, reader.at(entry));
    return undefined;
  }
  const vars: Vars = {};
  let ok = true;
  for (const item of reader.entries(entry.value)) {
    const value = reader.data(item.value);
    if (value === undefined) ok = false;
    else vars[varName(item.key)] = value;
  }
  return ok ? vars : undefined;
}

/** `vars_files:` as a list of paths (a single path is a list of one). */
function pathList(reader: YamlReader, entry: MapEntry): Array<Node | null> | undefined {
  if (isScalar(entry.value)) return [entry.value];
  return reader.list(entry, "vars_files");
}

const variableName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `secret_vars:` as a list of variable names (one name is a list of one); every bad item is reported. */
function readSecretVars(reader: YamlReader, entry: MapEntry): string[] | undefined {
  if (entry.value === null) return [];
  // followAlias: an empty item stays a node, whose line the problem is reported at
  const items = isSeq(entry.value) ? entry.value.items.map((item) => followAlias(reader.source, item as Node | null)) : [entry.value];
  const names: string[] = [];
  let ok = true;
  for (const item of items) {
    const value = scalarValue(reader.source, item);
    const name = typeof value === "string" ? value.trim() : undefined;
    if (name !== undefined && variableName.test(name) && name !== "facts") {
      names.push(name);
      continue;
    }
    ok = false;
    const why = name === undefined ? `not ${describeNode(reader.source, item)}` : name === "facts" ? "facts come from the hosts and cannot be marked secret" : `${JSON.stringify(name)} is not a variable name`;
    reader.report(PlaybookCode.secretVars, `secret_vars takes variable names: ${why}`, reader.locate(item));
  }
  return ok ? [...new Set(names)] : undefined;
}

function readSerial(reader: YamlReader, entry: MapEntry): Play["serial"] | undefined {
  const value = scalarValue(reader.source, resolveAlias(reader.source, entry.value));
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return { count: value };
  if (typeof value === "string") {
    const text = value.trim();
    const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text)?.[1];
    if (percent !== undefined && Number(percent) > 0 && Number(percent) <= 100) return { percent: Number(percent) };
    if (/^\d+$/.test(text) && Number(text) > 0) return { count: Number(text) };
  }
  reader.report(PlaybookCode.serial, `serial must be a positive number of hosts or a percentage from 1% to 100%, not ${describeNode(reader.source, entry.value)}`, reader.at(entry));
  return undefined;
}

function readPercentage(reader: YamlReader, entry: MapEntry): number | undefined {
  let value = scalarValue(reader.source, entry.value);
  if (typeof value === "string" && /^\d+(?:\.\d+)?\s*%?$/.test(value.trim())) value = Number(value.trim().replace(/\s*%$/, ""));
  if (typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= 100) return value;
  reader.report(PlaybookCode.maxFailPercentage, `max_fail_percentage must be a number from 0 to 100, not ${describeNode(reader.source, entry.value)}`, reader.at(entry));
  return undefined;
}
