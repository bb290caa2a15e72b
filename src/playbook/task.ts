import { isMap, type Node } from "yaml";
import type { SourceLocation } from "../errors.js";
import type { MapEntry } from "../inventory/yaml-document.js";
import type { ModuleRegistry } from "../modules/registry.js";
import { readConditions, readResultCondition } from "./conditions.js";
import type { ControlCatalog, ControlReference } from "./controls.js";
import { isTaskKey, PLAY_KEYS, TASK_KEYS, type TaskKey } from "./keys.js";
import { readModuleCall, type ModuleCallContext } from "./module-args.js";
import { didYouMean, PlaybookCode } from "./problems.js";
import type { Task } from "./types.js";
import { describeNode, keyName, scalarValue, type YamlReader } from "./yaml-read.js";

export interface TaskContext extends ModuleCallContext {
  registry: ModuleRegistry;
  catalog: ControlCatalog;
}

/**
 * A task as read, before the play checks its notify names and the playbook resolves its control.
 * A task with problems is returned too (so that its notify names are checked as well); the
 * problems are in the reader, and the loader throws them.
 */
export interface ReadTask {
  task: Task;
  control: ControlReference | undefined;
  notify: Array<{ name: string; location: SourceLocation }>;
}

/** Names `register:` cannot take: words of the expression language, and `facts`. */
const reservedNames = new Set(["and", "or", "not", "in", "is", "true", "false", "True", "False", "none", "None", "null", "facts"]);
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One item of `tasks:` or `handlers:`. */
export function readTask(reader: YamlReader, context: TaskContext, node: Node | null, index: number, kind: "task" | "handler"): ReadTask | undefined {
  const location = reader.locate(node);
  if (!isMap(node)) {
    reader.report(PlaybookCode.structure, `a ${kind} is a mapping (name, a module and its arguments, ...), not ${describeNode(reader.source, node)}`, location);
    return undefined;
  }
  const entries = reader.entries(node);
  const keyed = new Map<TaskKey, MapEntry>();
  const modules: MapEntry[] = [];
  let unknownKeys = 0;
  for (const entry of entries) {
    const key = keyName(entry);
    if (isTaskKey(key)) keyed.set(key, entry);
    else if (context.registry.has(key)) modules.push(entry);
    else {
      unknownKeys++;
      reportUnknownKey(reader, context, entry, key, kind);
    }
  }

  const [moduleEntry, second] = modules;
  if (moduleEntry !== undefined && second !== undefined) {
    reader.report(PlaybookCode.twoModules, `this ${kind} names two modules, \`${keyName(moduleEntry)}\` and \`${keyName(second)}\``, second.location);
  }
  if (moduleEntry === undefined && unknownKeys === 0) {
    const known = [...context.registry.keys()].sort().join(", ");
    reader.report(PlaybookCode.noModule, `this ${kind} names no module`, location, `give it one module key with its arguments; modules: ${known}`);
  }
  const module = moduleEntry === undefined ? undefined : context.registry.get(keyName(moduleEntry));
  const call = module === undefined || moduleEntry === undefined ? undefined : readModuleCall(reader, context, module, moduleEntry);

  const value = <T>(key: TaskKey, read: (entry: MapEntry) => T | undefined, fallback: T): T => {
    const entry = keyed.get(key);
    return entry === undefined ? fallback : (read(entry) ?? fallback);
  };

  const name = value("name", (entry) => reader.string(entry, "name"), undefined as string | undefined);
  if (kind === "handler" && !keyed.has("name")) {
    reader.report(PlaybookCode.handler, "this handler has no name", location, "give every handler a name: notify refers to handlers by name");
  }
  const scope = value("scope", (entry) => oneOf(reader, entry, "scope", ["host", "cluster"] as const), "host" as const);
  const notify = value("notify", (entry) => reader.names(entry, "notify", false), []);
  if (kind === "handler" && notify.length > 0) {
    reader.report(PlaybookCode.handler, "a handler cannot notify other handlers", keyed.get("notify")?.location ?? location);
  }
  const controlEntry = keyed.get("control");
  const control = controlEntry === undefined ? undefined : context.catalog.reference(controlEntry);

  const task: Task = {
    index,
    name: name ?? (moduleEntry === undefined ? "" : keyName(moduleEntry)),
    module: module?.name ?? "",
    args: call?.args ?? {},
    control: null,
    tags: value("tags", (entry) => reader.names(entry, "tags", true), []).map((tag) => tag.name),
    when: value("when", (entry) => readConditions(reader, entry), []),
    notify: notify.map((item) => item.name),
    become: value("become", (entry) => reader.bool(entry, "become"), undefined as boolean | undefined),
    becomeUser: value("become_user", (entry) => reader.string(entry, "become_user"), undefined as string | undefined),
    scope,
    runOnce: value("run_once", (entry) => reader.bool(entry, "run_once"), false),
    checkMode: value("check_mode", (entry) => reader.bool(entry, "check_mode"), undefined as boolean | undefined),
    changedWhen: value("changed_when", (entry) => readResultCondition(reader, entry), undefined as Task["changedWhen"]),
    failedWhen: value("failed_when", (entry) => readResultCondition(reader, entry), undefined as Task["failedWhen"]),
    ignoreErrors: value("ignore_errors", (entry) => reader.bool(entry, "ignore_errors"), false),
    register: value("register", (entry) => readRegister(reader, entry), undefined as string | undefined),
    timeoutSeconds: value("timeout", (entry) => readTimeout(reader, entry), undefined as number | undefined),
    noLog: value("no_log", (entry) => reader.bool(entry, "no_log"), false),
    location,
    argLocations: call?.argLocations ?? {},
  };
  return { task, control, notify };
}

