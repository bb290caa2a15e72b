import { describe, expect, it } from "vitest";
import { sshOk, testbedHost } from "../testbed.js";
import { info, isolatedTransport, targetFor } from "./helpers.js";

describe("--timeout with a non-root login and become", () => {
  it("kills the root command and everything it started, on the host", async () => {
    const transport = await isolatedTransport();
    const marker = `sleep ${1000 + Math.floor(Math.random() * 8000)}`;
    try {
      const connection = await transport.connect(targetFor("tb1", { user: "fleet" }));
      const result = await connection.exec(marker, { become: true, timeoutMs: 1_500 });
      expect(result.timedOut).toBe(true);
      // the kill goes out on a side channel: give it a moment before the connection closes
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await connection.close();
    } finally {
      await transport.close();
    }
    // "[s]leep": the pattern must not match the shell that runs pgrep
    const left = await sshOk(testbedHost("tb1", info), `pgrep -f '[s]${marker.slice(1)}' || echo none`);
    expect(left.trim()).toBe("none");
  });
});
