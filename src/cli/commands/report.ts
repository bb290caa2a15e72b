import { Option } from "commander";
import { registerCommand } from "../program.js";
import type { ReportDiffFlags, ReportMergeFlags, ReportRenderFlags, ReportTrendFlags } from "./report-command.js";

registerCommand((program, context) => {
  const report = program.command("report").description("render, merge and compare saved fleet-report/v1 JSON reports (no host is touched)");
  report
    .command("render")
    .description("write a saved JSON report in another format")
    .argument("<report.json>", "a report written with --report FILE.json")
    .addOption(new Option("--format <format>", "output format (default: from the -o extension)").choices(["html", "md", "junit", "table", "json", "prom"]))
    .option("-o, --output <file>", "where to write it (default: standard output)")
    .option("--waivers <file>", "apply these waivers first")
    .action(async (file: string, flags: ReportRenderFlags) => {
      const { reportRender } = await import("./report-command.js");
      context.setExitCode(await reportRender(file, flags, context.io));
    });
  report
    .command("merge")
    .description("combine the reports of disjoint host sets (a run split across machines) into one")
    .argument("<reports...>", "JSON reports of the same playbook and mode")
    .requiredOption("-o, --output <file>", "the merged report (.json, or any --report format)")
    .action(async (files: string[], flags: ReportMergeFlags) => {
      const { reportMerge } = await import("./report-command.js");
      context.setExitCode(await reportMerge(files, flags, context.io));
    });
  report
    .command("diff")
    .description("what changed between two reports: newly failing, fixed, still failing (exit 2 when something newly fails)")
    .argument("<old.json>")
    .argument("<new.json>")
    .addOption(new Option("--format <format>", "output format").choices(["table", "md"]).default("table"))
    .action(async (oldFile: string, newFile: string, flags: ReportDiffFlags) => {
      const { reportDiff } = await import("./report-command.js");
      context.setExitCode(await reportDiff(oldFile, newFile, flags, context.io));
    });
  report
    .command("trend")
    .description("compliance over time from a --history directory: when controls started failing, were fixed, time to remediate, streaks, regressions")
    .argument("<dir>", "a directory of JSON reports (fleet audit|run --history DIR)")
    .addOption(new Option("--format <format>", "output format (default: from the -o extension, else table)").choices(["table", "md", "html", "json"]))
    .option("-o, --output <file>", "where to write it (default: standard output)")
    .option("--control <id>", "only this control")
    .option("--host <name>", "only this host")
    .action(async (dir: string, flags: ReportTrendFlags) => {
      const { reportTrend } = await import("./report-command.js");
      context.setExitCode(await reportTrend(dir, flags, context.io));
    });
});
