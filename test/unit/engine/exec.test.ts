import { describe, expect, it } from "vitest";
import { type ExecHostResult, runExec } from "../../../src/engine/exec.js";
import { FakeTransport, type FakeReply } from "../../../src/transport/fake.js";
import { targetsNamed } from "./targets.js";

describe("runExec", () => {
  it.each<{ name: string; reply: FakeReply; status: ExecHostResult["status"]; message: string | null }>([
    { name: "exit 0", reply: { stdout: "ok\n" }, status: "ok", message: null },
    { name: "exit 1 with stderr", reply: { exitCode: 1, stderr: "first\nlast line\n" }, status: "failed", message: "exit 1: last line" },
    { name: "command not found", reply: { exitCode: 127, stderr: "sh: 1: nope: not found\n" }, status: "failed", message: "exit 127: command not found: sh: 1: nope: not found" },
    { name: "not executable", reply: { exitCode: 126 }, status: "failed", message: "exit 126: found but not executable (permission denied or not a binary)" },
    { name: "exit 255", reply: { exitCode: 255 }, status: "failed", message: "exit 255: exited 255 (often an ssh run inside the command failing)" },
    { name: "killed by a signal", reply: { exitCode: null, signal: "SIGSEGV" }, status: "failed", message: "killed by signal SIGSEGV" },
    { name: "exit 137", reply: { exitCode: 137 }, status: "failed", message: "exit 137: killed by signal 9" },
    { name: "timeout", reply: { exitCode: null, timedOut: true }, status: "failed", message: "timed out after 2 s; killed" },
    { name: "become refused", reply: { exitCode: 1, becomeFailure: "sudo: a password is required" }, status: "failed", message: "become failed: sudo: a password is required" },
    { name: "connection lost", reply: { lose: true }, status: "unreachable", message: "h1: fake connection lost" },
  ])("$name → $status", async ({ reply, status, message }) => {
    const transport = new FakeTransport(() => ({ reply: () => reply }));
    const [result] = await runExec(targetsNamed(1), transport, "cmd", { forks: 1, handshakes: 1, timeoutMs: 2000 });
    expect(result?.status).toBe(status);
    expect(result?.message).toBe(message);
  });

  it("passes become and the timeout to every command and reports hosts as they finish", async () => {
    const transport = new FakeTransport((host) => (host === "h2" ? { unreachable: "host-key-changed" } : {}));
    const done: string[] = [];
    const results = await runExec(targetsNamed(3), transport, "uptime", { forks: 2, handshakes: 2, become: true, timeoutMs: 500, onHostDone: (result) => done.push(`${result.host}:${result.status}`) });
    expect(results.map((result) => result.status)).toEqual(["ok", "unreachable", "ok"]);
    expect(results[1]).toMatchObject({ code: "SSH_HOST_KEY_CHANGED", result: null });
    expect(done.sort()).toEqual(["h1:ok", "h2:unreachable", "h3:ok"]);
    const execs = transport.events.filter((event) => event.event === "exec");
    expect(execs.map((event) => event.event === "exec" && event.options)).toEqual([{ become: true, timeoutMs: 500 }, { become: true, timeoutMs: 500 }]);
  });
});