function reportUnknownKey(reader: YamlReader, context: TaskContext, entry: MapEntry, key: string, kind: string): void {
  const modules = [...context.registry.keys()];
  const closeModule = didYouMean(key, modules, "");
  if (closeModule !== "") {
    reader.report(PlaybookCode.unknownModule, `unknown module \`${key}\``, entry.location, closeModule);
    return;
  }
  const closeKey = didYouMean(key, TASK_KEYS, "");
  if (closeKey !== "") {
    reader.report(PlaybookCode.unknownKey, `unknown ${kind} key \`${key}\``, entry.location, closeKey);
    return;
  }
  const playKey = (PLAY_KEYS as readonly string[]).includes(key);
  reader.report(
    PlaybookCode.unknownModule,
    `unknown module or ${kind} key \`${key}\``,
    entry.location,
    playKey ? `\`${key}\` is a play key: write it on the play, not on a ${kind}` : `modules: ${modules.sort().join(", ")}; ${kind} keys: ${TASK_KEYS.join(", ")}`,
  );
}

function oneOf<const T extends string>(reader: YamlReader, entry: MapEntry, what: string, allowed: readonly T[]): T | undefined {
  const value = scalarValue(reader.source, entry.value);
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  reader.report(PlaybookCode.value, `${what} must be ${allowed.join(" or ")}, not ${describeNode(reader.source, entry.value)}`, reader.at(entry));
  return undefined;
}

function readRegister(reader: YamlReader, entry: MapEntry): string | undefined {
  const value = scalarValue(reader.source, entry.value);
  if (typeof value === "string" && identifier.test(value) && !reservedNames.has(value)) return value;
  const why = typeof value !== "string" ? `not ${describeNode(reader.source, entry.value)}` : reservedNames.has(value) ? `${value} is a reserved word` : `${JSON.stringify(value)} is not a variable name`;
  reader.report(PlaybookCode.register, `register takes a variable name: ${why}`, reader.at(entry));
  return undefined;
}

function readTimeout(reader: YamlReader, entry: MapEntry): number | undefined {
  const value = scalarValue(reader.source, entry.value);
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return value;
  reader.report(PlaybookCode.value, `timeout must be a number of seconds greater than 0, not ${describeNode(reader.source, entry.value)}`, reader.at(entry));
  return undefined;
}
