import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { sshOk, testbed, testbedHost } from "../testbed.js";

const info = testbed();
const tb1 = testbedHost("tb1", info);
const tb2 = testbedHost("tb2", info);

describe("each testbed host has its own private state", () => {
  it("keeps LXD server config per host (tb1's value is not seen on tb2)", async () => {
    const mark = `mark-${process.pid}`;
    await sshOk(tb1, `lxc config set user.fleet-test ${mark}`);
    try {
      expect((await sshOk(tb1, "lxc config get user.fleet-test")).trim()).toBe(mark);
      expect((await sshOk(tb2, "lxc config get user.fleet-test")).trim()).toBe("");
    } finally {
      await sshOk(tb1, "lxc config unset user.fleet-test");
    }
  });

  it("keeps /etc/sysctl.d per host, and apart from the machine's own", async () => {
    const file = `/etc/sysctl.d/90-fleet-test-${process.pid}.conf`;
    await sshOk(tb1, `echo 'kernel.dmesg_restrict = 1' > ${file}`);
    try {
      expect(await sshOk(tb1, `cat ${file}`)).toContain("dmesg_restrict");
      expect((await sshOk(tb2, `test -e ${file} && echo present || echo absent`)).trim()).toBe("absent");
      expect(existsSync(file)).toBe(false);
    } finally {
      await sshOk(tb1, `rm -f ${file}`);
    }
  });

  it("starts each host's private directories from the machine's content", async () => {
    expect(await sshOk(tb1, "ls /etc/sysctl.d")).toContain("99-sysctl.conf");
  });

  it("has a snap stand-in whose options are per host", async () => {
    await sshOk(tb1, "snap set lxd daemon.debug=true");
    try {
      expect((await sshOk(tb1, "snap get lxd daemon.debug")).trim()).toBe("true");
      expect((await sshOk(tb2, "snap get lxd daemon.debug 2>&1 || true")).trim()).toMatch(/has no "daemon.debug"/);
      expect(await sshOk(tb1, "snap list lxd")).toMatch(/^lxd\s+\S+/m);
    } finally {
      await sshOk(tb1, "snap unset lxd daemon.debug");
    }
  });

  it("has a dir storage pool and empty instances to judge", async () => {
    expect(await sshOk(tb1, "lxc storage list --format csv")).toMatch(/^default,dir,/m);
    const instances = await sshOk(tb1, "lxc list --format csv --columns n");
    expect(instances.split("\n")).toEqual(expect.arrayContaining(["c1", "c2"]));
  });
});
