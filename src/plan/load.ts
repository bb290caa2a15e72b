import { readFile } from "node:fs/promises";
import { z } from "zod";
import { FleetError, InputFileError, messageOf } from "../errors.js";
import { jsonErrorOffset, JsonLocator, offsetLocation } from "../report/load-report.js";
import { checksumOf } from "./digest.js";
import type { PlanDocument } from "./types.js";

/** Stable codes of plan-file problems. PLAN_FILE and PLAN_CHECKSUM are input errors (exit 4), the rest usage errors (exit 5). */
export const PlanCode = {
  file: "PLAN_FILE",
  checksum: "PLAN_CHECKSUM",
  tooOld: "PLAN_TOO_OLD",
  playbook: "PLAN_PLAYBOOK_CHANGED",
  extraVars: "PLAN_VARS_CHANGED",
  unknownHost: "PLAN_UNKNOWN_HOST",
} as const;

const replanHint = "make the plan again with `fleet audit PLAYBOOK --plan-out PLAN.json` and have it reviewed";

const command = z.object({ description: z.string(), script: z.string() }).strict();
const change = z
  .object({
    play: z.number().int().nonnegative(),
    task: z.number().int().nonnegative(),
    handler: z.boolean(),
    name: z.string(),
    module: z.string(),
    control: z.string().nullable(),
    summary: z.string(),
    diff: z.object({ before: z.string(), after: z.string() }).strict().nullable(),
    commands: z.array(command),
    become: z.boolean().nullable(),
    becomeUser: z.string().nullable(),
    timeoutSeconds: z.number().int().positive().nullable(),
    continueOnFailure: z.boolean(),
    factsDigest: z.string(),
  })
  .strict();
const planSchema = z
  .object({
    schema: z.literal("fleet-plan/v1"),
    createdAt: z.iso.datetime({ offset: true }),
    playbook: z.object({ file: z.string().min(1), digest: z.string() }).strict(),
    extraVarsDigest: z.string(),
    tags: z.array(z.string()),
    skipTags: z.array(z.string()),
    hosts: z.array(z.object({ name: z.string().min(1), cluster: z.string().nullable(), fingerprint: z.string(), changes: z.array(change).min(1) }).strict()),
    checksum: z.string(),
  })
  .strict();

/**
 * Reads a plan and checks its checksum: a plan whose content was edited after it was written
 * (commands, hosts, anything) is refused. With FLEET_PLAN_KEY set, the checksum is an HMAC.
 */
export async function loadPlan(file: string, key: string | undefined): Promise<PlanDocument> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new InputFileError([new FleetError(PlanCode.file, `cannot read plan ${file}: ${messageOf(error)}`, { category: "parse", location: { file }, hint: "give the file written by `fleet audit --plan-out`" })]);
  }
  return parsePlan(text, file, key);
}

export function parsePlan(text: string, file: string, key: string | undefined): PlanDocument {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const offset = jsonErrorOffset(text, messageOf(error));
    throw new InputFileError([new FleetError(PlanCode.file, `not JSON: ${messageOf(error)}`, { category: "parse", location: offset === undefined ? { file } : offsetLocation(text, file, offset), hint: "give the file written by `fleet audit --plan-out`" })]);
  }
  const parsed = planSchema.safeParse(data);
  if (!parsed.success) {
    const locator = new JsonLocator(text, file);
    throw new InputFileError(parsed.error.issues.slice(0, 20).map((issue) => new FleetError(PlanCode.file, `${issue.path.join(".") || "(document)"}: ${issue.message}`, { category: "parse", location: locator.at(issue.path), hint: `not a fleet-plan/v1 document; ${replanHint}` })));
  }
  const { checksum, ...content } = parsed.data;
  const keyed = checksum.startsWith("hmac-sha256:");
  if (keyed && (key === undefined || key === "")) {
    throw new InputFileError([new FleetError(PlanCode.checksum, `${file} is signed with a key (hmac-sha256) and FLEET_PLAN_KEY is not set`, { category: "parse", location: new JsonLocator(text, file).at(["checksum"]), hint: "set FLEET_PLAN_KEY to the key the plan was made with" })]);
  }
  if (checksumOf(content, keyed ? key : undefined) !== checksum) {
    throw new InputFileError([
      new FleetError(PlanCode.checksum, `${file} does not match its checksum: it was changed after fleet wrote it${keyed ? " (or FLEET_PLAN_KEY is not the key it was made with)" : ""}`, {
        category: "parse",
        location: new JsonLocator(text, file).at(["checksum"]),
        hint: `a plan is applied only as it was reviewed; ${replanHint}`,
      }),
    ]);
  }
  return parsed.data;
}

/** Refuses a plan older than maxAgeMs (the state it was made from is likely gone). */
export function assertFresh(plan: PlanDocument, maxAgeMs: number, now: Date): void {
  const age = now.getTime() - Date.parse(plan.createdAt);
  if (age > maxAgeMs) {
    throw new FleetError(PlanCode.tooOld, `the plan was made ${formatAge(age)} ago (${plan.createdAt}), more than --max-age ${formatAge(maxAgeMs)}`, { category: "usage", hint: `${replanHint}, or give a larger --max-age` });
  }
}

/** "24h", "90m", "2d", "3600s" or plain seconds → milliseconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/.exec(text.trim());
  const value = Number(match?.[1]);
  if (!match || !Number.isFinite(value) || value <= 0 || value > 365 * 24 * 3600) {
    throw new FleetError("PLAN_BAD_DURATION", `${option} must be a duration like 24h, 90m, 2d or 3600s, not "${text}"`, { category: "usage", hint: `e.g. ${option} 12h` });
  }
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? "s") as "s" | "m" | "h" | "d"];
  return value * unit * 1000;
}

const formatAge = (ms: number): string => (ms >= 86_400_000 ? `${(ms / 86_400_000).toFixed(1)} d` : ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${Math.round(ms / 60_000)} min`);
