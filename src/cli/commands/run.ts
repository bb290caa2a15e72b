import type { Command } from "commander";
import { addConnectionOptions } from "../connection-options.js";
import { registerCommand, type CommandContext } from "../program.js";
import { collectRepeated } from "../repeatable-option.js";
import type { RunFlags } from "./run-command.js";

const PLAYBOOK_HELP = "a playbook file; a name that is not a file here is looked up among the playbooks fleet ships (e.g. baseline.yml)";

function addRunOptions(command: Command): Command {
  return addConnectionOptions(command.argument("<playbook>", PLAYBOOK_HELP))
    .option("-t, --tags <tags>", "only tasks with one of these tags (comma-separated)")
    .option("--skip-tags <tags>", "leave out tasks with one of these tags (comma-separated)")
    .option("-e, --extra-vars <vars>", "KEY=VALUE, @FILE (YAML/JSON) or a JSON mapping; highest precedence (repeatable)", collectRepeated)
    .option("--diff", "show the before/after of every change")
    .option("--report <file>", "write the report; the format follows the extension: .json, .html, .md, .xml (JUnit), .txt, .prom (Prometheus) (repeatable)", collectRepeated)
    .option("--waivers <file>", "accepted deviations (YAML: control, hosts, justification, expires): waived controls do not count against compliance")
    .option("--plan-out <file>", "audit (or run --check): save every change it would make as a plan to review (fleet plan show) and apply (fleet apply)")
    .option("--baseline <report.json>", "an earlier JSON report: print what newly fails, what was fixed, what still fails")
    .option("--history <dir>", "also keep the JSON report in this directory as a timestamped file, for fleet report trend (created if missing)")
    .option("--keep <n>", "with --history: keep only the newest N reports there, removing older ones (default: keep all)")
    .option("-v, --verbose", "show every task, the commands of changes and command output");
}

function action(context: CommandContext, mode: "run" | "audit") {
  return async (playbook: string, flags: RunFlags): Promise<void> => {
    const { runCommand } = await import("./run-command.js");
    context.setExitCode(await runCommand(playbook, flags, context.io, mode));
  };
}

registerCommand((program, context) => {
  addRunOptions(program.command("run").description("run a playbook on the selected hosts: change what is not right, prove it holds"))
    .option("-C, --check", "change nothing; say what would change")
    .action(action(context, "run"));
  addRunOptions(program.command("audit").description("check a playbook on the selected hosts without changing anything; the exit code says compliant (0) or not (2)")).action(
    action(context, "audit"),
  );
});
