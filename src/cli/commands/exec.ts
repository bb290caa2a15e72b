import { Option } from "commander";
import { FAN_OUT_DEFAULTS } from "../../engine/fan-out.js";
import { registerCommand } from "../program.js";
import { collectRepeated } from "../repeatable-option.js";
import type { ExecFlags } from "./exec-command.js";

registerCommand((program, context) => {
  program
    .command("exec")
    .description("run a shell command on every selected host, in parallel")
    .argument("<command...>", "the command, after --; it runs in the login shell of the remote user")
    .option("-i, --inventory <path>", "inventory file or directory (repeatable; default: $FLEET_INVENTORY)", collectRepeated)
    .option("-l, --limit <pattern>", "only hosts matching this pattern (as ansible --limit)")
    .option("-f, --forks <n>", "hosts worked on at once", String(FAN_OUT_DEFAULTS.forks))
    .option("-b, --become", "run the command through sudo (ansible_become_user, default root)")
    .option("-K, --ask-become-pass", "ask for the sudo password (or set FLEET_BECOME_PASSWORD)")
    .option("--json", "print machine-readable results on stdout")
    .option("--timeout <seconds>", "kill the command on a host after this long")
    .option("--connect-timeout <seconds>", "give up on a host whose SSH handshake takes longer", "10")
    .addOption(new Option("--host-key-checking <policy>", "unknown host keys: strict refuses, accept-new records, off accepts (with a warning)").choices(["strict", "accept-new", "off"]))
    .option("--ssh-config <file>", "ssh client config to read (default ~/.ssh/config)")
    .action(async (words: string[], flags: ExecFlags) => {
      // loaded on use: the SSH stack is the heaviest part of start-up and other commands do not need it
      const { execCommand } = await import("./exec-command.js");
      context.setExitCode(await execCommand(words, flags, context.io));
    });
});

