/** CliIo whose stdout and stderr are captured as text, for running the CLI inside a test. */
import { PassThrough } from "node:stream";
import type { CliIo } from "../../src/cli/program.js";

export interface CapturedIo {
  io: CliIo;
  stdout: () => string;
  stderr: () => string;
}

export function captureIo(env: NodeJS.ProcessEnv = {}, options: { tty?: boolean } = {}): CapturedIo {
  const out = new PassThrough();
  const err = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  let stdout = "";
  let stderr = "";
  out.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  err.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return { io: { stdout: out, stderr: err, env }, stdout: () => stdout, stderr: () => stderr };
}
