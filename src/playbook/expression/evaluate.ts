import type { CompareOperator, ExprNode, Expression } from "./ast.js";
import type { CallContext } from "./call-context.js";
import { evaluationError, type ExpressionError } from "./errors.js";
import { FILTERS } from "./filters.js";
import { Missing } from "./missing.js";
import { objectPath, pathOf, startsAtVariable } from "./path.js";
import type { ExpressionScope } from "./scope.js";
import { TESTS } from "./tests.js";
import { closestNames } from "../../inventory/closest.js";
import { asMappingKey, compareStrings, deepEqual, isMapping, mappingGet, mappingKeys, pythonRepr, truthy, typeName } from "./values.js";

/**
 * Evaluate a parsed expression by walking its tree: no code is generated or run. Throws an
 * ExpressionError (code EXPRESSION_EVAL) for an undefined variable outside `is defined`,
 * `is undefined` and `default()`, and for operations on values of the wrong type. Whatever the
 * scope's lookup throws propagates unchanged: nothing here catches.
 */
export function evaluate(expression: Expression, scope: ExpressionScope): unknown {
  return new Evaluator(expression.source, scope).value(expression.ast);
}

/** Evaluate and apply Python truthiness: false, none, 0, "", [] and {} are false. */
export function evaluateCondition(expression: Expression, scope: ExpressionScope): boolean {
  return truthy(evaluate(expression, scope));
}

type Member = { found: true; value: unknown } | { found: false; reason: () => string };

class Evaluator {
  constructor(
    private readonly source: string,
    private readonly scope: ExpressionScope,
  ) {}

  /** The node's value; an undefined value is an error. */
  value(node: ExprNode): unknown {
    const result = this.maybe(node);
    if (result instanceof Missing) throw this.undefinedError(result);
    return result;
  }

  /** The node's value, or a Missing when it is undefined. */
  private maybe(node: ExprNode): unknown {
    switch (node.type) {
      case "literal":
        return node.value;
      case "list":
        return node.items.map((item) => this.value(item));
      case "name": {
        const value = this.scope.lookup(node.name);
        return value === undefined ? new Missing(node.name, `\`${node.name}\` is not defined`, node.column, true, true) : value;
      }
      case "attribute":
      case "index": {
        const object = this.maybe(node.object);
        const key = node.type === "attribute" ? node.name : this.value(node.index);
        if (object instanceof Missing) return object.extend(pathOf(node));
        const member = this.member(object, key, node.object, node.type === "attribute");
        return member.found ? member.value : new Missing(pathOf(node), member.reason, node.column, startsAtVariable(node));
      }
      case "negate": {
        const operand = this.value(node.operand);
        if (typeof operand === "number") return -operand;
        throw this.error(node.column, `cannot negate a ${typeName(operand)}`, "unary minus works on numbers only; convert text with `| int` or `| float`");
      }
      case "not":
        return !truthy(this.value(node.operand));
      case "logical":
        if (node.operator === "and") return node.operands.every((operand) => truthy(this.value(operand)));
        return node.operands.some((operand) => truthy(this.value(operand)));
      case "compare": {
        let left = this.value(node.first);
        for (const link of node.rest) {
          const right = this.value(link.operand);
          if (!this.compare(link.operator, left, right, link.column)) return false;
          left = right;
        }
        return true;
      }
      case "test": {
        const test = TESTS.get(node.name);
        if (test === undefined) throw this.error(node.column, `unknown test \`${node.name}\``, "build expressions with parseExpression");
        const operand = test.acceptsUndefined ? this.maybe(node.operand) : this.value(node.operand);
        const result = test.apply(operand, this.context(node));
        return node.negated ? !result : result;
      }
      case "filter": {
        const filter = FILTERS.get(node.name);
        if (filter === undefined) throw this.error(node.column, `unknown filter \`${node.name}\``, "build expressions with parseExpression");
        const input = filter.acceptsUndefined ? this.maybe(node.operand) : this.value(node.operand);
        const args = node.args.map((arg, position) => (filter.acceptsUndefined && position === 0 ? this.maybe(arg) : this.value(arg)));
        const result = filter.apply(input, args, this.context(node));
        return result === undefined ? new Missing(pathOf(node), "it has no value", node.column, false) : result;
      }
    }
  }

