import { z } from "zod";

/**
 * The argument names a module's schema accepts, read from its zod object shape (through
 * transforms, optional/default wrappers and unions); undefined when the schema is not an object
 * or lets any key through, so that no argument can be called unknown.
 */
export function argumentNames(schema: z.ZodType): string[] | undefined {
  if (schema instanceof z.ZodObject) {
    const catchall = schema.def.catchall;
    if (catchall !== undefined && !(catchall instanceof z.ZodNever)) return undefined;
    return Object.keys(schema.shape);
  }
  if (schema instanceof z.ZodPipe) return argumentNames(schema.in as z.ZodType);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault) {
    return argumentNames(schema.unwrap() as z.ZodType);
  }
  if (schema instanceof z.ZodUnion) {
    const names = new Set<string>();
    for (const option of schema.options as readonly z.ZodType[]) {
      const optionNames = argumentNames(option);
      if (optionNames === undefined) return undefined;
      for (const name of optionNames) names.add(name);
    }
    return [...names];
  }
  return undefined;
}

/** A zod issue in words, without zod's "Invalid input: " preamble. */
export function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) return `missing (expected ${issue.expected})`;
  if (issue.code === "invalid_union" && issue.message === "Invalid input") return unionText(issue.errors);
  return issue.message.replace(/^Invalid input: /, "");
}

/**
 * zod says only "Invalid input" when no branch of a union matches. The branch that got past the
 * type check says what is wrong; when none did, the types the branches expect do.
 */
function unionText(branches: readonly (readonly z.core.$ZodIssue[])[]): string {
  const typeOnly = (issues: readonly z.core.$ZodIssue[]) => issues.every((issue) => issue.code === "invalid_type" && issue.path.length === 0);
  const closest = branches.find((issues) => issues.length > 0 && !typeOnly(issues));
  if (closest !== undefined) return closest.map((issue) => (issue.path.length === 0 ? issueText(issue) : `${issue.path.join(".")}: ${issueText(issue)}`)).join("; ");
  const issues = branches.flat();
  const expected = [...new Set(issues.flatMap((issue) => (issue.code === "invalid_type" ? [issue.expected] : [])))];
  if (expected.length === 0) return "Invalid input";
  const missing = issues.some((issue) => issue.message.endsWith("received undefined"));
  return missing ? `missing (expected ${expected.join(" or ")})` : `expected ${expected.join(" or ")}`;
}
