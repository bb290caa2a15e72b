import { describe, expect, it } from "vitest";
import { BecomeFilter, planBecome } from "../../../src/transport/become.js";
import { type RunningCommand, superviseCommand, type SupervisedRequest } from "../../../src/transport/command-supervisor.js";

/** A scripted command: emits stderr/stdout when written to or on a timer, records stdin and kills. */
class ScriptedCommand implements RunningCommand {
  stdin: string[] = [];
  stdinEnded = false;
  kills: (readonly number[])[] = [];
  commandLine = "";
  private stdout: ((chunk: Buffer) => void)[] = [];
  private stderr: ((chunk: Buffer) => void)[] = [];
  private exit: ((exit: { code: number | null; signal: string | null }) => void)[] = [];

  constructor(private readonly behave: (command: ScriptedCommand) => void) {}

  started(commandLine: string): this {
    this.commandLine = commandLine;
    setImmediate(() => this.behave(this));
    return this;
  }
  onStdout(listener: (chunk: Buffer) => void): void { this.stdout.push(listener); }
  onStderr(listener: (chunk: Buffer) => void): void { this.stderr.push(listener); }
  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void { this.exit.push(listener); }
  writeStdin(data: string | Buffer): void { this.stdin.push(String(data)); this.onStdin?.(String(data)); }
  endStdin(): void { this.stdinEnded = true; }
  kill(groups: readonly number[]): void { this.kills.push(groups); this.finish(null, "SIGKILL"); }
  onStdin: ((data: string) => void) | undefined;
  out(text: string): void { for (const listener of this.stdout) listener(Buffer.from(text)); }
  err(text: string): void { for (const listener of this.stderr) listener(Buffer.from(text)); }
  finish(code: number | null, signal: string | null = null): void { for (const listener of this.exit.splice(0)) listener({ code, signal }); }
}

const request = (overrides: Partial<SupervisedRequest> = {}): SupervisedRequest => ({
  command: "uptime",
  become: undefined,
  timeoutMs: undefined,
  stdin: undefined,
  outputLimit: 1000,
  ...overrides,
});

const markerOf = (commandLine: string): string => /FLEET-BECOME-OK-[0-9a-f]+/.exec(commandLine)?.[0] ?? "missing";
const promptOf = (commandLine: string): string => /\[fleet-sudo-[0-9a-f]+\] password:/.exec(commandLine)?.[0] ?? "missing";
const groupTagOf = (commandLine: string): string => /FLEET-PGID-[0-9a-f]+/.exec(commandLine)?.[0] ?? "missing";

