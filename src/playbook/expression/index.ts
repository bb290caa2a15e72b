/**
 * The safe expression language of `when`, `changed_when`, `failed_when` and `assert.that`: a
 * Jinja2 expression subset, tokenized and parsed by hand into a tree and evaluated by walking it.
 * Nothing is ever compiled to JavaScript or run as code.
 */
export type { ExprNode, Expression, CompareOperator, LiteralValue } from "./ast.js";
export { ExpressionCode, ExpressionError, MAX_DEPTH, MAX_SOURCE_LENGTH, type ExpressionCodeValue } from "./errors.js";
export { evaluate, evaluateCondition } from "./evaluate.js";
export { FILTER_NAMES } from "./filters.js";
export { parseExpression } from "./parse.js";
export { referencedNames } from "./referenced-names.js";
export { scopeOf, type ExpressionScope } from "./scope.js";
export { TEST_NAMES } from "./tests.js";
