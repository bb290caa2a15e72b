/** The testbed's two faces of LXD: Debian-package hosts and hosts that look like the snap. */
import { describe, expect, it } from "vitest";
import { bootScript } from "../../testbed/host-files.js";
import { installKindOf, planLayout } from "../../testbed/layout.js";

describe("testbed install kinds", () => {
  it("tb1 and tb2 keep Debian's package; tb3 on and every cluster member look like the snap", () => {
    const layout = planLayout({ hosts: 4, cluster: 2 }, "/state");
    expect(layout.hosts.map((host) => `${host.name}:${host.install}`)).toEqual(["tb1:deb", "tb2:deb", "tb3:snap", "tb4:snap", "tbc1:snap", "tbc2:snap"]);
    expect(installKindOf("cluster", 1)).toBe("snap");
  });

  it("a package host boots lxd as before (--group root), with a syslog socket for lxd --syslog", () => {
    const [tb1] = planLayout({ hosts: 1, cluster: 0 }, "/state").hosts;
    if (tb1 === undefined) throw new Error("no tb1");
    const script = bootScript(tb1);
    expect(script).toContain("lxd --group root --logfile /state/hosts/tb1/lxd.log </dev/null >/dev/null 2>&1 &\necho $! > /state/hosts/tb1/lxd.pid\n");
    expect(script).toContain("syslog-sink.pl /state/hosts/tb1/syslog.sock /state/hosts/tb1/syslog.log");
    expect(script).toContain("if [ -S /state/hosts/tb1/syslog.sock ]; then\n  [ -e /var/run/syslog ] || : > /var/run/syslog\n  mount --bind /state/hosts/tb1/syslog.sock /var/run/syslog\nelse");
    expect(script).not.toContain("/snap");
  });

  it("a snap host: private /snap and /var/snap (mount points made only if absent), the LXD dir at the snap's path, the stand-in starts lxd", () => {
    const tbc1 = planLayout({ hosts: 0, cluster: 2 }, "/state").hosts[0];
    if (tbc1 === undefined) throw new Error("no tbc1");
    const script = bootScript(tbc1);
    expect(script).toContain(
      [
        "[ -d /snap ] || mkdir /snap",
        "mount --bind /state/hosts/tbc1/private/snap /snap",
        "[ -d /var/snap ] || mkdir /var/snap",
        "mount --bind /state/hosts/tbc1/private/var-snap /var/snap",
        "mount --bind /state/hosts/tbc1/private/var-lib-lxd /var/snap/lxd/common/lxd",
        "/usr/local/sbin/snap start lxd",
        "exec /usr/sbin/sshd",
      ].join("\n"),
    );
    expect(script).not.toContain("--group root");
    expect(script.indexOf("mount --bind /state/hosts/tbc1/syslog.sock")).toBeLessThan(script.indexOf("snap start lxd"));
  });
});
