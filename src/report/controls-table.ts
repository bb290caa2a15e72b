import type { Playbook } from "../playbook/types.js";
import { controlCatalogue } from "./build.js";

export const CONTROLS_TABLE_BEGIN = "<!-- controls-table:begin (generated from playbooks/baseline.yml by `npm run docs:controls`) -->";
export const CONTROLS_TABLE_END = "<!-- controls-table:end -->";

const FIX_WORDS = { auto: "fixed by `fleet run`", "opt-in": "audit only; fixed when", audit: "audit only", manual: "manual (evidence var)" } as const;

/** The controls of a playbook as a Markdown table: id, what it checks, how fleet remediates it. Pure. */
export function controlsTable(playbook: Playbook): string {
  const rows = [...controlCatalogue(playbook).values()].map((control) => {
    const fix = control.fix === null || control.fix === undefined ? "—" : control.fix === "opt-in" ? `${FIX_WORDS["opt-in"]} \`${control.fixVar ?? "?"}: true\`` : FIX_WORDS[control.fix];
    return `| ${control.id} | ${control.title.replace(/\|/g, "\\|")} | ${control.severity} | ${control.scope} | ${fix} |`;
  });
  return ["| id | checks | severity | judged | remediation |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
}

/** `text` with the part between the markers replaced by `table`; throws when the markers are missing. */
export function replaceControlsTable(text: string, table: string): string {
  const begin = text.indexOf(CONTROLS_TABLE_BEGIN);
  const end = text.indexOf(CONTROLS_TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`the markers ${CONTROLS_TABLE_BEGIN} … ${CONTROLS_TABLE_END} are missing`);
  return `${text.slice(0, begin + CONTROLS_TABLE_BEGIN.length)}\n${table}\n${text.slice(end)}`;
}
