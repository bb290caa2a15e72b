import type { ExprNode } from "./ast.js";
import { pythonRepr } from "./values.js";

/**
 * How a value is named in messages: `facts.kernel.slabx`, `r['stdout']`, `x[i]`, `x | first`.
 * Built from the tree, not the source, so a hand-built tree gets the same names.
 */
export function pathOf(node: ExprNode): string {
  switch (node.type) {
    case "name":
      return node.name;
    case "literal":
      return pythonRepr(node.value);
    case "attribute":
      return `${objectPath(node.object)}.${node.name}`;
    case "index":
      return `${objectPath(node.object)}[${pathOf(node.index)}]`;
    case "filter":
      return `${pathOf(node.operand)} | ${node.name}${node.args.length > 0 ? "(…)" : ""}`;
    default:
      return "(…)";
  }
}

/** pathOf for the object of an attribute or index: a filter gets parentheses. */
export function objectPath(node: ExprNode): string {
  return node.type === "filter" ? `(${pathOf(node)})` : pathOf(node);
}

/** Whether the path starts at a variable: `a.b[0]` does, `(x | first).b` does not. */
export function startsAtVariable(node: ExprNode): boolean {
  if (node.type === "name") return true;
  if (node.type === "attribute" || node.type === "index") return startsAtVariable(node.object);
  return false;
}
