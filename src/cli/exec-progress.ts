import type { ExecHostResult } from "../engine/exec.js";
import { finishedLine, progressLine, tally } from "./exec-output.js";
import { LiveLine } from "./live-line.js";

/**
 * Progress of `fleet exec` on stderr: on a terminal one live line redrawn as hosts finish (at most
 * ten times a second); otherwise (CI logs, pipes) one line per finished host. Warnings are printed
 * above the live line.
 */
export class ExecProgress {
  private readonly finished: ExecHostResult[] = [];
  private readonly line: LiveLine | undefined;

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly total: number,
  ) {
    this.line = stream.isTTY === true ? new LiveLine(stream) : undefined;
  }

  hostDone(result: ExecHostResult): void {
    this.finished.push(result);
    if (this.line) this.line.update(() => progressLine(tally(this.finished, this.total)));
    else this.stream.write(`${finishedLine(result)}\n`);
  }

  warn(message: string): void {
    this.note(`fleet: warning: ${message}`);
  }

  /** A line printed above the live line. */
  note(line: string): void {
    if (this.line) this.line.above(() => this.stream.write(`${line}\n`));
    else this.stream.write(`${line}\n`);
  }

  end(): void {
    this.line?.end();
  }
}
