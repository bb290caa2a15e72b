import { isAbsolute, join } from "node:path";
import { isMap, isScalar, isSeq, type Node } from "yaml";
import type { SourceLocation } from "../errors.js";
import { resolveAlias, type MapEntry } from "../inventory/yaml-document.js";
import type { Module } from "../modules/types.js";
import { entryKind } from "../inventory/fs-util.js";
import { didYouMean, PlaybookCode } from "./problems.js";
import { argumentNames, issueText } from "./module-schema.js";
import { TemplateError, templateFileSyntaxProblem, templateSyntaxProblem } from "./template.js";
import { describeNode, keyName, scalarValue, type YamlReader } from "./yaml-read.js";

export interface ModuleCall {
  args: Record<string, unknown>;
  argLocations: Record<string, SourceLocation>;
}

export interface ModuleCallContext {
  /** The playbook's directory (templates/ is under it) and the same as the user named it, for messages. */
  baseDir: string;
  shownDir: string;
}

/**
 * A task's module key and value → its raw arguments, checked against the module: unknown argument
 * names (with the closest known one), template syntax, and — when no argument holds a template
 * yet to be rendered per host — the module's own schema. The template module's `src` must exist
 * under templates/.
 */
export function readModuleCall(reader: YamlReader, context: ModuleCallContext, module: Module<unknown>, entry: MapEntry): ModuleCall | undefined {
  const call = rawArguments(reader, module, entry);
  if (call === undefined) return undefined;
  const { args, argLocations } = call;
  const names = argumentNames(module.args);
  if (names !== undefined) {
    for (const key of Object.keys(args)) {
      if (names.includes(key)) continue;
      reader.report(
        PlaybookCode.unknownArgument,
        `unknown argument \`${key}\` of module \`${module.name}\``,
        call.keyLocations[key] ?? entry.location,
        didYouMean(key, names, `${module.name} takes: ${names.join(", ")}`),
      );
    }
  }
  let templated = false;
  for (const [key, value] of Object.entries(args)) {
    forEachString(value, (text) => {
      if (!text.includes("{{")) return;
      templated = true;
      const problem = templateSyntaxProblem(text, argLocations[key] ?? entry.location, `${module.name}.${key}`);
      if (problem !== undefined) reader.problems.push(problem);
    });
  }
  if (!templated) validate(reader, module, entry, call, names);
  if (module.name === "template") checkTemplateSource(reader, context, args, argLocations["src"] ?? entry.location);
  return { args, argLocations };
}

interface RawCall extends ModuleCall {
  keyLocations: Record<string, SourceLocation>;
  valueNodes: Record<string, Node | null>;
}

function rawArguments(reader: YamlReader, module: Module<unknown>, entry: MapEntry): RawCall | undefined {
  const call: RawCall = { args: {}, argLocations: {}, keyLocations: {}, valueNodes: {} };
  const node = entry.value;
  if (node === null) return call;
  if (isMap(node)) {
    for (const argument of reader.entries(node)) {
      const key = keyName(argument);
      const value = octalAsWritten(argument.value, reader.data(argument.value));
      if (value === undefined) continue;
      call.args[key] = value;
      call.argLocations[key] = reader.at(argument);
      call.keyLocations[key] = argument.location;
      call.valueNodes[key] = argument.value;
    }
    return call;
  }
  const value = scalarValue(reader.source, node);
  if (module.freeForm !== undefined && typeof value === "string") {
    call.args[module.freeForm] = value;
    call.argLocations[module.freeForm] = reader.locate(node);
    call.keyLocations[module.freeForm] = reader.locate(node);
    call.valueNodes[module.freeForm] = node;
    return call;
  }
  const takes = module.freeForm === undefined ? "a mapping of arguments" : `a mapping of arguments or a string (its ${module.freeForm})`;
  reader.report(PlaybookCode.moduleArgs, `module \`${module.name}\` takes ${takes}, not ${describeNode(reader.source, node)}`, reader.at(entry));
  return undefined;
}

function validate(reader: YamlReader, module: Module<unknown>, entry: MapEntry, call: RawCall, names: readonly string[] | undefined): void {
  const result = module.args.safeParse(call.args);
  if (result.success) return;
  const unknownReported = names !== undefined;
  const hint = names === undefined ? undefined : `${module.name} takes: ${names.join(", ")}`;
  for (const issue of result.error.issues) {
    if (unknownReported && issue.code === "unrecognized_keys") continue;
    const path = issue.path.map(String);
    const [first, ...rest] = path;
    const location = first === undefined ? entry.location : nodeLocation(reader, call, first, rest) ?? entry.location;
    const where = path.length === 0 ? module.name : `${module.name}.${path.join(".")}`;
    reader.report(PlaybookCode.invalidArgument, `${where}: ${issueText(issue)}`, location, hint);
  }
}

/** Where the value at an argument's path was written: as deep as the YAML goes. */
function nodeLocation(reader: YamlReader, call: RawCall, key: string, rest: readonly string[]): SourceLocation | undefined {
  if (!(key in call.valueNodes)) return call.keyLocations[key];
  let node = call.valueNodes[key] ?? null;
  let location = call.argLocations[key];
  for (const part of rest) {
    node = childNode(reader, node, part);
    if (node === null) break;
    location = reader.locate(node);
  }
  return location;
}

function childNode(reader: YamlReader, node: Node | null, part: string): Node | null {
  if (isSeq(node)) return resolveAlias(reader.source, node.items[Number(part)] as Node | null | undefined);
  if (isMap(node)) {
    const entry = node.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === part);
    return resolveAlias(reader.source, (entry?.value ?? null) as Node | null);
  }
  return null;
}

function checkTemplateSource(reader: YamlReader, context: ModuleCallContext, args: Record<string, unknown>, location: SourceLocation): void {
  const src = args["src"];
  if (typeof src !== "string" || src === "" || src.includes("{{")) return;
  const path = isAbsolute(src) ? src : join(context.baseDir, "templates", src);
  const shown = isAbsolute(src) ? src : join(context.shownDir, "templates", src);
  if (entryKind(path) !== "file") {
    reader.report(PlaybookCode.templateMissing, `template ${src} not found: there is no file ${shown}`, location);
    return;
  }
  try {
    const problem = templateFileSyntaxProblem(path, shown);
    if (problem !== undefined) reader.problems.push(problem);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    reader.problems.push(error);
  }
}

function forEachString(value: unknown, visit: (text: string) => void): void {
  if (typeof value === "string") visit(value);
  else if (Array.isArray(value)) for (const item of value) forEachString(item, visit);
  else if (typeof value === "object" && value !== null) for (const item of Object.values(value)) forEachString(item, visit);
}

/**
 * `mode: 0644` is an octal number in YAML 1.1 (420); keep what was written, "0644", so a module
 * reads the mode the operator meant instead of guessing from 420.
 */
function octalAsWritten(node: Node | null, value: unknown): unknown {
  if (typeof value === "number" && isScalar(node) && typeof node.source === "string" && /^0[0-7]+$/.test(node.source)) return node.source;
  return value;
}
