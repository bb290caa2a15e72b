import { loadPlan } from "../../plan/load.js";
import { renderPlanMarkdown, renderPlanText } from "../../plan/show.js";
import { PLAN_KEY_ENV } from "../../plan/types.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import type { CliIo } from "../program.js";

/** `fleet plan show`: the plan, checked against its checksum, for review. */
export async function planShow(file: string, format: "text" | "md", io: CliIo): Promise<ExitCodeValue> {
  const plan = await loadPlan(file, io.env[PLAN_KEY_ENV]);
  io.stdout.write(format === "md" ? renderPlanMarkdown(plan) : renderPlanText(plan));
  return ExitCode.ok;
}
