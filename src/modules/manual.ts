import { z } from "zod";
import { argsObject } from "./support/args.js";
import type { Module } from "./types.js";

const manualArgs = argsObject("manual", {
  /** What a human has to verify, in one sentence. */
  check: z.string().min(1, "say what a human must verify"),
  /** Where the proof is (a ticket, a report, a date): given, the control passes on it. */
  evidence: z.string().default(""),
});

export type ManualArgs = z.infer<typeof manualArgs>;

/**
 * A control no command on the host can judge (MFA at the identity provider, a CIS scan with USG):
 * not applicable with "manual" and what to verify, until the operator records evidence in a var.
 */
export const manualModule: Module<ManualArgs> = {
  name: "manual",
  description: "a control a human judges: not applicable (manual) until evidence is given",
  args: manualArgs,
  freeForm: "check",
  verifiable: true,
  facts: () => [],
  plan: (args) =>
    args.evidence.trim() === ""
      ? { kind: "not_applicable", reason: `manual: ${args.check} (record the evidence in the playbook's vars to pass it)` }
      : { kind: "ok", reason: `evidence: ${args.evidence.trim()}`, actual: args.evidence.trim() },
};
