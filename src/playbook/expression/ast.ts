/**
 * The syntax tree of an expression. Every node has `column`: the 1-based position in the source
 * that an error about this node points at (a name's first character, an operator, a filter or
 * test name, an opening bracket).
 */
export type ExprNode =
  | LiteralNode
  | ListNode
  | NameNode
  | AttributeNode
  | IndexNode
  | NegateNode
  | NotNode
  | LogicalNode
  | CompareNode
  | TestNode
  | FilterNode;

export type LiteralValue = string | number | boolean | null;

export interface LiteralNode {
  type: "literal";
  value: LiteralValue;
  column: number;
}

export interface ListNode {
  type: "list";
  items: ExprNode[];
  column: number;
}

/** A top-level variable, looked up in the scope. */
export interface NameNode {
  type: "name";
  name: string;
  column: number;
}

/** `object.name`; column is that of `name`. */
export interface AttributeNode {
  type: "attribute";
  object: ExprNode;
  name: string;
  column: number;
}

/** `object[index]`; column is that of `[`. */
export interface IndexNode {
  type: "index";
  object: ExprNode;
  index: ExprNode;
  column: number;
}

/** Unary minus. */
export interface NegateNode {
  type: "negate";
  operand: ExprNode;
  column: number;
}

export interface NotNode {
  type: "not";
  operand: ExprNode;
  column: number;
}

/** `a and b and c` / `a or b`: two or more operands, evaluated left to right with short-circuit. */
export interface LogicalNode {
  type: "logical";
  operator: "and" | "or";
  operands: ExprNode[];
  column: number;
}

export type CompareOperator = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in";

/** `a < b <= c` is `a < b and b <= c` with b evaluated once (Python's chained comparison). */
export interface CompareNode {
  type: "compare";
  first: ExprNode;
  rest: Array<{ operator: CompareOperator; operand: ExprNode; column: number }>;
  column: number;
}

/** `operand is [not] name`; column is that of `name`. */
export interface TestNode {
  type: "test";
  operand: ExprNode;
  name: string;
  negated: boolean;
  column: number;
}

/** `operand | name(args)`; column is that of `name`. */
export interface FilterNode {
  type: "filter";
  operand: ExprNode;
  name: string;
  args: ExprNode[];
  column: number;
}

/** A parsed expression: its source text and syntax tree. */
export interface Expression {
  source: string;
  ast: ExprNode;
}

/** The direct children of a node, left to right. */
export function childrenOf(node: ExprNode): ExprNode[] {
  switch (node.type) {
    case "literal":
    case "name":
      return [];
    case "list":
      return node.items;
    case "attribute":
      return [node.object];
    case "index":
      return [node.object, node.index];
    case "negate":
    case "not":
    case "test":
      return [node.operand];
    case "logical":
      return node.operands;
    case "compare":
      return [node.first, ...node.rest.map((link) => link.operand)];
    case "filter":
      return [node.operand, ...node.args];
  }
}
