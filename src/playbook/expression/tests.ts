import type { CallContext } from "./call-context.js";
import { Missing } from "./missing.js";
import { isMapping, mappingGet, truthy, typeName } from "./values.js";

/** The tests `x is [not] name`. Names are checked when the expression is parsed. */
export interface TestDefinition {
  /** The value may be undefined (a Missing): only `defined` and `undefined` look at it. */
  acceptsUndefined: boolean;
  apply(value: unknown, context: CallContext): boolean;
}

const strict = (apply: (value: unknown, context: CallContext) => boolean): TestDefinition => ({ acceptsUndefined: false, apply });

/** Ansible's result tests read a field of a registered result; a missing field counts as false. */
function resultField(test: string, field: string) {
  return (value: unknown, context: CallContext): boolean => {
    if (!isMapping(value)) {
      return context.fail(`the \`${test}\` test needs a registered result (a mapping), got ${typeName(value)}`, "apply it to the variable named in `register:`, e.g. `result is " + test + "`");
    }
    return truthy(mappingGet(value, field));
  };
}

const succeeded = strict((value, context) => !resultField("succeeded", "failed")(value, context));

export const TESTS: ReadonlyMap<string, TestDefinition> = new Map<string, TestDefinition>([
  ["defined", { acceptsUndefined: true, apply: (value) => !(value instanceof Missing) }],
  ["undefined", { acceptsUndefined: true, apply: (value) => value instanceof Missing }],
  ["none", strict((value) => value === null)],
  ["true", strict((value) => value === true)],
  ["false", strict((value) => value === false)],
  ["changed", strict(resultField("changed", "changed"))],
  ["failed", strict(resultField("failed", "failed"))],
  ["skipped", strict(resultField("skipped", "skipped"))],
  ["succeeded", succeeded],
  ["success", succeeded],
  ["string", strict((value) => typeof value === "string")],
  ["number", strict((value) => typeof value === "number")],
  ["mapping", strict(isMapping)],
  // Jinja2's sequence: anything with a length and items, so strings and mappings too.
  ["sequence", strict((value) => typeof value === "string" || Array.isArray(value) || isMapping(value))],
]);

export const TEST_NAMES: readonly string[] = [...TESTS.keys()];
