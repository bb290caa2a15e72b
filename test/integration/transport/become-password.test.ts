/**
 * become with a password, against the real sudo of the testbed's `fleetpw` account (its sudo
 * asks for a password). The password must reach sudo on stdin only: never in a command line,
 * in the output, or in fleet's reports.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import "../../../src/cli/commands/index.js";
import { runCli } from "../../../src/cli/program.js";
import { captureIo } from "../../support/capture-io.js";
import { passwordSudoAccount } from "../testbed.js";
import { info, targetFor, tempDir, transportPool } from "./helpers.js";

const account = passwordSudoAccount();
const pool = transportPool();
afterAll(pool.closeAll);

describe("become with a sudo password (real sudo on the testbed)", () => {
  it("refuses without a password: sudo -n cannot prompt", async () => {
    const connection = await (await pool.transport()).connect(targetFor("tb2", { user: account.user }));
    const result = await connection.exec("id -un", { become: true });
    await connection.close();
    expect(result.exitCode).not.toBe(0);
    expect(result.becomeFailure).toMatch(/password/i);
  });

  it("runs as root with the right password, which appears in no process's command line", async () => {
    const connection = await (await pool.transport({ becomePassword: account.password })).connect(targetFor("tb2", { user: account.user }));
    const result = await connection.exec("id -un; cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '", { become: true });
    await connection.close();
    expect(result.becomeFailure).toBeNull();
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe("root");
    expect(result.stdout).toContain("sudo"); // the process list was really read
    expect(result.stdout).not.toContain(account.password);
    expect(result.stderr).not.toContain(account.password);
  });

  it("reports a wrong password as a become failure, without hanging", async () => {
    const connection = await (await pool.transport({ becomePassword: "not-the-password" })).connect(targetFor("tb2", { user: account.user }));
    const result = await connection.exec("id -un", { become: true, timeoutMs: 30_000 });
    await connection.close();
    expect(result.timedOut).toBe(false);
    expect(result.stdout).toBe("");
    expect(result.becomeFailure).toMatch(/password/i);
  });

  it("fleet exec takes the password from FLEET_BECOME_PASSWORD and never prints it", async () => {
    const { io, stdout, stderr } = captureIo({ FLEET_BECOME_PASSWORD: account.password });
    // the testbed inventory logs in as root; log in as the password-sudo account instead
    const inventory = `${tempDir()}/inventory.yml`;
    writeFileSync(inventory, readFileSync(info.inventoryFile, "utf8").replace("ansible_user: root", `ansible_user: ${account.user}`));
    const args = ["exec", "-i", inventory, "--ssh-config", `${tempDir()}/none`, "-l", "tb1,tb3", "--become", "--json", "--", "id -un"];
    expect(await runCli(args, io)).toBe(0);
    const hosts = (JSON.parse(stdout()) as { hosts: { name: string; stdout: string }[] }).hosts;
    expect(hosts.map((host) => [host.name, host.stdout])).toEqual([
      ["tb1", "root\n"],
      ["tb3", "root\n"],
    ]);
    expect(stdout() + stderr()).not.toContain(account.password);
  });
});
