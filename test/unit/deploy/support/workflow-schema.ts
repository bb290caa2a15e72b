/** GitHub Actions workflows validated by @actions/workflow-parser (validate-workflows.ts) in a child Node process. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const WORKFLOW_PARSER_VERSION: string = (() => {
  // its exports map has no "./package.json" and no "require" condition: read it where npm put it
  const data: unknown = JSON.parse(readFileSync(path.resolve(here, "../../../../node_modules/@actions/workflow-parser/package.json"), "utf8"));
  if (typeof data === "object" && data !== null && "version" in data && typeof data.version === "string") return data.version;
  throw new Error("@actions/workflow-parser has no version");
})();

export interface WorkflowErrors {
  name: string;
  errors: string[];
}

/** The schema errors of each workflow; an empty list for a valid one. */
export function workflowErrors(workflows: readonly { name: string; content: string }[]): WorkflowErrors[] {
  const tsx = pathToFileURL(require.resolve("tsx")).href;
  const hooks = pathToFileURL(path.join(here, "json-modules.mjs")).href;
  const result = spawnSync(process.execPath, ["--import", tsx, "--import", hooks, path.join(here, "validate-workflows.ts")], {
    input: JSON.stringify(workflows),
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`the workflow validator failed (${result.status ?? result.signal}): ${result.stderr}`);
  const parsed: unknown = JSON.parse(result.stdout);
  if (!Array.isArray(parsed)) throw new Error(`unexpected validator output: ${result.stdout}`);
  return parsed.map((item: unknown): WorkflowErrors => {
    if (typeof item !== "object" || item === null || !("name" in item) || !("errors" in item) || typeof item.name !== "string" || !Array.isArray(item.errors)) throw new Error(`unexpected validator output: ${result.stdout}`);
    return { name: item.name, errors: item.errors.map(String) };
  });
}
