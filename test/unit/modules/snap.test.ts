import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { parseSnapList, snapList } from "../../../src/facts/snap-list.js";
import { snapConfig, type SnapConfig } from "../../../src/facts/snap.js";
import type { FactValue, RawProbe } from "../../../src/facts/types.js";
import { snapModule, storedText } from "../../../src/modules/snap.js";
import captured from "../../fixtures/facts/snap-standin.json" with { type: "json" };
import { planModule } from "../../support/plan-module.js";
import { planTwice } from "./idempotence.js";
import { applyHere, gatherHere } from "./local-host.js";

const fixture = captured as { config: Record<"empty" | "set" | "notInstalled" | "noSnap", RawProbe>; list: Record<"lxd" | "notInstalled", RawProbe> };
const options = (values: Record<string, string>): SnapConfig => ({ state: "config", options: values });
const lxd = (config: SnapConfig): Record<string, FactValue> => ({ "snap_config:lxd": config });
const LOG = { name: "lxd", config: { "daemon.syslog": true, "daemon.verbose": true } };

describe("snap_config fact", () => {
  it("parses the stand-in's flat document (captured)", () => {
    expect(snapConfig.parse(fixture.config.empty, "lxd")).toEqual(options({}));
    expect(snapConfig.parse(fixture.config.set, "lxd")).toEqual(options({ "daemon.syslog": "true", "daemon.group": "lxd-admins", "daemon.debug": "false" }));
    expect(snapConfig.parse(fixture.config.notInstalled, "hello")).toEqual({ state: "not_installed" });
    expect(snapConfig.parse(fixture.config.noSnap, "lxd")).toEqual({ state: "no_snap" });
  });

  it("parses snapd's nested document to the same dotted keys", () => {
    // snapd's format, not captured (no snapd here): cmd/snap/cmd_get.go prints json.MarshalIndent(conf, "", "\t"),
    // and `snap set` stored true/5 as JSON values.
    const stdout = '{\n\t"daemon": {\n\t\t"debug": false,\n\t\t"group": "lxd-admins",\n\t\t"syslog": true\n\t},\n\t"images": {\n\t\t"interval": 6\n\t},\n\t"list": [\n\t\t1,\n\t\t2\n\t]\n}\n';
    expect(snapConfig.parse({ stdout, stderr: "", exitCode: 0 }, "lxd")).toEqual(
      options({ "daemon.debug": "false", "daemon.group": "lxd-admins", "daemon.syslog": "true", "images.interval": "6", list: "[1,2]" }),
    );
  });

  it("another snap failure is an error state; output that is not JSON makes no sense", () => {
    expect(snapConfig.parse({ stdout: "", stderr: "error: cannot communicate with server: connection refused\n", exitCode: 1 }, "lxd")).toEqual({
      state: "error",
      message: "error: cannot communicate with server: connection refused",
    });
    expect(() => snapConfig.parse({ stdout: "Key  Value\n", stderr: "", exitCode: 0 }, "lxd")).toThrow(/cannot read fact snap_config:lxd/);
    expect(() => snapConfig.parse({ stdout: "[]\n", stderr: "", exitCode: 0 }, "lxd")).toThrow(/not an object/);
  });
});

describe("snap_list fact", () => {
  it("parses the stand-in's table (captured)", () => {
    expect(snapList.parse(fixture.list.lxd, "lxd")).toEqual({ state: "installed", version: "5.0.2", revision: "00000", tracking: "5.0/stable", publisher: "canonical**", notes: "-" });
    expect(snapList.parse(fixture.list.notInstalled, "hello")).toEqual({ state: "not_installed" });
  });

  it("parses snapd's tables by their headers", () => {
    // snapd's formats, not captured here: today's columns, a snap installed from a file, and an old snapd without Tracking.
    expect(parseSnapList("Name  Version         Rev    Tracking     Publisher   Notes\nlxd   5.21.1-2d13beb  28463  5.21/stable  canonical✓  -\n", "lxd")).toMatchObject({
      tracking: "5.21/stable",
      version: "5.21.1-2d13beb",
      publisher: "canonical✓",
    });
    expect(parseSnapList("Name  Version  Rev  Tracking  Publisher  Notes\nlxd   git-1    x1   -         -          -\n", "lxd")).toMatchObject({ tracking: null, revision: "x1" });
    expect(parseSnapList("Name  Version  Rev   Developer  Notes\nlxd   3.0.3    9239  canonical  -\n", "lxd")).toMatchObject({ tracking: null, publisher: "canonical" });
    expect(snapList.parse({ stdout: "", stderr: "error: no matching snaps installed\n", exitCode: 1 }, "lxd")).toEqual({ state: "not_installed" });
    expect(() => parseSnapList("garbage\n", "lxd")).toThrow(/cannot read fact snap_list:lxd/);
  });
});

