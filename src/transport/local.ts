import { spawn } from "node:child_process";
import type { HostConnection } from "../inventory/types.js";
import { type RunningCommand, superviseCommand } from "./command-supervisor.js";
import { TransportError } from "./errors.js";
import { withoutSecrets } from "./secret-env.js";
import type { Connection, ExecOptions, ExecResult, Transport } from "./types.js";

export interface LocalTransportOptions {
  outputLimit: number;
  becomePassword: string | undefined;
}

/** ansible_connection=local: commands run on this machine through /bin/sh, same interface as SSH. */
export class LocalTransport implements Transport {
  constructor(private readonly options: LocalTransportOptions) {}

  connect(target: HostConnection): Promise<Connection> {
    return Promise.resolve(new LocalConnection(target, this.options));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

class LocalConnection implements Connection {
  readonly host: string;

  constructor(
    private readonly target: HostConnection,
    private readonly options: LocalTransportOptions,
  ) {
    this.host = target.host;
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const become = options.become ?? this.target.become;
    return superviseCommand(
      {
        command,
        become: become ? { user: options.becomeUser ?? this.target.becomeUser, password: this.options.becomePassword } : undefined,
        timeoutMs: options.timeoutMs,
        stdin: options.stdin,
        outputLimit: this.options.outputLimit,
        signal: options.signal,
      },
      (line) => startLocal(line, this.host),
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function startLocal(commandLine: string, host: string): Promise<RunningCommand> {
  return new Promise((resolve, reject) => {
    // detached: its own process group, so a timeout kills the whole pipeline, not just the shell;
    // the become password and key passphrase stay with fleet (a command such as `env` would print them)
    const child = spawn("/bin/sh", ["-c", commandLine], { stdio: ["pipe", "pipe", "pipe"], detached: true, env: withoutSecrets(process.env) });
    child.once("error", (error) => reject(new TransportError("local-spawn", host, `cannot start /bin/sh: ${error.message}`)));
    child.once("spawn", () => {
      child.stdin.on("error", () => {});
      resolve({
        onStdout: (listener) => child.stdout.on("data", listener),
        onStderr: (listener) => child.stderr.on("data", listener),
        onExit: (listener) => child.once("close", (code, signal) => listener({ code, signal })),
        writeStdin: (data) => {
          if (child.stdin.writable) child.stdin.write(data);
        },
        endStdin: () => child.stdin.end(),
        kill: () => {
          // our own child is the group leader: no need for the remote process group
          if (child.pid === undefined) return;
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {
            // already gone
          }
        },
      });
    });
  });
}
