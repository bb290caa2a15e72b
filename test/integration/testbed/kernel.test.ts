import { describe, expect, it } from "vitest";
import { sshOk, testbed, testbedHost } from "../testbed.js";

const info = testbed();
const tb1 = testbedHost("tb1", info);
const tb2 = testbedHost("tb2", info);

describe("the kernel the testbed hosts share", () => {
  it("loads audit rules with the real auditctl, visible from every host (one kernel)", async () => {
    const key = `fleet-testbed-${process.pid}`;
    await sshOk(tb1, `auditctl -w /etc/fleet-testbed-watch -p wa -k ${key}`);
    try {
      expect(await sshOk(tb1, "auditctl -l")).toContain(`-k ${key}`);
      expect(await sshOk(tb2, "auditctl -l")).toContain(`-k ${key}`);
    } finally {
      await sshOk(tb1, `auditctl -D -k ${key}`);
    }
    expect(await sshOk(tb1, "auditctl -l")).not.toContain(key);
  });

  it("exposes each LXD's instances with their expanded config", async () => {
    const instances = JSON.parse(await sshOk(tb1, "lxc query '/1.0/instances?recursion=1'")) as {
      name: string;
      expanded_config: Record<string, string>;
      expanded_devices: Record<string, Record<string, string>>;
    }[];
    const c2 = instances.find((instance) => instance.name === "c2");
    expect(c2?.expanded_config["security.privileged"]).toBe("true");
    expect(c2?.expanded_devices["root"]).toEqual({ path: "/", pool: "default", type: "disk" });
  });
});
