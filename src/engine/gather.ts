import { FleetError } from "../errors.js";
import { FactParseError } from "../facts/errors.js";
import type { FactRequest, FactValue } from "../facts/types.js";
import { describeFailure } from "../transport/exit-meaning.js";
import type { Connection, ExecOptions } from "../transport/types.js";
import { buildSectionedScript, splitSections } from "./sectioned-script.js";

export type GatheredFact = { request: FactRequest; value: FactValue } | { request: FactRequest; error: FleetError };

/**
 * Runs every probe in one exec and parses each. A probe the script did not reach is an error of
 * that fact; a script the run's interrupt killed is "interrupted" (its facts are not to be judged).
 */
export async function gatherFacts(connection: Connection, requests: readonly FactRequest[], options: ExecOptions): Promise<GatheredFact[] | "interrupted"> {
  if (requests.length === 0) return [];
  const built = buildSectionedScript(requests.map((request) => ({ body: request.kind.probe(request.arg), stopOnFailure: false })));
  const result = await connection.exec("sh -s", { ...options, stdin: built.script });
  if (result.interrupted) return "interrupted";
  const whole = describeFailure(result);
  const outcomes = splitSections(built, requests.length, result.stdout, result.stderr);
  return requests.map((request, index) => {
    const outcome = outcomes[index];
    if (outcome === undefined || !outcome.ran) {
      return { request, error: new FleetError("FACT_NOT_READ", `fact ${request.kind.name}:${request.arg} was not read${whole ? `: ${whole}` : ""}`, { hint: result.stderr.trim().split("\n").slice(-1)[0] ?? "" }) };
    }
    try {
      return { request, value: request.kind.parse({ stdout: outcome.stdout, stderr: outcome.stderr, exitCode: outcome.exitCode }, request.arg) };
    } catch (error) {
      if (error instanceof FleetError) return { request, error };
      return { request, error: new FactParseError(request.kind.name, request.arg, error instanceof Error ? error.message : String(error)) };
    }
  });
}
