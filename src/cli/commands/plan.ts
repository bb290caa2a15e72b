import { Option } from "commander";
import { addConnectionOptions } from "../connection-options.js";
import { registerCommand } from "../program.js";
import { collectRepeated } from "../repeatable-option.js";
import type { ApplyFlags } from "./apply-command.js";

registerCommand((program, context) => {
  const plan = program.command("plan").description("review a remediation plan written by fleet audit --plan-out (no host is touched)");
  plan
    .command("show")
    .argument("<plan>", "the plan file (fleet-plan/v1 JSON)")
    .addOption(new Option("--format <format>", "text for a terminal, md for a change ticket").choices(["text", "md"]).default("text"))
    .description("print a plan for review: per host, every change, its diff and the exact commands")
    .action(async (file: string, flags: { format: "text" | "md" }) => {
      const { planShow } = await import("./plan-command.js");
      context.setExitCode(await planShow(file, flags.format, context.io));
    });
  addConnectionOptions(
    program
      .command("apply")
      .argument("<plan>", "a reviewed plan (fleet audit --plan-out)")
      .description("apply exactly the changes of a reviewed plan; a host whose state changed since the plan is left alone (exit 2)"),
  )
    .option("-e, --extra-vars <vars>", "the same -e values the plan was made with (repeatable)", collectRepeated)
    .option("--max-age <duration>", "refuse a plan older than this (e.g. 24h, 90m, 2d)", "24h")
    .action(async (file: string, flags: ApplyFlags) => {
      const { applyCommand } = await import("./apply-command.js");
      context.setExitCode(await applyCommand(file, flags, context.io));
    });
});
