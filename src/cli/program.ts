import { Command, CommanderError } from "commander";
import { FleetError, InputFileError } from "../errors.js";
import { InterruptedError } from "../transport/errors.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { terminalSafe } from "./terminal-safe.js";
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
    io.stderr.write(`fleet: ${describeSafely(error)}\n`);
    if (error instanceof InterruptedError) return ExitCode.interrupted;
    if (error.category === "usage") return ExitCode.badUsage;
    if (error.category === "parse") return ExitCode.badInput;
    return ExitCode.error;
  }
  if (isSystemError(error)) {
    // an operating system call that failed on a path (a report written over a directory, a full
    // disk): what failed and where, not a stack trace
    const failure = new FleetError("IO_ERROR", error.message, { hint: "check the path named: a file (not a directory) that can be written, on a file system with space" });
    io.stderr.write(`fleet: ${describeSafely(failure)}\n`);
    return ExitCode.error;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`fleet: internal error (please report it): ${detail}\n`);
  return ExitCode.error;
}

/** An error of a system call on a file (Node's `EISDIR: illegal operation on a directory, rename 'a' -> 'b'`). */
function isSystemError(error: unknown): error is NodeJS.ErrnoException & { syscall: string; path: string } {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string" && typeof (error as NodeJS.ErrnoException).syscall === "string" && typeof (error as NodeJS.ErrnoException).path === "string";
}

/**
 * What an error says, safe to print on a terminal. Messages quote names and values from input
 * files (a misspelt key, a host name), which may hold line breaks or escape sequences: those are
 * shown as \xNN, so that each problem stays one `file:line:column: message [CODE]` line with its
 * hint, and a hostile file cannot retitle, clear or otherwise drive the operator's terminal.
 */
function describeSafely(error: FleetError): string {
  if (error instanceof InputFileError) return error.problems.map(describeSafely).join("\n");
  // a class that lays itself out on several lines (an expression with a caret under it) keeps its lines
  if (error.describe !== FleetError.prototype.describe) return terminalSafe(error.describe());
  const location = error.location === undefined ? undefined : { ...error.location, file: oneLine(error.location.file) };
  return new FleetError(error.code, oneLine(error.message), {
    category: error.category,
    ...(error.hint === undefined ? {} : { hint: oneLine(error.hint) }),
    ...(location === undefined ? {} : { location }),
  }).describe();
}

const oneLine = (text: string): string => terminalSafe(text).replace(/[\n\u2028\u2029]/g, (char) => (char === "\n" ? "\\x0a" : `\\u${char.charCodeAt(0).toString(16)}`));
