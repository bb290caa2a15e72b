import { unifiedDiff } from "../cli/run-output.js";
import { terminalSafe } from "../cli/terminal-safe.js";
import type { PlanDocument } from "./types.js";

/** `fleet plan show`: the plan for review on a terminal. Pure. */
export function renderPlanText(plan: PlanDocument): string {
  const lines = [header(plan), ""];
  for (const host of plan.hosts) {
    lines.push(`${terminalSafe(host.name)}${host.cluster === null ? "" : ` (cluster ${terminalSafe(host.cluster)})`}: ${count(host.changes.length, "change")}`);
    for (const change of host.changes) {
      lines.push(`  - ${terminalSafe(change.name)}${change.control === null ? "" : ` [${change.control}]`}: ${terminalSafe(change.summary)}${becomeNote(change)}`);
      for (const command of change.commands) lines.push(`      $ ${terminalSafe(command.description)}`);
    }
  }
  lines.push("", `fingerprints and checksum: ${plan.checksum}`);
  return `${lines.join("\n")}\n`;
}

/** The plan as Markdown, for a change ticket: every change with its diff and the exact scripts. Pure. */
export function renderPlanMarkdown(plan: PlanDocument): string {
  const out = [`# Remediation plan: ${md(plan.playbook.file)}`, "", header(plan), ""];
  out.push("| host | changes |", "| --- | ---: |", ...plan.hosts.map((host) => `| ${md(host.name)} | ${host.changes.length} |`), "");
  for (const host of plan.hosts) {
    out.push(`## ${md(host.name)}${host.cluster === null ? "" : ` (cluster ${md(host.cluster)})`}`, "", `Fingerprint: \`${host.fingerprint}\``, "");
    for (const change of host.changes) {
      out.push(`### ${md(change.name)}${change.control === null ? "" : ` [${change.control}]`}`, "", `${md(change.summary)}${becomeNote(change)} (module \`${change.module}\`)`, "");
      if (change.diff !== null) out.push(...fenced("diff", unifiedDiff(change.diff.before, change.diff.after)), "");
      for (const command of change.commands) out.push(`- ${md(command.description)}`, "", ...fenced("sh", command.script).map((line) => `  ${line}`), "");
    }
  }
  out.push(`Checksum: \`${plan.checksum}\``, "");
  return out.join("\n");
}

function header(plan: PlanDocument): string {
  const changes = plan.hosts.reduce((sum, host) => sum + host.changes.length, 0);
  return `Plan of ${plan.createdAt} for ${plan.playbook.file}: ${count(changes, "change")} on ${count(plan.hosts.length, "host")}${plan.tags.length > 0 ? ` (tags ${plan.tags.join(",")})` : ""}${plan.skipTags.length > 0 ? ` (skip-tags ${plan.skipTags.join(",")})` : ""}`;
}

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? "" : "s"}`;
const becomeNote = (change: { become: boolean | null; becomeUser: string | null }): string => (change.become === true ? ` (as ${change.becomeUser ?? "root"})` : "");
const md = (text: string): string => text.replace(/[\\`*_{}[\]<>|#]/g, (character) => `\\${character}`).replace(/\n/g, " ");

function fenced(language: string, text: string): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(longest + 1);
  return [`${fence}${language}`, ...text.split("\n"), fence];
}

