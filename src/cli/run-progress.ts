import type { HostResult } from "../engine/results.js";
import { LiveLine } from "./live-line.js";

type Stream = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * Progress of `fleet run` and `fleet audit` on a terminal: one live line on stderr,
 * `PLAY [name] 437/1000 hosts · 3 failed · 2 unreachable`, redrawn at most ten times a second,
 * with the task lines and notes printed above it. Off a terminal there is no live line: the task
 * lines are the log.
 */
export class RunProgress {
  private readonly line: LiveLine | undefined;
  private play = "";
  private total = 0;
  private done = 0;
  private failed = 0;
  private unreachable = 0;

  constructor(private readonly stderr: Stream) {
    this.line = stderr.isTTY === true ? new LiveLine(stderr) : undefined;
  }

  playStarted(name: string, hosts: number): void {
    this.play = name;
    this.total = hosts;
    this.done = this.failed = this.unreachable = 0;
    this.redraw();
  }

  hostDone(result: HostResult): void {
    this.done += 1;
    if (result.status === "failed") this.failed += 1;
    if (result.status === "unreachable") this.unreachable += 1;
    this.redraw();
  }

  /** Writes `text` to `stream`, above the live line when both are on the terminal. */
  print(stream: Stream, text: string): void {
    if (text === "") return;
    const sharesTerminal = stream === this.stderr || stream.isTTY === true;
    if (this.line && sharesTerminal) this.line.above(() => stream.write(text));
    else stream.write(text);
  }

  end(): void {
    this.line?.end();
  }

  private redraw(): void {
    this.line?.update(() => `PLAY [${this.play}] ${this.done}/${this.total} hosts · ${this.failed} failed · ${this.unreachable} unreachable`);
  }
}
