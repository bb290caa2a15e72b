import { describe, expect, it } from "vitest";
import { type RunningCommand, superviseCommand, type SupervisedRequest } from "../../../src/transport/command-supervisor.js";

/** A command that stays running until killed, reporting its process group on stderr when told to. */
class HangingCommand implements RunningCommand {
  commandLine = "";
  kills: (readonly number[])[] = [];
  private stderr: ((chunk: Buffer) => void)[] = [];
  private exit: ((exit: { code: number | null; signal: string | null }) => void)[] = [];

  started(commandLine: string): this {
    this.commandLine = commandLine;
    return this;
  }
  onStdout(): void {}
  onStderr(listener: (chunk: Buffer) => void): void { this.stderr.push(listener); }
  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void { this.exit.push(listener); }
  writeStdin(): void {}
  endStdin(): void {}
  kill(groups: readonly number[]): void {
    this.kills.push(groups);
    for (const listener of this.exit.splice(0)) listener({ code: null, signal: "SIGKILL" });
  }
  reportGroup(group: number): void {
    const tag = /FLEET-PGID-[0-9a-f]+/.exec(this.commandLine)?.[0];
    for (const listener of this.stderr) listener(Buffer.from(`${tag} ${group}\n`));
  }
}

const request = (signal: AbortSignal): SupervisedRequest => ({ command: "sleep 100", become: undefined, timeoutMs: undefined, stdin: undefined, outputLimit: 1000, signal });

describe("superviseCommand under an interrupt", () => {
  it("kills the command's process group when the signal aborts, and says interrupted", async () => {
    const controller = new AbortController();
    const command = new HangingCommand();
    const pending = superviseCommand(request(controller.signal), async (line) => command.started(line));
    await new Promise((resolve) => setImmediate(resolve));
    command.reportGroup(4242);
    controller.abort();
    const result = await pending;
    expect(command.commandLine).toMatch(/^echo FLEET-PGID-[0-9a-f]+ \$\$ >&2; sleep 100$/);
    expect(command.kills).toEqual([[4242]]);
    expect(result).toMatchObject({ exitCode: null, interrupted: true, timedOut: false, becomeFailure: null, stderr: "" });
  });

  it("waits for the process group when the interrupt comes before the shell reported it", async () => {
    const controller = new AbortController();
    const command = new HangingCommand();
    const pending = superviseCommand(request(controller.signal), async (line) => command.started(line));
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // closing the channel now would leave the command running: nothing is killed yet
    expect(command.kills).toEqual([]);
    command.reportGroup(77);
    const result = await pending;
    expect(command.kills).toEqual([[77]]);
    expect(result.interrupted).toBe(true);
  });

  it("starts nothing when the run was interrupted before the command", async () => {
    const controller = new AbortController();
    controller.abort();
    let started = false;
    const result = await superviseCommand(request(controller.signal), async (line) => {
      started = true;
      return new HangingCommand().started(line);
    });
    expect(started).toBe(false);
    expect(result).toMatchObject({ exitCode: null, interrupted: true, stdout: "", stderr: "" });
  });

  it("reports an ordinary exit when the signal never aborts", async () => {
    const controller = new AbortController();
    const command = new HangingCommand();
    const pending = superviseCommand(request(controller.signal), async (line) => command.started(line));
    await new Promise((resolve) => setImmediate(resolve));
    command.kill([]);
    const result = await pending;
    expect(result.interrupted).toBe(false);
    expect(result.signal).toBe("SIGKILL");
  });
});