describe("snap: plans", () => {
  it.each([
    ["the stand-in's text", options({ "daemon.syslog": "true", "daemon.verbose": "true" })],
    ["snapd's JSON values", snapConfig.parse({ stdout: '{"daemon": {"syslog": true, "verbose": true}}', stderr: "", exitCode: 0 }, "lxd")],
  ])("ok with %s", (_, config) => {
    expect(planModule(snapModule, LOG, lxd(config)).plan).toEqual({ kind: "ok", reason: "already set on lxd: daemon.syslog=true, daemon.verbose=true" });
  });

  it("sets only the options that differ, in one snap set", () => {
    const { plan } = planModule(snapModule, { name: "lxd", config: { "daemon.syslog": true, "daemon.verbose": "true", "daemon.group": "lxd admins" } }, lxd(options({ "daemon.syslog": "true", "daemon.verbose": "false" })));
    expect(plan).toEqual({
      kind: "change",
      summary: "set daemon.verbose=true, daemon.group=lxd admins on lxd",
      diff: { before: "daemon.verbose=false\ndaemon.group unset\n", after: "daemon.verbose=true\ndaemon.group=lxd admins\n" },
      commands: [
        { script: `PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"\nsnap set lxd daemon.verbose=true 'daemon.group=lxd admins'`, description: "snap set lxd daemon.verbose=true daemon.group=lxd admins" },
      ],
      effects: [{ request: expect.objectContaining({ arg: "lxd" }), value: options({ "daemon.syslog": "true", "daemon.verbose": "true", "daemon.group": "lxd admins" }) }],
      expected: "daemon.verbose=true, daemon.group=lxd admins",
      actual: "daemon.verbose=false, daemon.group unset",
    });
  });

  it("restart: snap restart after the set", () => {
    const { plan } = planModule(snapModule, { ...LOG, restart: true }, lxd(options({})));
    if (plan.kind !== "change") throw new Error("expected a change");
    expect(plan.summary).toBe("set daemon.syslog=true, daemon.verbose=true on lxd; restart lxd");
    expect(plan.commands.map((command) => command.script)).toEqual([
      `PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"\nsnap set lxd daemon.syslog=true daemon.verbose=true`,
      `PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"\nsnap restart lxd`,
    ]);
  });

  it("an option named like an Object property is just an option", () => {
    const { plan } = planModule(snapModule, { name: "lxd", config: { constructor: "x" } }, lxd(options({})));
    expect(plan.kind === "change" && plan.diff).toEqual({ before: "constructor unset\n", after: "constructor=x\n" });
  });

  it("no restart when nothing changes", () => {
    expect(planModule(snapModule, { ...LOG, restart: true }, lxd(options({ "daemon.syslog": "true", "daemon.verbose": "true" }))).plan.kind).toBe("ok");
  });

  it.each([
    [{ state: "no_snap" }, { kind: "not_applicable", reason: "snap not installed" }],
    [{ state: "not_installed" }, { kind: "not_applicable", reason: "snap lxd is not installed" }],
    [{ state: "error", message: "error: cannot communicate with server" }, { kind: "error", message: "snap get -d lxd failed: error: cannot communicate with server" }],
  ])("%j", (config, expected) => {
    expect(planModule(snapModule, LOG, lxd(config as SnapConfig)).plan).toEqual(expected);
  });

  it("what snapd stores for a value", () => {
    expect([storedText("true"), storedText("5"), storedText("1.50"), storedText('"quoted"'), storedText("lxd"), storedText("5.21/stable")]).toEqual(["true", "5", "1.5", "quoted", "lxd", "5.21/stable"]);
  });
});

