/**
 * Reads a Stryker report (default: the incremental file every group of run-groups.sh adds to) and
 * test/mutation/equivalent-mutants.md, and prints the per-file scores as the Markdown table of
 * docs/testing.md: raw (Stryker's own: killed + timed out over all valid mutants) and honest
 * (equivalent survivors, listed with a reason, left out). Entries of the list that match no
 * surviving mutant any more are printed as stale, and make it exit 1: the list must say only true
 * things. Usage: npx tsx test/mutation/score.ts [REPORT.json] [--survivors [FILE-SUBSTRING]]
 */
import { readFileSync } from "node:fs";

interface Position {
  line: number;
  column: number;
}

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: Position; end: Position };
}

interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}

export interface EquivalentEntry {
  file: string;
  line: number;
  mutator: string;
  original: string;
  replacement: string;
  reason: string;
}

const LIST = "test/mutation/equivalent-mutants.md";
const collapse = (text: string): string => text.replace(/\s+/g, " ").trim();

/** The mutated source text of a mutant (its location's slice of the file). */
export function originalOf(source: string, mutant: Mutant): string {
  const lines = source.split("\n");
  const { start, end } = mutant.location;
  if (start.line === end.line) return (lines[start.line - 1] ?? "").slice(start.column - 1, end.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  return [(lines[start.line - 1] ?? "").slice(start.column - 1), ...middle, (lines[end.line - 1] ?? "").slice(0, end.column - 1)].join("\n");
}

/** The key that ties a list entry to a mutant: not the line, which moves as the file is edited. */
export function keyOf(file: string, mutator: string, original: string, replacement: string): string {
  return [file, mutator, collapse(original), collapse(replacement)].join("\u0000");
}

const cell = (text: string): string => `\`${collapse(text).replaceAll("|", "\\|").replaceAll("`", "'")}\``;

/** Rows of the list's table: | file | line | mutator | `original` | `replacement` | reason | */
export function parseEquivalentList(text: string): EquivalentEntry[] {
  const entries: EquivalentEntry[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    if (!line.startsWith("| src/")) continue;
    const cells = line.slice(1, line.endsWith("|") ? -1 : undefined).split(/(?<!\\)\|/).map((part) => part.trim().replaceAll("\\|", "|"));
    const [file, lineText, mutator, original, replacement, reason] = cells;
    if (file === undefined || lineText === undefined || mutator === undefined || original === undefined || replacement === undefined || reason === undefined || reason === "") {
      throw new Error(`${LIST}:${index + 1}: expected | file | line | mutator | \`original\` | \`replacement\` | reason |`);
    }
    const unquote = (value: string): string => value.replace(/^`/, "").replace(/`$/, "");
    entries.push({ file, line: Number(lineText), mutator, original: unquote(original), replacement: unquote(replacement), reason });
  }
  return entries;
}

export interface FileScore {
  file: string;
  mutants: number;
  killed: number;
  survived: number;
  noCoverage: number;
  equivalent: number;
  raw: number;
  honest: number;
}

export function scoreReport(report: Report, equivalents: readonly EquivalentEntry[]): { files: FileScore[]; total: FileScore; stale: EquivalentEntry[] } {
  const listed = new Map(equivalents.map((entry) => [keyOf(entry.file, entry.mutator, entry.original, entry.replacement), entry]));
  const used = new Set<string>();
  const files: FileScore[] = [];
  for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    const score: FileScore = { file, mutants: 0, killed: 0, survived: 0, noCoverage: 0, equivalent: 0, raw: 0, honest: 0 };
    for (const mutant of mutants) {
      if (mutant.status === "CompileError" || mutant.status === "RuntimeError" || mutant.status === "Ignored") continue;
      score.mutants += 1;
      if (mutant.status === "Killed" || mutant.status === "Timeout") score.killed += 1;
      else {
        const key = keyOf(file, mutant.mutatorName, originalOf(source, mutant), mutant.replacement ?? "");
        if (listed.has(key)) {
          score.equivalent += 1;
          used.add(key);
        } else if (mutant.status === "NoCoverage") score.noCoverage += 1;
        else score.survived += 1;
      }
    }
    files.push(finish(score));
  }
  const total = finish(files.reduce((sum, score) => ({ ...sum, mutants: sum.mutants + score.mutants, killed: sum.killed + score.killed, survived: sum.survived + score.survived, noCoverage: sum.noCoverage + score.noCoverage, equivalent: sum.equivalent + score.equivalent }), { file: "all mutated files", mutants: 0, killed: 0, survived: 0, noCoverage: 0, equivalent: 0, raw: 0, honest: 0 }));
  const stale = equivalents.filter((entry) => !used.has(keyOf(entry.file, entry.mutator, entry.original, entry.replacement)));
  return { files, total, stale };
}

function finish(score: FileScore): FileScore {
  const percent = (part: number, whole: number): number => (whole === 0 ? 100 : Math.round((1000 * part) / whole) / 10);
  return { ...score, raw: percent(score.killed, score.mutants), honest: percent(score.killed, score.mutants - score.equivalent) };
}

export function scoreTable(files: readonly FileScore[], total: FileScore): string {
  const row = (score: FileScore): string => `| ${score.file} | ${score.mutants} | ${score.killed} | ${score.survived} | ${score.noCoverage} | ${score.equivalent} | ${score.raw.toFixed(1)} % | ${score.honest.toFixed(1)} % |`;
  return [
    "| file | mutants | killed | survived | no coverage | equivalent | score | without equivalents |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...files.map(row),
    row(total).replace(/^\| ([^|]+) \|/, "| **$1** |"),
  ].join("\n");
}

/** Survivors not yet listed, as ready-to-fill rows of the list. */
function unlistedRows(report: Report, equivalents: readonly EquivalentEntry[], only: string | undefined): string[] {
  const listed = new Set(equivalents.map((entry) => keyOf(entry.file, entry.mutator, entry.original, entry.replacement)));
  const rows: string[] = [];
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    if (only !== undefined && !file.includes(only)) continue;
    for (const mutant of mutants) {
      if (mutant.status !== "Survived" && mutant.status !== "NoCoverage") continue;
      const original = originalOf(source, mutant);
      if (listed.has(keyOf(file, mutant.mutatorName, original, mutant.replacement ?? ""))) continue;
      rows.push(`| ${file} | ${mutant.location.start.line} | ${mutant.mutatorName} | ${cell(original)} | ${cell(mutant.replacement ?? "")} | ${mutant.status} |`);
    }
  }
  return rows;
}

function main(argv: readonly string[]): number {
  const survivorsAt = argv.indexOf("--survivors");
  const positional = argv.filter((arg, index) => !arg.startsWith("--") && index !== survivorsAt + 1);
  const reportFile = positional[0] ?? "reports/mutation/stryker-incremental.json";
  const report = JSON.parse(readFileSync(reportFile, "utf8")) as Report;
  const equivalents = parseEquivalentList(readFileSync(LIST, "utf8"));
  if (survivorsAt >= 0) {
    const only = argv[survivorsAt + 1];
    process.stdout.write(`${unlistedRows(report, equivalents, only?.startsWith("--") ? undefined : only).join("\n")}\n`);
    return 0;
  }
  const { files, total, stale } = scoreReport(report, equivalents);
  process.stdout.write(`${scoreTable(files, total)}\n`);
  for (const entry of stale) process.stderr.write(`${LIST}: stale entry (no surviving mutant matches it): ${entry.file}:${entry.line} ${entry.mutator} ${entry.original} → ${entry.replacement}\n`);
  return stale.length > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
