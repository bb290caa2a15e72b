import { FleetError } from "../../errors.js";

export const ExpressionCode = {
  /** The text is not a valid expression (category "parse"): found when the playbook is loaded. */
  syntax: "EXPRESSION_SYNTAX",
  /** The expression is valid but cannot be evaluated with these values (category "runtime"). */
  evaluation: "EXPRESSION_EVAL",
} as const;

export type ExpressionCodeValue = (typeof ExpressionCode)[keyof typeof ExpressionCode];

/** Longest expression source accepted, in UTF-16 code units. */
export const MAX_SOURCE_LENGTH = 4096;
/** Deepest nesting accepted: brackets, `not`/`-` chains and the depth of the syntax tree. */
export const MAX_DEPTH = 64;

/**
 * A `when`/`changed_when`/`failed_when`/`assert.that` expression that does not parse or does not
 * evaluate. `column` is 1-based in `source`; the caller adds the playbook file and line as the
 * error's location. Every ExpressionError has a hint.
 */
export class ExpressionError extends FleetError {
  readonly column: number;
  readonly source: string;
  declare readonly hint: string;

  constructor(code: ExpressionCodeValue, message: string, source: string, column: number, hint: string) {
    super(code, message, { category: code === ExpressionCode.syntax ? "parse" : "runtime", hint });
    this.source = source;
    this.column = column;
  }

  /** The headline, the expression with a caret under `column`, and the hint. */
  override describe(): string {
    const [head = "", ...rest] = super.describe().split("\n");
    const line = this.source.replace(/[\r\n\t]/g, " ");
    const pointer = `${" ".repeat(Math.max(0, this.column - 1))}^`;
    return [head, `  ${line}`, `  ${pointer}`, ...rest].join("\n");
  }
}

export function syntaxError(source: string, column: number, message: string, hint: string): ExpressionError {
  return new ExpressionError(ExpressionCode.syntax, message, source, column, hint);
}

export function evaluationError(source: string, column: number, message: string, hint: string): ExpressionError {
  return new ExpressionError(ExpressionCode.evaluation, message, source, column, hint);
}
