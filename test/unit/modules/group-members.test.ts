import { afterAll, describe, expect, it } from "vitest";
import { groupEntry, primaryGroupUsers, type GroupEntry } from "../../../src/facts/group.js";
import type { FactValue, RawProbe } from "../../../src/facts/types.js";
import { groupMembersModule } from "../../../src/modules/group-members.js";
import captured from "../../fixtures/facts/group.json" with { type: "json" };
import { planModule } from "../../support/plan-module.js";
import { planTwice } from "./idempotence.js";
import { applyHere, gatherHere, isRoot, sh } from "./local-host.js";

const fixture = captured as { group: Record<string, RawProbe>; primaryGroupUsers: Record<string, RawProbe> };
const raw = (table: Record<string, RawProbe>, name: string): RawProbe => {
  const probe = table[name];
  if (probe === undefined) throw new Error(`no fixture for ${name}`);
  return probe;
};
const group = (members: string[], gid = 105): GroupEntry => ({ exists: true, gid, members });
const facts = (entry: GroupEntry, primary: string[] | null = []): Record<string, FactValue> => ({ "group:lxd": entry, "primary_group_users:lxd": primary });

describe("group facts, on what getent and /etc/passwd gave on this machine", () => {
  it.each([
    ["ssl-cert", { exists: true, gid: 103, members: ["postgres"] }],
    ["lxd", { exists: true, gid: 105, members: [] }],
    ["root", { exists: true, gid: 0, members: [] }],
    ["fleet-no-such-group", { exists: false }],
  ])("getent group %s", (name, expected) => {
    expect(groupEntry.parse(raw(fixture.group, name), name)).toEqual(expected);
  });

  it.each([
    ["lxd", ["_lxd"]],
    ["nogroup", ["sync", "_apt", "nobody", "sshd"]],
    ["ssl-cert", []],
    ["fleet-no-such-group", null],
  ])("primary group users of %s", (name, expected) => {
    expect(primaryGroupUsers.parse(raw(fixture.primaryGroupUsers, name), name)).toEqual(expected);
  });

  it("several members, and output that makes no sense", () => {
    expect(groupEntry.parse({ stdout: "lxd:x:998:alice,bob,carol\n", stderr: "", exitCode: 0 }, "lxd")).toEqual(group(["alice", "bob", "carol"], 998));
    expect(() => groupEntry.parse({ stdout: "fleet:getent-exit:1\n", stderr: "", exitCode: 0 }, "lxd")).toThrow(/cannot read fact group:lxd/);
  });

  it("the probes quote the group", () => {
    expect(groupEntry.probe("lxd admins")).toBe(`getent group -- 'lxd admins' || echo "fleet:getent-exit:$?"`);
  });
});

