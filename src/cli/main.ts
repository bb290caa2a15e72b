#!/usr/bin/env node
import "./commands/index.js";
import { ExitCode } from "./exit-codes.js";
import { INTERRUPT_SIGNALS, interruptReceived } from "./interrupt.js";
import { runCli } from "./program.js";

// A reader that went away (`fleet exec … | head -1`, or a closed terminal after SIGHUP) is not an
// error of the command: stop writing and end with the command's own exit code.
const ignoreClosedPipe = (error: NodeJS.ErrnoException): void => {
  if (error.code !== "EPIPE" && error.code !== "EIO" && error.code !== "ERR_STREAM_DESTROYED") throw error;
};
process.stdout.on("error", ignoreClosedPipe);
process.stderr.on("error", ignoreClosedPipe);

for (const signal of INTERRUPT_SIGNALS) {
  process.on(signal, () => {
    if (interruptReceived(signal) === "exit") process.exit(ExitCode.interrupted);
  });
}
const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
process.exitCode = code;
