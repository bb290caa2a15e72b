import { describe, expect, it } from "vitest";
import { sshOk, testbed, testbedHost } from "../testbed.js";

const info = testbed();
const tbc1 = testbedHost("tbc1", info);
const tbc2 = testbedHost("tbc2", info);

describe("the testbed LXD cluster", () => {
  it("has two ONLINE members", async () => {
    const csv = await sshOk(tbc1, "lxc cluster list --format csv");
    const members = csv
      .trim()
      .split("\n")
      .map((line) => line.split(","))
      .map((fields) => ({ name: fields[0], online: fields.includes("ONLINE") }));
    expect(members).toEqual([
      { name: "tbc1", online: true },
      { name: "tbc2", online: true },
    ]);
  });

  it("shares cluster-wide config: a key set on tbc1 reads back on tbc2", async () => {
    await sshOk(tbc1, "lxc config set cluster.offline_threshold 25");
    try {
      expect((await sshOk(tbc2, "lxc config get cluster.offline_threshold")).trim()).toBe("25");
    } finally {
      await sshOk(tbc1, "lxc config unset cluster.offline_threshold");
    }
  });

  it("spreads its instances over both members", async () => {
    const csv = await sshOk(tbc2, "lxc list --format csv --columns nL");
    expect(csv.trim().split("\n").sort()).toEqual(["c1,tbc1", "c2,tbc2"]);
  });
});
