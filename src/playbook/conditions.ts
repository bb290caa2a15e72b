import { isScalar, isSeq, Scalar, type Node } from "yaml";
import type { SourceLocation } from "../errors.js";
import { followAlias, type MapEntry } from "../inventory/yaml-document.js";
import { ExpressionError, parseExpression, type Expression } from "./expression/index.js";
import { PlaybookCode } from "./problems.js";
import { describeNode, keyName, scalarValue, type YamlReader } from "./yaml-read.js";

/**
 * `when:` → the conditions that must all hold: one expression, a list of them, or true/false.
 * An expression that does not parse is reported at its column in the file.
 */
export function readConditions(reader: YamlReader, entry: MapEntry): Expression[] | undefined {
  if (entry.value === null) return [];
  const items = isSeq(entry.value) ? entry.value.items.map((item) => followAlias(reader.source, item as Node | null)) : [entry.value];
  const expressions: Expression[] = [];
  let ok = true;
  for (const item of items) {
    const expression = readExpression(reader, keyName(entry), item);
    if (expression === undefined) ok = false;
    else expressions.push(expression);
  }
  return ok ? expressions : undefined;
}

/** `changed_when:` / `failed_when:` → a literal true/false, or conditions over the result. */
export function readResultCondition(reader: YamlReader, entry: MapEntry): boolean | Expression[] | undefined {
  const value = scalarValue(reader.source, entry.value);
  if (typeof value === "boolean") return value;
  return readConditions(reader, entry);
}

function readExpression(reader: YamlReader, key: string, node: Node | null): Expression | undefined {
  const value = scalarValue(reader.source, node);
  const location = reader.locate(node);
  if (typeof value !== "string" && typeof value !== "boolean" && typeof value !== "number") {
    reader.report(PlaybookCode.condition, `${key} takes an expression or a list of them, not ${describeNode(reader.source, node)}`, location);
    return undefined;
  }
  const source = String(value);
  try {
    return parseExpression(source);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    reader.report(PlaybookCode.condition, `${key}: ${error.message}`, columnInFile(reader, node, location, error.column), error.hint);
    return undefined;
  }
}

/**
 * The file position of a column of the expression: exact when the scalar is written on one line
 * as it reads (plain, or quoted without escapes); otherwise where the value starts.
 */
function columnInFile(reader: YamlReader, node: Node | null, location: SourceLocation, column: number): SourceLocation {
  if (!isScalar(node) || location.column === undefined || node.range === undefined || node.range === null) return location;
  const written = reader.text.slice(node.range[0], node.range[1]);
  const value = String(node.value);
  if (written.includes("\n")) return location;
  let offset: number;
  if (node.type === Scalar.PLAIN && written === value) offset = 0;
  else if ((node.type === Scalar.QUOTE_SINGLE || node.type === Scalar.QUOTE_DOUBLE) && written.slice(1, -1) === value) offset = 1;
  else return location;
  return { ...location, column: location.column + offset + column - 1 };
}
