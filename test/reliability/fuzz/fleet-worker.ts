/**
 * The worker thread the fuzz suite runs fleet in (see harness.ts): the CLI is imported once and
 * runs in-process through runCli, one input after the other. In a thread of its own, an input
 * that never ends — also a synchronous loop, which no timer in the same thread could interrupt —
 * is stopped by the test terminating the thread, and one that exhausts memory ends the thread
 * instead of the test process.
 */
import { parentPort } from "node:worker_threads";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import { captureIo } from "../../support/capture-io.js";

export interface FleetRequest {
  id: number;
  argv: string[];
  env: Record<string, string>;
  /** Whether standard output must be one JSON document (checked here: it may be megabytes). */
  jsonStdout: boolean;
}

export type WorkerMessage =
  | { type: "ready" }
  | { type: "result"; id: number; code: number; stdout: string; stdoutBytes: number; stdoutIsJson: boolean | undefined; stderr: string; ms: number }
  | { type: "stray"; message: string };

/** Enough of standard output to show in a failure; the checks that need all of it run here. */
const SHOWN_STDOUT = 4_000;
const SHOWN_STDERR = 200_000;

const port = parentPort;
if (port === null) throw new Error("fleet-worker.ts runs as a worker thread");

// A promise of an input's run that rejects after runCli has returned, with no one awaiting it:
// in the real CLI that ends the process with a stack trace.
process.on("unhandledRejection", (reason) => {
  port.postMessage({ type: "stray", message: `unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}` } satisfies WorkerMessage);
});
process.on("uncaughtException", (error) => {
  port.postMessage({ type: "stray", message: `uncaught exception: ${error.stack ?? error.message}` } satisfies WorkerMessage);
});

port.on("message", (request: FleetRequest) => {
  void handle(request);
});
port.postMessage({ type: "ready" } satisfies WorkerMessage);

async function handle(request: FleetRequest): Promise<void> {
  const { io, stdout, stderr } = captureIo(request.env);
  const begun = Date.now();
  const code = await runCli(request.argv, io);
  const ms = Date.now() - begun;
  // the captured streams deliver what was written on the next turns of the event loop
  await new Promise((resolve) => setImmediate(resolve));
  const out = stdout();
  const err = stderr();
  port?.postMessage({
    type: "result",
    id: request.id,
    code,
    stdout: out.length > SHOWN_STDOUT ? `${out.slice(0, SHOWN_STDOUT)}\n… (${out.length} characters in all)` : out,
    stdoutBytes: out.length,
    stdoutIsJson: request.jsonStdout ? isJson(out) : undefined,
    stderr: err.length > SHOWN_STDERR ? `${err.slice(0, SHOWN_STDERR)}\n… (${err.length} characters in all)` : err,
    ms,
  } satisfies WorkerMessage);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
