import type { ExecHostResult } from "../engine/exec.js";
import { finishedLine, progressLine, tally } from "./exec-output.js";

/**
 * Progress of `fleet exec` on stderr: on a terminal one live line redrawn as hosts finish;
 * otherwise (CI logs, pipes) one line per finished host. Warnings are printed above the live line.
 */
export class ExecProgress {
  private readonly finished: ExecHostResult[] = [];
  private lineShown = false;

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly total: number,
  ) {}

  private get live(): boolean {
    return this.stream.isTTY === true;
  }

  hostDone(result: ExecHostResult): void {
    this.finished.push(result);
    if (this.live) this.redraw();
    else this.stream.write(`${finishedLine(result)}\n`);
  }

  warn(message: string): void {
    this.note(`fleet: warning: ${message}`);
  }

  /** A line printed above the live line. */
  note(line: string): void {
    this.clear();
    this.stream.write(`${line}\n`);
    if (this.live && this.finished.length > 0) this.redraw();
  }

  end(): void {
    this.clear();
  }

  private redraw(): void {
    this.stream.write(`\r\u001b[2K${progressLine(tally(this.finished, this.total))}`);
    this.lineShown = true;
  }

  private clear(): void {
    if (!this.lineShown) return;
    this.stream.write("\r\u001b[2K");
    this.lineShown = false;
  }
}
