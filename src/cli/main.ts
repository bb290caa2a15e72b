#!/usr/bin/env node
import "./commands/index.js";
import { ExitCode } from "./exit-codes.js";
import { interruptReceived } from "./interrupt.js";
import { runCli } from "./program.js";

process.on("SIGINT", () => {
  if (interruptReceived() === "exit") process.exit(ExitCode.interrupted);
});
const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
process.exitCode = code;