  /** `object.key` / `object[key]`, Jinja2 style: anything that is not there is undefined. */
  private member(object: unknown, key: unknown, objectNode: ExprNode, attribute: boolean): Member {
    const name = (): string => objectPath(objectNode);
    if (isMapping(object)) {
      const mappingKey = asMappingKey(key);
      if (mappingKey === undefined) return { found: false, reason: () => `${name()} is a mapping, whose keys are strings, not ${typeName(key)}` };
      const value = mappingGet(object, mappingKey);
      if (value !== undefined) return { found: true, value };
      return {
        found: false,
        reason: () => {
          const close = closestNames(mappingKey, mappingKeys(object), 1)[0];
          return `${name()} has no key ${pythonRepr(mappingKey)}${close === undefined ? "" : ` (did you mean ${pythonRepr(close)}?)`}`;
        },
      };
    }
    if (!attribute && (Array.isArray(object) || typeof object === "string")) {
      const items = typeof object === "string" ? [...object] : object;
      if (typeof key !== "number" || !Number.isInteger(key)) {
        return { found: false, reason: () => `a ${typeName(object)} index must be an integer, got ${typeName(key)} ${pythonRepr(key)}` };
      }
      const value = items[key < 0 ? items.length + key : key];
      if (value !== undefined) return { found: true, value };
      return { found: false, reason: () => `index ${key} is out of range: ${name()} has ${items.length} item${items.length === 1 ? "" : "s"}` };
    }
    const usage = attribute && Array.isArray(object) ? () => ` (use ${name()}[0] for an item)` : () => "";
    return { found: false, reason: () => `${name()} is ${article(typeName(object))}, not a mapping${usage()}` };
  }

  private compare(operator: CompareOperator, left: unknown, right: unknown, column: number): boolean {
    switch (operator) {
      case "==":
        return deepEqual(left, right);
      case "!=":
        return !deepEqual(left, right);
      case "in":
        return this.contains(right, left, column);
      case "not in":
        return !this.contains(right, left, column);
      default: {
        let order: number;
        if (typeof left === "number" && typeof right === "number") order = left < right ? -1 : left > right ? 1 : left === right ? 0 : Number.NaN;
        else if (typeof left === "string" && typeof right === "string") order = compareStrings(left, right);
        else {
          const mixed = (typeof left === "string" && typeof right === "number") || (typeof left === "number" && typeof right === "string");
          const hint = mixed ? "text and numbers do not order: convert the text first, e.g. `x | int < 5` (command output is always text)" : "only two numbers or two strings can be ordered";
          throw this.error(column, `cannot compare ${typeName(left)} ${operator} ${typeName(right)}`, hint);
        }
        if (Number.isNaN(order)) return false;
        if (operator === "<") return order < 0;
        if (operator === "<=") return order <= 0;
        if (operator === ">") return order > 0;
        return order >= 0;
      }
    }
  }

  /** `item in container`: substring of a string, item of a list, key of a mapping. */
  private contains(container: unknown, item: unknown, column: number): boolean {
    if (typeof container === "string") {
      if (typeof item === "string") return container.includes(item);
      throw this.error(column, `\`in\` a string needs a string on the left, got ${typeName(item)}`, "convert it with `| string`, e.g. `x | string in text`");
    }
    if (Array.isArray(container)) return container.some((element) => deepEqual(element, item));
    if (isMapping(container)) {
      const key = asMappingKey(item);
      return key !== undefined && mappingGet(container, key) !== undefined;
    }
    throw this.error(column, `\`in\` needs a string, list or mapping on the right, got ${typeName(container)}`, "check the right-hand value, or guard with `x is sequence`");
  }

  private context(node: ExprNode & { operand: ExprNode }): CallContext {
    return {
      inputPath: pathOf(node.operand),
      fail: (message, hint) => {
        throw this.error(node.column, message, hint);
      },
      missing: (reason) => new Missing(pathOf(node), reason, node.column, false),
    };
  }

  private undefinedError(missing: Missing): ExpressionError {
    const { path, reason } = missing;
    const message = `undefined ${missing.fromVariable ? "variable" : "value"}: ${path}`;
    const remedy = missing.unknownVariable ? "define it in vars, or guard with" : "guard with";
    const hint = `${reason}; ${remedy} \`${path} is defined\` or give a fallback with \`${path} | default(...)\``;
    return this.error(missing.column, message, hint);
  }

  private error(column: number, message: string, hint: string): ExpressionError {
    return evaluationError(this.source, column, message, hint);
  }
}

function article(noun: string): string {
  return noun === "none" ? "none" : `${/^[aeiou]/.test(noun) ? "an" : "a"} ${noun}`;
}