describe("snap: idempotence (apply the effects, plan again → ok)", () => {
  it.each([
    ["nothing set", options({})],
    ["other options kept", options({ "daemon.group": "lxd", "daemon.syslog": "false" })],
    ["snapd JSON", snapConfig.parse({ stdout: '{"daemon": {"syslog": false}, "ceph": {"external": true}}', stderr: "", exitCode: 0 }, "lxd")],
  ])("%s", (_, config) => {
    const raw = { name: "lxd", config: { "daemon.syslog": true, "daemon.verbose": "true", "images.interval": 1.5, "daemon.group": '"quoted"' }, restart: true };
    expect(planTwice(snapModule, raw, lxd(config)).second.kind).toBe("ok");
  });
});

describe("snap: argument errors name their path", () => {
  it.each([
    [{ config: { a: "1" } }, "name"],
    [{ name: "LXD", config: { a: "1" } }, "name"],
    [{ name: "lxd" }, "config"],
    [{ name: "lxd", config: {} }, "config"],
    [{ name: "lxd", config: { "Daemon.Syslog": true } }, "config.Daemon.Syslog"],
    [{ name: "lxd", config: { "daemon.syslog": null } }, "config.daemon.syslog"],
    [{ name: "lxd", config: { "daemon.group": "" } }, "config.daemon.group"],
    [{ name: "lxd", config: { "daemon.group": "null" } }, "config.daemon.group"],
    [{ name: "lxd", config: { daemon: '{"syslog": true}' } }, "config.daemon"],
    [{ name: "lxd", config: { daemon: "x", "daemon.syslog": true } }, "config.daemon.syslog"],
    [{ name: "lxd", config: { a: "1" }, restart: "yes" }, "restart"],
    [{ name: "lxd", config: { a: "1" }, channel: "5.21/stable" }, ""],
  ])("%j → %s", (raw, at) => {
    const result = snapModule.args.safeParse(raw);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toContain(at);
  });
});

describe("snap: the generated scripts, run for real against the testbed's stand-in", () => {
  const standIn = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../testbed/snap-standin.sh");
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-snap-"));
  const bin = path.join(dir, "bin");
  mkdirSync(bin);
  symlinkSync(standIn, path.join(bin, "snap"));
  const state = path.join(dir, "lxd.options");
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}`, FLEET_SNAP_STATE: state };
  beforeEach(() => writeFileSync(state, "daemon.group=lxd\ndaemon.syslog=false\n"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("set, then ok; the re-read facts equal the predicted effects", () => {
    const raw = { name: "lxd", config: { "daemon.syslog": true, "daemon.verbose": true, "daemon.user.group": "lxd users" } };
    const plan = planModule(snapModule, raw, gatherHere(snapModule, raw, env)).plan;
    if (plan.kind !== "change") throw new Error(`expected a change, got ${JSON.stringify(plan)}`);
    expect(applyHere(plan.commands, env)).toMatchObject({ exitCode: 0, stderr: "" });
    const after = gatherHere(snapModule, raw, env);
    expect(after["snap_config:lxd"]).toEqual(plan.effects[0]?.value);
    expect(planModule(snapModule, raw, after).plan).toEqual({ kind: "ok", reason: "already set on lxd: daemon.syslog=true, daemon.verbose=true, daemon.user.group=lxd users" });
    expect(readFileSync(state, "utf8")).toBe("daemon.group=lxd\ndaemon.syslog=true\ndaemon.verbose=true\ndaemon.user.group=lxd users\n");
  });

  it("a snap the stand-in does not know is not applicable", () => {
    const raw = { name: "hello", config: { a: "1" } };
    expect(planModule(snapModule, raw, gatherHere(snapModule, raw, env)).plan).toEqual({ kind: "not_applicable", reason: "snap hello is not installed" });
  });

  it("the snap list probe reads the stand-in's Tracking column", () => {
    const probed = snapList.parse(applyHere([{ script: snapList.probe("lxd"), description: "" }], env), "lxd");
    expect(probed).toMatchObject({ state: "installed", tracking: "5.0/stable" });
  });
});