describe("group_members: plans", () => {
  it.each([
    [{ group: "lxd", allowed: ["alice"] }, facts(group(["alice"])), "members of lxd: alice, all allowed"],
    [{ group: "lxd", allowed: [] }, facts(group([])), "members of lxd: none, all allowed"],
    [{ group: "lxd", allowed: ["alice", "_lxd"] }, facts(group(["alice"]), ["_lxd"]), "members of lxd: alice, _lxd, all allowed"],
    [{ group: "lxd", allowed: ["alice"] }, facts({ exists: false }, null), "group lxd does not exist"],
  ])("%j is ok", (args, given, reason) => {
    expect(planModule(groupMembersModule, args, given).plan).toMatchObject({ kind: "ok", reason });
  });

  it("removes each member not allowed with gpasswd -d", () => {
    const { plan } = planModule(groupMembersModule, { group: "lxd", allowed: ["alice"] }, facts(group(["bob", "alice", "eve"])));
    expect(plan).toEqual({
      kind: "change",
      summary: "remove bob, eve from group lxd",
      diff: { before: "bob\nalice\neve\n", after: "alice\n" },
      commands: [
        { script: `PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"\nfleet_out=$(gpasswd -d bob lxd 2>&1) || case "$fleet_out" in *"is not a member"*) ;; *) printf '%s\\n' "$fleet_out" >&2; :; exit 1 ;; esac`, description: "remove bob from group lxd" },
        { script: `PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"\nfleet_out=$(gpasswd -d eve lxd 2>&1) || case "$fleet_out" in *"is not a member"*) ;; *) printf '%s\\n' "$fleet_out" >&2; :; exit 1 ;; esac`, description: "remove eve from group lxd" },
      ],
      effects: [{ request: expect.objectContaining({ arg: "lxd" }), value: group(["alice"]) }],
      expected: "members of lxd within: alice",
      actual: "members: bob, alice, eve",
    });
  });

  it("names quoted for the shell", () => {
    const { plan } = planModule(groupMembersModule, { group: "lxd", allowed: [] }, facts(group(["smb$"])));
    expect(plan.kind === "change" && plan.commands[0]?.script).toContain("gpasswd -d 'smb$' lxd");
  });

  it("fails naming the accounts whose primary group it is", () => {
    expect(planModule(groupMembersModule, { group: "lxd", allowed: ["alice"] }, facts(group(["alice", "bob"]), ["_lxd"])).plan).toEqual({
      kind: "fail",
      message: "_lxd has lxd as primary group, which gpasswd -d cannot remove (change it with usermod -g); also not allowed: bob",
      expected: "members of lxd within: alice",
      actual: "members: alice, bob; primary group of: _lxd",
    });
    expect(planModule(groupMembersModule, { group: "lxd", allowed: [] }, facts(group([]), ["_lxd", "carol"])).plan).toMatchObject({
      kind: "fail",
      message: "_lxd, carol have lxd as primary group, which gpasswd -d cannot remove (change it with usermod -g)",
    });
  });

  it("a check-mode plan is the same data", () => {
    const given = facts(group(["bob"]));
    expect(planModule(groupMembersModule, { group: "lxd", allowed: [] }, given, { check: true }).plan).toEqual(planModule(groupMembersModule, { group: "lxd", allowed: [] }, given).plan);
  });
});

describe("group_members: idempotence (apply the effects, plan again → ok)", () => {
  it.each([
    [["bob"], []],
    [["alice", "bob", "carol", "dave"], ["alice", "dave"]],
    [["bob", "alice"], ["alice", "zed"]],
  ])("members %j, allowed %j", (members, allowed) => {
    const { second } = planTwice(groupMembersModule, { group: "lxd", allowed }, facts(group(members)));
    expect(second.kind).toBe("ok");
  });
});

describe("group_members: argument errors name their path", () => {
  it.each([
    [{ allowed: [] }, "group"],
    [{ group: "", allowed: [] }, "group"],
    [{ group: "998", allowed: [] }, "group"],
    [{ group: "-lxd", allowed: [] }, "group"],
    [{ group: "lxd" }, "allowed"],
    [{ group: "lxd", allowed: "alice" }, "allowed"],
    [{ group: "lxd", allowed: ["alice", "bad name"] }, "allowed.1"],
    [{ group: "lxd", allowed: [], users: [] }, ""],
  ])("%j → %s", (args, at) => {
    const result = groupMembersModule.args.safeParse(args);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toContain(at);
  });
});

describe.skipIf(!isRoot || sh("command -v groupadd gpasswd").exitCode !== 0)("group_members: the scripts, run for real on a throwaway group", () => {
  const name = `fleet_test_${process.pid}`;
  afterAll(() => {
    sh(`groupdel ${name}`);
  });

  it("removes the members not allowed; then ok", () => {
    expect(sh(`groupadd -U daemon,nobody,bin ${name}`).exitCode).toBe(0);
    const args = { group: name, allowed: ["bin"] };
    const plan = planModule(groupMembersModule, args, gatherHere(groupMembersModule, args)).plan;
    if (plan.kind !== "change") throw new Error(`expected a change, got ${JSON.stringify(plan)}`);
    expect(plan.summary).toBe(`remove daemon, nobody from group ${name}`);
    expect(applyHere(plan.commands).exitCode).toBe(0);
    const after = gatherHere(groupMembersModule, args);
    expect(after[`group:${name}`]).toEqual(plan.effects[0]?.value);
    expect(planModule(groupMembersModule, args, after).plan).toMatchObject({ kind: "ok", reason: `members of ${name}: bin, all allowed` });
  });
});
