/**
 * Kubernetes objects checked against the Kubernetes API schema, offline, with the npm package
 * kubernetes-models (its 4.5.x line is generated from the OpenAPI spec of Kubernetes v1.33.0; 5.x
 * needs Node 22).
 *
 * Two checks:
 * - `validate()` of the kind's model: the package's JSON-schema validator compiled from the
 *   OpenAPI spec (types, required fields, enums, formats);
 * - unknown fields: the OpenAPI spec does not forbid extra properties, so the validator lets a
 *   misspelt field (`backoffLimitPerIdex`) through, while `kubectl apply` refuses it (server-side
 *   strict field validation, the default since Kubernetes 1.27). This walks the object along the
 *   model's generated TypeScript declarations (one interface per schema, one property per field)
 *   and reports every field the schema does not have.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const MODELS_DIR = path.dirname(require.resolve("kubernetes-models/package.json"));
const APIMACHINERY_DIR = path.dirname(createRequire(path.join(MODELS_DIR, "package.json")).resolve("@kubernetes-models/apimachinery"));
const APIMACHINERY_PREFIX = "@kubernetes-models/apimachinery/";

export const KUBERNETES_MODELS_VERSION: string = readVersion(path.join(MODELS_DIR, "package.json"));

function readVersion(file: string): string {
  const data: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (typeof data === "object" && data !== null && "version" in data && typeof data.version === "string") return data.version;
  throw new Error(`no version in ${file}`);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The module of kubernetes-models for an apiVersion and kind: `v1/ConfigMap`, `batch/v1/Job`. */
export function modelPath(apiVersion: string, kind: string): string {
  if (!/^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) throw new Error(`not an apiVersion/kind: ${apiVersion} ${kind}`);
  return `${apiVersion}/${kind}`;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

function isModelClass(value: unknown): value is ModelClass {
  if (typeof value !== "function") return false;
  const prototype: unknown = (value as { prototype?: unknown }).prototype;
  return isRecord(prototype) && typeof prototype["validate"] === "function";
}

/** The problems of one Kubernetes object: schema violations, then unknown fields. Empty when valid. */
export async function kubernetesProblems(object: unknown): Promise<string[]> {
  if (!isRecord(object) || typeof object["apiVersion"] !== "string" || typeof object["kind"] !== "string") return ["not a Kubernetes object (apiVersion and kind are required)"];
  const sub = modelPath(object["apiVersion"], object["kind"]);
  const declarations = path.join(MODELS_DIR, `${sub}.d.ts`);
  if (!existsSync(declarations)) return [`${object["apiVersion"]} ${object["kind"]} is not a kind of the Kubernetes API (kubernetes-models ${KUBERNETES_MODELS_VERSION})`];
  const specifier = `kubernetes-models/${sub}`;
  const module: unknown = await import(/* @vite-ignore */ specifier);
  const model: unknown = isRecord(module) ? module[object["kind"]] : undefined;
  if (!isModelClass(model)) throw new Error(`kubernetes-models/${sub} has no model class ${object["kind"]}`);
  const problems: string[] = [];
  try {
    new model(object).validate();
  } catch (error) {
    problems.push(`schema: ${error instanceof Error ? error.message : String(error)}`);
  }
  walk(object, { type: "ref", file: declarations }, "", problems);
  return problems;
}

/** A field's type, as far as the check needs it. */
type FieldType = { type: "leaf" } | { type: "array"; item: FieldType } | { type: "map"; value: FieldType } | { type: "ref"; file: string };

interface Interface {
  fields: Map<string, FieldType>;
}

const interfaces = new Map<string, Interface | "leaf">();

/** The interface declared in a generated .d.ts file, or "leaf" for a type alias (Quantity, Time, IntOrString). */
function readInterface(file: string): Interface | "leaf" {
  const cached = interfaces.get(file);
  if (cached !== undefined) return cached;
  const text = readFileSync(file, "utf8");
  const imports = new Map<string, string>();
  for (const match of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) {
    const [, name, spec] = match;
    if (name !== undefined && spec !== undefined) imports.set(name, spec);
  }
  const lines = text.split("\n");
  const start = lines.findIndex((line) => /^export interface I\w+( extends [\w, ]+)? \{$/.test(line));
  if (start < 0) {
    if (!/^export declare type /m.test(text)) throw new Error(`${file}: neither an interface nor a type alias`);
    interfaces.set(file, "leaf");
    return "leaf";
  }
  const fields = new Map<string, FieldType>();
  for (let index = start + 1; index < lines.length && lines[index] !== "}"; index++) {
    const match = /^ {4}"([^"]+)"\??: (.*)$/.exec(lines[index] ?? "");
    if (!match) continue;
    const [, name = "", rest = ""] = match;
    let typeText = rest;
    if (typeText === "{") {
      // a map: {\n [key: string]: TYPE;\n };
      const inner = /^ {8}\[key: string\]: (.*);$/.exec(lines[index + 1] ?? "");
      if (!inner?.[1]) throw new Error(`${file}: cannot read the map type of ${name}`);
      fields.set(name, { type: "map", value: typeOf(inner[1], file, imports) });
      continue;
    }
    typeText = typeText.replace(/;$/, "");
    fields.set(name, typeOf(typeText, file, imports));
  }
  const result = { fields };
  interfaces.set(file, result);
  return result;
}

function typeOf(text: string, file: string, imports: ReadonlyMap<string, string>): FieldType {
  const array = /^Array<(.*)>$/.exec(text);
  if (array?.[1] !== undefined) return { type: "array", item: typeOf(array[1], file, imports) };
  if (/^IIoK8s\w+$/.test(text)) {
    const spec = imports.get(text);
    if (spec === undefined) throw new Error(`${file}: ${text} is not imported`);
    return { type: "ref", file: declarationFile(spec, file) };
  }
  return { type: "leaf" }; // string, number, boolean, literal unions, IPod["kind"]
}

function declarationFile(spec: string, from: string): string {
  const base = spec.startsWith(".") ? path.resolve(path.dirname(from), spec) : spec.startsWith(APIMACHINERY_PREFIX) ? path.join(APIMACHINERY_DIR, spec.slice(APIMACHINERY_PREFIX.length)) : undefined;
  if (base === undefined) throw new Error(`${from}: cannot resolve ${spec}`);
  for (const candidate of [`${base}.d.ts`, path.join(base, "index.d.ts")]) if (existsSync(candidate)) return candidate;
  throw new Error(`${from}: no declarations for ${spec}`);
}

function walk(value: unknown, type: FieldType, at: string, problems: string[]): void {
  switch (type.type) {
    case "leaf":
      return;
    case "array":
      if (Array.isArray(value)) value.forEach((item: unknown, index) => walk(item, type.item, `${at}[${index}]`, problems));
      return;
    case "map":
      if (isRecord(value)) for (const [key, item] of Object.entries(value)) walk(item, type.value, `${at}.${key}`, problems);
      return;
    case "ref": {
      const shape = readInterface(type.file);
      if (shape === "leaf" || !isRecord(value)) return; // a wrong type is the schema validator's to report
      for (const [key, item] of Object.entries(value)) {
        const field = shape.fields.get(key);
        const where = at === "" ? key : `${at}.${key}`;
        if (field === undefined) problems.push(`unknown field ${where} (${path.basename(type.file, ".d.ts")} has ${[...shape.fields.keys()].join(", ")})`);
        else walk(item, field, where, problems);
      }
    }
  }
}
