import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { buildSectionedScript, splitSections } from "../../../src/engine/sectioned-script.js";

/** One exec, many sections: the markers must split every section's output and status back apart. */

const run = (script: string): { stdout: string; stderr: string } => {
  const done = spawnSync("/bin/sh", ["-s"], { input: script, encoding: "utf8" });
  return { stdout: done.stdout, stderr: done.stderr };
};

describe("buildSectionedScript", () => {
  it("writes each section between markers named by the nonce; only apply sections stop the script", () => {
    const built = buildSectionedScript([{ body: "echo probe", stopOnFailure: false }, { body: "echo change", stopOnFailure: true }], "abc");
    expect(built.marker).toBe("@@fleet-abc");
    expect(built.script).toBe(
      [
        "printf '%s\\n' '@@fleet-abc 0'; printf '%s\\n' '@@fleet-abc 0' >&2",
        "(\necho probe\n) </dev/null",
        "fleet_rc=$?",
        "printf '\\n%s %s\\n' '@@fleet-abc 0 end' \"$fleet_rc\"; printf '\\n%s\\n' '@@fleet-abc 0 end' >&2",
        "printf '%s\\n' '@@fleet-abc 1'; printf '%s\\n' '@@fleet-abc 1' >&2",
        "(\necho change\n) </dev/null",
        "fleet_rc=$?",
        "printf '\\n%s %s\\n' '@@fleet-abc 1 end' \"$fleet_rc\"; printf '\\n%s\\n' '@@fleet-abc 1 end' >&2",
        '[ "$fleet_rc" -eq 0 ] || exit 0',
        "",
      ].join("\n"),
    );
  });

  it("a failing probe does not stop the probes after it; a failing change stops the changes after it", () => {
    const probes = buildSectionedScript([{ body: "exit 3", stopOnFailure: false }, { body: "echo after", stopOnFailure: false }], "p");
    const probed = run(probes.script);
    expect(splitSections(probes, 2, probed.stdout, probed.stderr)).toEqual([
      { ran: true, stdout: "", stderr: "", exitCode: 3 },
      { ran: true, stdout: "after\n", stderr: "", exitCode: 0 },
    ]);
    const changes = buildSectionedScript([{ body: "echo oops >&2; exit 4", stopOnFailure: true }, { body: "echo after", stopOnFailure: true }], "c");
    const applied = run(changes.script);
    expect(splitSections(changes, 2, applied.stdout, applied.stderr)).toEqual([{ ran: true, stdout: "", stderr: "oops\n", exitCode: 4 }, { ran: false }]);
  });
});

describe("splitSections on output that was cut or is odd", () => {
  const built = { script: "", marker: "@@fleet-x" };

  it("gives exactly one outcome per section", () => {
    expect(splitSections(built, 1, "@@fleet-x 0\nout\n@@fleet-x 0 end 0\n@@fleet-x 1\n", "")).toHaveLength(1);
  });

  it("a section with output on stdout only has empty stderr", () => {
    expect(splitSections(built, 1, "@@fleet-x 0\nout\n@@fleet-x 0 end 0\n", "")).toEqual([{ ran: true, stdout: "out", stderr: "", exitCode: 0 }]);
  });

  it("a section that began but never ended was cut short: what it printed, exit -1", () => {
    expect(splitSections(built, 2, "@@fleet-x 0\npartial output", "")).toEqual([{ ran: true, stdout: "partial output", stderr: "", exitCode: -1 }, { ran: false }]);
  });

  it("an end marker at the very end of the stream, without a newline, still carries its status", () => {
    expect(splitSections(built, 1, "@@fleet-x 0\nout\n@@fleet-x 0 end 7", "")).toEqual([{ ran: true, stdout: "out", stderr: "", exitCode: 7 }]);
  });

  it.each([
    ["12x", -1],
    ["x12", -1],
    ["12", 12],
    ["", -1],
  ])("a status of %j reads as %d", (status, exitCode) => {
    expect(splitSections(built, 1, `@@fleet-x 0\n\n@@fleet-x 0 end ${status}\n`, "")[0]).toMatchObject({ ran: true, exitCode });
  });

  it("finds a section whose marker follows a lone newline at the start of the stream", () => {
    expect(splitSections(built, 1, "\n@@fleet-x 0\nout\n@@fleet-x 0 end 0\n", "")).toEqual([{ ran: true, stdout: "out", stderr: "", exitCode: 0 }]);
  });

  it("does not take a marker inside a line for the start of a section", () => {
    expect(splitSections(built, 1, "noise @@fleet-x 0\nout\n", "")).toEqual([{ ran: false }]);
  });
});