describe("superviseCommand", () => {
  it("captures output and exit code, writes stdin then closes it", async () => {
    const command = new ScriptedCommand((c) => {
      c.out("hello ");
      c.out("world\n");
      c.err("warn\n");
      c.finish(3);
    });
    const result = await superviseCommand(request({ stdin: "input" }), async (line) => command.started(line));
    expect(command.commandLine).toBe("uptime");
    expect(command.stdin).toEqual(["input"]);
    expect(command.stdinEnded).toBe(true);
    expect(result).toMatchObject({ command: "uptime", exitCode: 3, signal: null, stdout: "hello world\n", stderr: "warn\n", timedOut: false, becomeFailure: null, truncated: false });
  });

  it("keeps the tail of output beyond the limit and says it was cut", async () => {
    const command = new ScriptedCommand((c) => {
      c.out("a".repeat(50));
      c.out("END");
      c.finish(0);
    });
    const result = await superviseCommand(request({ outputLimit: 10 }), async (line) => command.started(line));
    expect(result.stdout).toBe("aaaaaaaEND");
    expect(result.truncated).toBe(true);
  });

  it("decodes UTF-8 split across chunks", async () => {
    const bytes = Buffer.from("é");
    const command = new ScriptedCommand((c) => {
      for (const listener of (c as unknown as { stdout: ((b: Buffer) => void)[] }).stdout) {
        listener(bytes.subarray(0, 1));
        listener(bytes.subarray(1));
      }
      c.finish(0);
    });
    expect((await superviseCommand(request(), async (line) => command.started(line))).stdout).toBe("é");
  });

  it("kills a command that outlives its timeout, by the process group it reported", async () => {
    const command = new ScriptedCommand((c) => c.err(`${groupTagOf(c.commandLine)} 4242\nreal stderr\n`));
    const result = await superviseCommand(request({ timeoutMs: 30 }), async (line) => command.started(line));
    expect(command.commandLine).toMatch(/^echo FLEET-PGID-[0-9a-f]+ \$\$ >&2; uptime$/);
    expect(command.kills).toEqual([[4242]]);
    expect(result).toMatchObject({ timedOut: true, exitCode: null, stderr: "real stderr\n" });
  });

  it("runs passwordless become with sudo -n and strips the marker", async () => {
    const command = new ScriptedCommand((c) => {
      c.err(`${markerOf(c.commandLine)}\n`);
      c.out("root\n");
      c.finish(0);
    });
    const result = await superviseCommand(request({ command: "id -un", become: { user: "root", password: undefined } }), async (line) => command.started(line));
    expect(command.commandLine).toMatch(/^sudo -H -n -u root -- \/bin\/sh -c 'read -r _ _ _ _ fleet_pgid _ < \/proc\/\$\$\/stat 2>\/dev\/null; echo "FLEET-BECOME-OK-[0-9a-f]+ \$\{fleet_pgid:-\}" >&2; id -un'$/);
    expect(result).toMatchObject({ exitCode: 0, stdout: "root\n", stderr: "", becomeFailure: null });
  });

  it("kills the process group the command reported under sudo too, when it times out", async () => {
    const command = new ScriptedCommand((c) => {
      c.err(`${markerOf(c.commandLine)} 100\n`);
    });
    const result = await superviseCommand(request({ command: "sleep 100", become: { user: "root", password: undefined }, timeoutMs: 20 }), async (line) => command.started(line));
    expect(result.timedOut).toBe(true);
    expect(command.kills.at(-1)).toContain(100);
  });

  it("reports sudo's refusal as a become failure, not as the command's stderr", async () => {
    const command = new ScriptedCommand((c) => {
      c.err("sudo: a password is required\n");
      c.finish(1);
    });
    const result = await superviseCommand(request({ become: { user: "root", password: undefined } }), async (line) => command.started(line));
    expect(result).toMatchObject({ exitCode: 1, becomeFailure: "sudo: a password is required", stderr: "" });
  });

  it("answers the sudo prompt with the password on stdin, then sends the caller's stdin", async () => {
    const command = new ScriptedCommand((c) => {
      c.onStdin = (data) => {
        if (data === "s3cret\n") {
          c.err(`${markerOf(c.commandLine)}\n`);
          c.out("done\n");
          c.finish(0);
        }
      };
      c.err(promptOf(c.commandLine));
    });
    const result = await superviseCommand(request({ become: { user: "app", password: "s3cret" }, stdin: "payload" }), async (line) => command.started(line));
    expect(command.commandLine).not.toContain("s3cret");
    expect(command.commandLine).toMatch(/^sudo -H -S -p '\[fleet-sudo-[0-9a-f]+\] password:' -u app -- /);
    expect(command.stdin).toEqual(["s3cret\n", "payload"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: "done\n", becomeFailure: null, stderr: "" });
  });

  it("stops at a second prompt: the password was wrong", async () => {
    const command = new ScriptedCommand((c) => {
      c.onStdin = () => c.err(`Sorry, try again.\n${promptOf(c.commandLine)}`);
      c.err(promptOf(c.commandLine));
    });
    const result = await superviseCommand(request({ become: { user: "root", password: "bad" } }), async (line) => command.started(line));
    expect(command.kills).toHaveLength(1);
    expect(result.becomeFailure).toBe("sudo rejected the become password");
    expect(command.stdin).toEqual(["bad\n"]);
  });

  it("passes the starter's rejection through", async () => {
    await expect(superviseCommand(request(), () => Promise.reject(new Error("open failed")))).rejects.toThrow("open failed");
  });
});

describe("BecomeFilter", () => {
  it("finds the marker even when it is split across chunks and drops sudo's lecture", () => {
    const plan = planBecome("true", "root", undefined, "abc");
    const filter = new BecomeFilter(plan);
    expect(filter.feed("We trust you have received the usual lecture\nFLEET-BEC").output).toBe("");
    const rest = filter.feed("OME-OK-abc\nafter\n");
    expect(rest).toEqual({ output: "after\n", events: ["started"] });
    expect(filter.feed("more").output).toBe("more");
    expect(filter.failure()).toBeNull();
  });
});
