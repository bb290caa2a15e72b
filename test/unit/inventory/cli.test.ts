import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import "../../../src/cli/commands/inventory.js";
import { runCli } from "../../../src/cli/program.js";
import { captureIo } from "../../support/capture-io.js";
import { fixturesRoot } from "../../fixtures/inventory/ansible-inventory.js";

async function fleet(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, stdout, stderr } = captureIo(env);
  const code = await runCli(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

const clusters = join(fixturesRoot, "lxd-clusters");
const clustersInventory = join(clusters, "hosts.yml");

describe("fleet inventory", () => {
  test("--list prints ansible-inventory's JSON", async () => {
    const result = await fleet(["inventory", "-i", clustersInventory, "--list"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync(join(clusters, "list.json"), "utf8")));
    expect(result.stdout).toMatch(/^\{\n {4}"_meta": \{\n {8}"hostvars": \{/);
  });

  test("--graph prints the group tree", async () => {
    const result = await fleet(["inventory", "-i", clustersInventory, "--graph"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(readFileSync(join(clusters, "graph.txt"), "utf8"));
  });

  test("--host prints one host's merged variables", async () => {
    const result = await fleet(["inventory", "-i", clustersInventory, "--host", "tbd1"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('{\n    "ansible_user": "fleet",\n    "lxd_cluster": "edge"\n}\n');
  });

  test("-l narrows --list and --graph; groups without a selected host are left out", async () => {
    const list = await fleet(["inventory", "-i", clustersInventory, "--list", "-l", "cluster1"]);
    expect(list.code).toBe(0);
    const parsed = JSON.parse(list.stdout) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(["_meta", "all", "cluster1", "clusters", "monitoring"]);
    expect(parsed["monitoring"]).toEqual({ hosts: ["tbc1"] });
    const graph = await fleet(["inventory", "-i", clustersInventory, "--graph", "-l", "tb2"]);
    expect(graph.stdout).toBe("@all:\n  |--@standalone:\n  |  |--tb2\n");
  });

  test("FLEET_INVENTORY is used when -i is absent", async () => {
    const result = await fleet(["inventory", "--graph"], { FLEET_INVENTORY: clustersInventory });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("@cluster1:");
  });

  test("-i may repeat", async () => {
    const a = join(fixturesRoot, "two-sources", "site-a", "hosts.yml");
    const b = join(fixturesRoot, "two-sources", "site-b", "hosts.ini");
    const result = await fleet(["inventory", "-i", a, "-i", b, "--list"]);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync(join(fixturesRoot, "two-sources", "list.json"), "utf8")));
  });
});

describe("fleet inventory exit codes", () => {
  test.each<[string, string[], NodeJS.ProcessEnv, RegExp]>([
    ["no action", ["inventory", "-i", clustersInventory], {}, /no action given/],
    ["two actions", ["inventory", "-i", clustersInventory, "--list", "--graph"], {}, /only one of --list, --graph and --host/],
    ["no inventory", ["inventory", "--list"], {}, /no inventory given \[INVENTORY_NO_SOURCE\]\n {2}hint: pass -i/],
    ["a limit matching nothing", ["inventory", "-i", clustersInventory, "--list", "-l", "tbc3"], {}, /"tbc3" matches no group or host.*\n.*did you mean "tbc1"/],
    ["--host of an unknown host", ["inventory", "-i", clustersInventory, "--host", "nosuch"], {}, /"nosuch" matches no group or host/],
    ["--host of a group", ["inventory", "-i", clustersInventory, "--host", "cluster1"], {}, /--host cluster1 matches 2 hosts/],
    ["an unknown option", ["inventory", "--lsit"], {}, /unknown option/],
  ])("%s: exit 5", async (_name, args, env, message) => {
    const result = await fleet(args, env);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe("");
  });

  test("bad inventory files: exit 4, every problem located, with a hint, no stack trace", async () => {
    const bad = join(fixturesRoot, "errors", "ini-errors", "hosts.ini");
    const result = await fleet(["inventory", "-i", bad, "--list"]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`${bad}:2:1: expected key=value after the host name, got "stray" [INVENTORY_INI_SYNTAX]`);
    expect(result.stderr.match(/\[INVENTORY_[A-Z_]+\]/g)).toHaveLength(6);
    expect(result.stderr.match(/\n {2}hint: /g)).toHaveLength(6);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
