import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { changeBody } from "../../../src/engine/apply.js";
import { commandOutput, commandOutputArg } from "../../../src/facts/command-output.js";
import { shellReadingScript, underTimeout } from "../../../src/facts/here-document.js";

/** Runs a script as a section of the apply script runs: in a subshell with stdin closed. */
function runSection(body: string, stdin = ""): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-s"], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(`(\n${body}\n) </dev/null\necho "rc=$?"\n${stdin}`);
  });
}

/** The command lines of every process of this machine that hold `text`. */
function commandLinesHolding(text: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const line = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      if (line.includes(text)) found.push(`${entry}: ${line}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe("a task with timeout: its script never on a command line", () => {
  test("the body is not in any process's argv while it runs", async () => {
    const secret = `fleet-argv-secret-${process.pid}-${Date.now()}`;
    const running = runSection(changeBody({ commands: [{ script: `: ${secret}\nsleep 1.5\necho done`, description: "" }], continueOnFailure: false, timeoutSeconds: 30 }));
    await new Promise((resolve) => setTimeout(resolve, 700));
    const seen = commandLinesHolding(secret);
    const outcome = await running;
    expect(outcome.stdout).toBe("done\nrc=0\n");
    expect(seen).toEqual([]);
  });

  test("stdin stays what the caller gave (not the script), set -e and exit codes hold, the timeout kills", async () => {
    const body = (script: string, timeoutSeconds = 10): string => changeBody({ commands: [{ script, description: "" }], continueOnFailure: false, timeoutSeconds });
    // cat reads nothing, and the script after the section still runs: nothing of it was consumed
    expect((await runSection(body("cat; echo after-cat"), "echo script-goes-on\n")).stdout).toBe("after-cat\nrc=0\nscript-goes-on\n");
    expect((await runSection(body("false\necho not-reached"))).stdout).toBe("rc=1\n");
    expect((await runSection(body("exit 7"))).stdout).toBe("rc=7\n");
    expect((await runSection(body("printf '%s\\n' \"$0\" '$HOME' 'FLEET_END'"))).stdout).toBe("sh\n$HOME\nFLEET_END\nrc=0\n");
    const started = Date.now();
    expect((await runSection(body("sleep 20", 1))).stdout).toBe("rc=124\n");
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  test("a read-only command under timeout reads its script from stdin too", async () => {
    const secret = `fleet-probe-secret-${process.pid}`;
    const probe = commandOutput.probe(commandOutputArg({ script: `echo ${secret} | wc -c; sleep 1`, task: "0/0", timeoutSeconds: 5, chdir: "/tmp" }));
    expect(probe).not.toMatch(/sh -c/);
    const running = runSection(probe);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const seen = commandLinesHolding(secret);
    expect((await running).stdout).toBe(`${secret.length + 1}\nrc=0\n`);
    expect(seen).toEqual([]);
  });

  test("the delimiter is quoted, derived from the script, and never a line of it", () => {
    expect(underTimeout("echo $HOME", 3, "END_X")).toBe("timeout -k 5 3 sh -s 3<&0 <<'END_X'\n{\necho $HOME\n} <&3 3<&-\nEND_X");
    expect(() => underTimeout("a\nEND_X\nb", 3, "END_X")).toThrow(/occurs in the script/);
    expect(underTimeout("x", 3)).toBe(underTimeout("x", 3));
    expect(underTimeout("x", 3)).not.toBe(underTimeout("y", 3));
  });

  test("nested: a script that starts a shell reading a here-document, under timeout", async () => {
    const inner = shellReadingScript("/bin/sh", "cat; printf '%s\\n' inner \"$0\"");
    expect((await runSection(underTimeout(`set -e\n${inner}\necho outer`, 10))).stdout).toBe("inner\n/bin/sh\nouter\nrc=0\n");
  });
});
