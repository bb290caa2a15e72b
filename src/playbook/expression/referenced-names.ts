import { childrenOf, type ExprNode, type Expression } from "./ast.js";

/**
 * The top-level variable names an expression uses, in order of first use, each once: for
 * `facts.kernel.slab_present and r.rc == 0` that is ["facts", "r"]. Names under `is defined` and
 * `default()` count too.
 */
export function referencedNames(expression: Expression): string[] {
  const names = new Set<string>();
  const visit = (node: ExprNode): void => {
    if (node.type === "name") names.add(node.name);
    for (const child of childrenOf(node)) visit(child);
  };
  visit(expression.ast);
  return [...names];
}
