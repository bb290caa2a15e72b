/**
 * Validates GitHub Actions workflows with @actions/workflow-parser, GitHub's own parser of
 * workflow files (the one behind the Actions language service / VS Code extension), against its
 * workflow schema (workflow-v1.0.json): keys and their types, `${{ }}` expressions and the
 * contexts they may use at each place, cron syntax, job dependencies.
 *
 * Runs in a child process (see workflow-schema.ts): reads [{ name, content }] as JSON on stdin,
 * prints [{ name, errors }] as JSON on stdout.
 */
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";

interface Input {
  name: string;
  content: string;
}

function isInputs(value: unknown): value is Input[] {
  return Array.isArray(value) && value.every((item: unknown) => typeof item === "object" && item !== null && "name" in item && typeof item.name === "string" && "content" in item && typeof item.content === "string");
}

async function errorsOf(input: Input): Promise<string[]> {
  const parsed = parseWorkflow({ name: input.name, content: input.content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((error) => error.message);
  if (parsed.value !== undefined) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    errors.push(...(template.errors ?? []).map((error) => error.Message));
  }
  return [...new Set(errors)];
}

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
const inputs: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
if (!isInputs(inputs)) throw new Error("expected [{ name, content }] on stdin");
const results = [];
for (const input of inputs) results.push({ name: input.name, errors: await errorsOf(input) });
process.stdout.write(JSON.stringify(results));
