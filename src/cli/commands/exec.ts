import { addConnectionOptions } from "../connection-options.js";
import { registerCommand } from "../program.js";
import type { ExecFlags } from "./exec-command.js";

registerCommand((program, context) => {
  addConnectionOptions(
    program
      .command("exec")
      .description("run a shell command on every selected host, in parallel")
      .argument("<command...>", "the command, after --; it runs in the login shell of the remote user"),
  )
    .option("-b, --become", "run the command through sudo (ansible_become_user, default root)")
    .option("--json", "print machine-readable results on stdout")
    .option("--timeout <seconds>", "kill the command on a host after this long")
    .action(async (words: string[], flags: ExecFlags) => {
      // loaded on use: the SSH stack is the heaviest part of start-up and other commands do not need it
      const { execCommand } = await import("./exec-command.js");
      context.setExitCode(await execCommand(words, flags, context.io));
    });
});

