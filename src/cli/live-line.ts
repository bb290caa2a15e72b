/** How often a live line is redrawn at most: a thousand hosts finishing at once cost ten redraws a second, not a thousand. */
export const REDRAW_INTERVAL_MS = 100;

/**
 * One status line kept at the bottom of a terminal and redrawn in place, at most every
 * REDRAW_INTERVAL_MS (the last text always shows); other lines are printed above it.
 */
export class LiveLine {
  private render: (() => string) | undefined;
  private shown = false;
  private lastDrawAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly intervalMs = REDRAW_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The line is rendered when it is drawn, so a burst of updates renders it once. */
  update(render: () => string): void {
    this.render = render;
    this.schedule();
  }

  /**
   * Prints something (on this stream or another one on the same terminal) above the line; the
   * line comes back on the same schedule, so a burst of 30,000 task lines redraws it ten times a
   * second, not 30,000 times.
   */
  above(write: () => void): void {
    this.clear();
    write();
    if (this.render !== undefined) this.schedule();
  }

  private schedule(): void {
    const wait = this.lastDrawAt + this.intervalMs - this.now();
    if (wait <= 0) this.draw();
    else this.timer ??= setTimeout(() => this.draw(), wait);
  }

  /** Takes the line away for good, after showing its last text if that was still waiting. */
  end(): void {
    if (this.timer) this.draw();
    this.clear();
    this.render = undefined;
  }

  private draw(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastDrawAt = this.now();
    this.stream.write(`\r\u001b[2K${this.render?.() ?? ""}`);
    this.shown = true;
  }

  private clear(): void {
    if (!this.shown) return;
    this.stream.write("\r\u001b[2K");
    this.shown = false;
  }
}
