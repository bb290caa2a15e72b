import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { lxdQuery } from "../../../src/facts/lxd/query.js";

describe("lxdQuery", () => {
  it("says the daemon is not running without starting lxc when no socket is where lxc looks", () => {
    expect(lxdQuery.parse({ stdout: "fleet:no-daemon\n", stderr: "", exitCode: 0 }, "/1.0")).toEqual({ ok: false, reason: "error", message: "the LXD daemon is not running (no unix socket at /var/snap/lxd/common/lxd/unix.socket or /var/lib/lxd/unix.socket)" });
    expect(lxdQuery.parse({ stdout: "fleet:no-lxd\n", stderr: "", exitCode: 0 }, "/1.0")).toMatchObject({ ok: false, reason: "no-lxd" });
    expect(lxdQuery.parse({ stdout: '{"api_version": "1.0"}\n', stderr: "", exitCode: 0 }, "/1.0")).toEqual({ ok: true, value: { api_version: "1.0" } });
  });

  it("the probe is valid sh and its answer on this machine parses (no LXD, no daemon, or a real answer)", () => {
    const out = execFileSync("/bin/sh", ["-c", `${lxdQuery.probe("/1.0")}; true`], { encoding: "utf8", env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin" } });
    const result = lxdQuery.parse({ stdout: out, stderr: "", exitCode: 0 }, "/1.0");
    expect(result.ok ? "answer" : result.reason).toMatch(/^(answer|no-lxd|error)$/);
  });
});
