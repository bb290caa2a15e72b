import { Command, CommanderError } from "commander";
import { FleetError } from "../errors.js";
import { InterruptedError } from "../transport/errors.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { fleetVersion } from "./version.js";

/** Output streams, injectable so commands can be tested without touching the real process. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** A command sets the exit code through this holder; only main.ts turns it into process exit. */
export interface CommandContext {
  io: CliIo;
  setExitCode(code: ExitCodeValue): void;
}

export type CommandRegistrar = (program: Command, context: CommandContext) => void;

const registrars: CommandRegistrar[] = [];

/** Each command file calls this once at import time (see commands/index.ts). */
export function registerCommand(registrar: CommandRegistrar): void {
  registrars.push(registrar);
}

export function buildProgram(context: CommandContext): Command {
  const program = new Command("fleet")
    .description("Agentless fleet orchestrator: harden LXD hosts and clusters over SSH, audit them, report.")
    .version(fleetVersion(), "-V, --version", "print the fleet version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (text) => context.io.stdout.write(text),
      writeErr: (text) => context.io.stderr.write(text),
    })
    .exitOverride();
  for (const register of registrars) register(program, context);
  return program;
}

/** Parse argv, run the command, and return the exit code. Never throws, never exits. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  let exitCode: ExitCodeValue = ExitCode.ok;
  const context: CommandContext = { io, setExitCode: (code) => (exitCode = code) };
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    return exitCodeForError(error, io);
  }
}

function exitCodeForError(error: unknown, io: CliIo): ExitCodeValue {
  if (error instanceof CommanderError) {
    // help and version end through exitOverride with exit code 0
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.badUsage;
  }
  if (error instanceof FleetError) {
    io.stderr.write(`fleet: ${error.describe()}\n`);
    if (error instanceof InterruptedError) return ExitCode.interrupted;
    if (error.category === "usage") return ExitCode.badUsage;
    if (error.category === "parse") return ExitCode.badInput;
    return ExitCode.error;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`fleet: internal error (please report it): ${detail}\n`);
  return ExitCode.error;
}
