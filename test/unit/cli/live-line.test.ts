import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { HostResult } from "../../../src/engine/results.js";
import { LiveLine } from "../../../src/cli/live-line.js";
import { RunProgress } from "../../../src/cli/run-progress.js";

/** A terminal stand-in that records what was written. */
function terminal(isTTY = true): NodeJS.WritableStream & { isTTY: boolean; written: string[] } {
  const written: string[] = [];
  return { isTTY, written, write: (chunk: string) => written.push(chunk) > 0 } as unknown as NodeJS.WritableStream & { isTTY: boolean; written: string[] };
}

const CLEAR = "\r\u001b[2K";

describe("LiveLine", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("draws at once, then at most once per interval, and always ends on the last text", () => {
    const stream = terminal();
    const line = new LiveLine(stream, 100, () => Date.now());
    let renders = 0;
    for (let host = 1; host <= 1000; host++) line.update(() => `${host}/1000 (render ${++renders})`);
    expect(stream.written).toEqual([`${CLEAR}1/1000 (render 1)`]);
    vi.advanceTimersByTime(100);
    // a burst of 999 updates is rendered once
    expect(stream.written).toEqual([`${CLEAR}1/1000 (render 1)`, `${CLEAR}1000/1000 (render 2)`]);
    vi.advanceTimersByTime(1000);
    expect(stream.written.length).toBe(2);
  });

  it("prints other lines above itself and takes itself away at the end", () => {
    const stream = terminal();
    const line = new LiveLine(stream, 100, () => Date.now());
    line.update(() => "3/10");
    line.above(() => stream.write("tb1: changed: x\n"));
    line.above(() => stream.write("tb2: changed: x\n"));
    // a burst of lines brings the line back once, on the redraw schedule
    expect(stream.written).toEqual([`${CLEAR}3/10`, CLEAR, "tb1: changed: x\n", "tb2: changed: x\n"]);
    vi.advanceTimersByTime(100);
    expect(stream.written.slice(4)).toEqual([`${CLEAR}3/10`]);
    line.end();
    expect(stream.written.at(-1)).toBe(CLEAR);
    line.above(() => stream.write("after\n"));
    expect(stream.written.at(-1)).toBe("after\n");
  });
});

const host = (name: string, status: HostResult["status"]): HostResult => ({ host: name, cluster: null, status, error: null, interrupted: false, stopped: false, tasks: [], execs: 1, durationMs: 1 }) as unknown as HostResult;

describe("RunProgress", () => {
  it("on a terminal: counts a play's hosts by outcome and keeps task lines above the line", () => {
    const stderr = terminal();
    const stdout = terminal();
    const progress = new RunProgress(stderr);
    progress.playStarted("baseline", 3);
    progress.print(stdout, "tb1: failed: x\n");
    expect(stdout.written).toEqual(["tb1: failed: x\n"]);
    expect(stderr.written).toEqual([`${CLEAR}PLAY [baseline] 0/3 hosts · 0 failed · 0 unreachable`, CLEAR]);
    progress.hostDone(host("tb1", "failed"));
    progress.hostDone(host("tb2", "unreachable"));
    progress.end();
    // the last count is shown before the line goes, even inside the redraw interval
    expect(stderr.written.at(-2)).toBe(`${CLEAR}PLAY [baseline] 2/3 hosts · 1 failed · 1 unreachable`);
    expect(stderr.written.at(-1)).toBe(CLEAR);
  });

  it("off a terminal: no live line, the task lines are written as they are", () => {
    const stderr = terminal(false);
    const stdout = terminal(false);
    const progress = new RunProgress(stderr);
    progress.playStarted("baseline", 2);
    progress.hostDone(host("tb1", "ok"));
    progress.print(stdout, "tb1: changed: x\n");
    progress.print(stdout, "");
    progress.end();
    expect(stderr.written).toEqual([]);
    expect(stdout.written).toEqual(["tb1: changed: x\n"]);
  });
});
