import { z } from "zod";
import { auditRuleProblem, canonicalAuditRule } from "../facts/audit-rule.js";
import { auditStatus, loadedAuditRules, type AuditStatus, type LoadedAuditRules } from "../facts/auditd.js";
import { fileContent, type FileContent } from "../facts/file.js";
import { SBIN_PATH } from "../facts/sbin-path.js";
import { fact, type FactReader, type FactRequest } from "../facts/types.js";
import { succeedingWhenAlready } from "./support/tolerate.js";
import { shellQuote } from "../transport/shell-quote.js";
import { atomicWriteScript } from "./support/atomic-write.js";
import { splitProblem, splitWords } from "./support/split-words.js";
import { ok, type FactEffect, type Module, type Plan, type PlannedCommand } from "./types.js";

export interface AuditdRulesArgs {
  /** The rules file is /etc/audit/rules.d/NAME.rules. */
  name: string;
  /** auditctl rules, one per entry: "-a always,exit -F path=/usr/bin/lxc -p x -k lxd_execution". */
  rules: string[];
}

export const auditdRulesArgs: z.ZodType<AuditdRulesArgs, unknown> = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "expected a file name without directory (letters, digits, . _ -)")
      .refine((name) => !name.endsWith(".rules"), "give the name without .rules (the file is NAME.rules)"),
    rules: z
      .array(
        z.string().superRefine((rule, context) => {
          // the rules file holds one rule per line: a newline would make two lines of one rule
          if (/[\r\n]/.test(rule)) return context.addIssue({ code: "custom", message: "must be one line: give each rule as its own item of the list" });
          const problem = splitProblem(rule) ?? auditRuleProblem(splitWords(rule));
          if (problem !== null) context.addIssue({ code: "custom", message: problem });
        }),
      )
      .min(1, "give at least one rule")
      .superRefine((rules, context) => {
        const seen = new Map<string, number>();
        rules.forEach((rule, index) => {
          if (/[\r\n]/.test(rule) || splitProblem(rule) !== null || auditRuleProblem(splitWords(rule)) !== null) return;
          const canonical = canonicalAuditRule(splitWords(rule));
          const first = seen.get(canonical);
          if (first === undefined) seen.set(canonical, index);
          else context.addIssue({ code: "custom", path: [index], message: `the same rule as rules.${first} (auditctl refuses a rule that is already loaded)` });
        });
      }),
  })
  .strict();

export const auditRulesPath = (name: string): string => `/etc/audit/rules.d/${name}.rules`;

const requests = (args: AuditdRulesArgs): { file: FactRequest<FileContent>; loaded: FactRequest<LoadedAuditRules>; status: FactRequest<AuditStatus> } => ({
  file: fact(fileContent, auditRulesPath(args.name)),
  loaded: fact(loadedAuditRules, ""),
  status: fact(auditStatus, ""),
});

export const IMMUTABLE_REASON = "rules file in place; loaded at next boot (audit is immutable)";

/**
 * Persists audit rules in /etc/audit/rules.d and loads the ones the kernel does not have yet.
 * "Loaded" compares canonical texts (facts/audit-rule.ts), since auditctl -l prints rules in
 * another form than they are written. Missing rules are loaded one by one with auditctl before
 * the file is written: a rule the kernel rejects (a path whose directory does not exist) fails
 * the task without reaching the file, where it would break loading at boot. Rules loaded from
 * other files, or left over from an older version of this file, are not touched. With audit
 * immutable (enabled 2) nothing can be loaded: the file is written and the rules wait for a reboot.
 */
export const auditdRulesModule: Module<AuditdRulesArgs> = {
  name: "auditd_rules",
  description: "Persist audit rules in /etc/audit/rules.d/NAME.rules and load the missing ones with auditctl",
  args: auditdRulesArgs,
  facts: (args) => Object.values(requests(args)),
  plan: planRules,
  verifiable: true,
};

function planRules(args: AuditdRulesArgs, facts: FactReader): Plan {
  const request = requests(args);
  const path = auditRulesPath(args.name);
  const status = facts.get(request.status);
  if (status.state === "absent") return { kind: "not_applicable", reason: "auditd not installed" };
  if (status.state === "error") return { kind: "error", message: `auditctl -s failed: ${status.message}` };
  const loaded = facts.get(request.loaded);
  if (loaded.state === "absent") return { kind: "not_applicable", reason: "auditd not installed" };
  if (loaded.state === "error") return { kind: "error", message: `auditctl -l failed: ${loaded.message}` };
  const content = facts.get(request.file);
  if (content.state === "other") return { kind: "fail", message: `${path} exists and is not a regular file` };

  const want = `${args.rules.join("\n")}\n`;
  const fileRight = content.state === "file" && content.content === want;
  const missing = args.rules.filter((rule) => !loaded.rules.includes(canonicalAuditRule(splitWords(rule))));
  const immutable = status.enabled === 2;
  const count = `${args.rules.length} rule${args.rules.length === 1 ? "" : "s"}`;
  if (fileRight && missing.length === 0) return ok(`${count} in ${path}, all loaded${status.enabled === 0 ? " (auditing is off: enabled 0)" : ""}`);
  if (fileRight && immutable) return ok(IMMUTABLE_REASON, `not loaded: ${missing.join("; ")}`);

  const commands: PlannedCommand[] = [];
  const effects: FactEffect[] = [];
  const summary: string[] = [];
  if (missing.length > 0 && !immutable) {
    commands.push(...missing.map((rule) => ({ script: loadScript(rule), description: `load audit rule ${rule}` })));
    const now = new Set([...loaded.rules, ...missing.map((rule) => canonicalAuditRule(splitWords(rule)))]);
    effects.push({ request: request.loaded, value: { state: "loaded", rules: [...now].sort() } });
    summary.push(`load ${missing.length} rule${missing.length === 1 ? "" : "s"}`);
  }
  if (!fileRight) {
    commands.push({ script: atomicWriteScript({ path, content: want, mode: content.state === "absent" ? "0640" : undefined }), description: `write ${path} atomically` });
    effects.push({ request: request.file, value: { state: "file", content: want } });
    summary.push(`${content.state === "absent" ? "create" : "rewrite"} ${path}`);
  }
  if (missing.length > 0 && immutable) summary.push(`loading ${missing.length} rule${missing.length === 1 ? "" : "s"} needs reboot (audit is immutable)`);

  const found = [content.state === "absent" ? `${path} absent` : fileRight ? null : `${path} differs`, missing.length > 0 ? `not loaded: ${missing.join("; ")}` : null];
  return {
    kind: "change",
    summary: summary.join("; "),
    diff: fileRight ? null : { before: content.state === "file" ? content.content : "", after: want },
    commands,
    effects,
    expected: `${count} in ${path}, all loaded`,
    actual: found.filter((part) => part !== null).join("; "),
  };
}

function loadScript(rule: string): string {
  return [
    SBIN_PATH,
    succeedingWhenAlready(`auditctl ${splitWords(rule).map(shellQuote).join(" ")}`, "Rule exists", `printf 'fleet: auditctl could not load the rule: %s\\n' ${shellQuote(rule)} >&2`),
  ].join("\n");
}
