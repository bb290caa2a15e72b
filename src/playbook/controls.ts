import { isMap, type Node } from "yaml";
import { formatLocation, type SourceLocation } from "../errors.js";
import type { MapEntry } from "../inventory/yaml-document.js";
import { CONTROL_KEYS, isControlKey } from "./keys.js";
import { didYouMean, PlaybookCode } from "./problems.js";
import type { Control, ControlFix, Severity } from "./types.js";
import { describeNode, keyName, scalarValue, type YamlReader } from "./yaml-read.js";

/** A control as written: what is not given is filled in where a task uses it. */
export interface ControlDefinition {
  id: string;
  title?: string;
  severity?: Severity;
  scope?: Control["scope"];
  section?: string;
  rationale?: string;
  remediation?: string;
  fix?: ControlFix;
  fix_var?: string;
  location: SourceLocation;
}

/** A task's `control:`: an id, with the definition when the task wrote a mapping. */
export interface ControlReference {
  id: string;
  location: SourceLocation;
}

const severities: readonly Severity[] = ["low", "medium", "high", "critical"];
const scopes: ReadonlyArray<Control["scope"]> = ["host", "cluster", "instance"];
const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const fixes: readonly ControlFix[] = ["auto", "opt-in", "audit", "manual"];
const metadataKeys = ["title", "severity", "scope", "section", "rationale", "remediation", "fix", "fix_var"] as const;

/**
 * Every control of a playbook by id: those listed under a play's `controls:` and those a task
 * writes in full. A task that names an id takes the definition from anywhere in the playbook; an
 * id defined nowhere is titled by itself, severity medium, with the task's scope.
 */
export class ControlCatalog {
  private readonly definitions = new Map<string, ControlDefinition>();

  constructor(private readonly reader: YamlReader) {}

  /** A `controls:` item or a task's `control:` mapping. */
  define(node: Node | null): ControlDefinition | undefined {
    const definition = readDefinition(this.reader, node);
    if (definition === undefined) return undefined;
    const earlier = this.definitions.get(definition.id);
    if (earlier === undefined) {
      this.definitions.set(definition.id, definition);
      return definition;
    }
    const conflict = metadataKeys.find((key) => earlier[key] !== undefined && definition[key] !== undefined && earlier[key] !== definition[key]);
    if (conflict !== undefined) {
      this.reader.report(
        PlaybookCode.control,
        `control ${definition.id} is defined twice with a different ${conflict} (first at ${formatLocation(earlier.location)})`,
        definition.location,
        "define each control once (under the play's controls:) and refer to it by id from tasks",
      );
      return definition;
    }
    // Two definitions that agree complete each other.
    for (const key of metadataKeys) if (earlier[key] === undefined && definition[key] !== undefined) Object.assign(earlier, { [key]: definition[key] });
    return definition;
  }

  /** A task's `control:` value: an id, or a mapping (which also defines the control). */
  reference(entry: MapEntry): ControlReference | undefined {
    const node = entry.value;
    if (isMap(node)) {
      const definition = this.define(node);
      return definition === undefined ? undefined : { id: definition.id, location: definition.location };
    }
    const id = scalarValue(this.reader.source, node);
    const location = this.reader.at(entry);
    if (typeof id !== "string" || !idPattern.test(id)) {
      this.reader.report(PlaybookCode.control, `control must be an id such as LXD-MU-03 or a mapping, not ${describeNode(this.reader.source, node)}`, location);
      return undefined;
    }
    return { id, location };
  }

  resolve(reference: ControlReference, taskScope: Control["scope"]): Control {
    const definition = this.definitions.get(reference.id);
    const control: Control = {
      id: reference.id,
      title: definition?.title ?? reference.id,
      severity: definition?.severity ?? "medium",
      scope: definition?.scope ?? taskScope,
    };
    if (definition?.section !== undefined) control.section = definition.section;
    if (definition?.rationale !== undefined) control.rationale = definition.rationale;
    if (definition?.remediation !== undefined) control.remediation = definition.remediation;
    if (definition?.fix !== undefined) control.fix = definition.fix;
    if (definition?.fix_var !== undefined) control.fixVar = definition.fix_var;
    return control;
  }
}

function readDefinition(reader: YamlReader, node: Node | null): ControlDefinition | undefined {
  const location = reader.locate(node);
  if (!isMap(node)) {
    reader.report(PlaybookCode.control, `a control definition is a mapping with at least an id, not ${describeNode(reader.source, node)}`, location);
    return undefined;
  }
  let id: string | undefined;
  let ok = true;
  const fields: Omit<ControlDefinition, "id" | "location"> = {};
  for (const entry of reader.entries(node)) {
    const key = keyName(entry);
    if (!isControlKey(key)) {
      reader.report(PlaybookCode.unknownKey, `unknown control key \`${key}\``, entry.location, didYouMean(key, CONTROL_KEYS, `a control takes: ${CONTROL_KEYS.join(", ")}`));
      ok = false;
      continue;
    }
    if (key === "severity" || key === "scope" || key === "fix") {
      const allowed: readonly string[] = key === "severity" ? severities : key === "scope" ? scopes : fixes;
      const value = scalarValue(reader.source, entry.value);
      if (typeof value === "string" && allowed.includes(value)) {
        if (key === "severity") fields.severity = value as Severity;
        else if (key === "scope") fields.scope = value as Control["scope"];
        else fields.fix = value as ControlFix;
      } else {
        reader.report(PlaybookCode.control, `control ${key} must be one of ${allowed.join(", ")}, not ${describeNode(reader.source, entry.value)}`, reader.at(entry));
        ok = false;
      }
      continue;
    }
    const text = reader.string(entry, `control ${key}`);
    if (text === undefined) {
      ok = false;
      continue;
    }
    if (key === "id") {
      if (idPattern.test(text)) id = text;
      else {
        reader.report(PlaybookCode.control, `control id ${JSON.stringify(text)} is not an id: letters, digits, ".", "_", ":" and "-"`, reader.at(entry));
        ok = false;
      }
    } else fields[key] = text;
  }
  if (id === undefined) {
    if (ok) reader.report(PlaybookCode.missingKey, "this control has no id", location, "give the control an id, e.g. `id: LXD-MU-03`");
    return undefined;
  }
  return ok ? { id, ...fields, location } : undefined;
}

