import { writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { localFleet, playbookOf, runEngine, statuses, type TaskSpec } from "./playbook-harness.js";

const FILES = ["a", "b", "c"];
const TEXTS = ["one\n", "two\n", ""];

/** A random playbook of file writes, some conditional on what an earlier task registered. */
const taskArbitrary = fc.record({ file: fc.constantFrom(...FILES), text: fc.constantFrom(...TEXTS), registerAs: fc.boolean(), whenChanged: fc.boolean() });

describe("check mode is exact", () => {
  it("what --check says would change is what the run then changes, task by task", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(taskArbitrary, { minLength: 1, maxLength: 6 }), fc.array(fc.tuple(fc.constantFrom(...FILES), fc.constantFrom(...TEXTS)), { maxLength: 3 }), async (tasks, existing) => {
        const fleet = localFleet(1);
        const root = fleet.roots["h1"] as string;
        for (const [file, text] of existing) writeFileSync(path.join(root, file), text);
        let lastRegister: string | undefined;
        const specs: TaskSpec[] = tasks.map((task, index) => {
          const spec: TaskSpec = { name: `t${index}`, module: "content", args: { path: `{{ root }}/${task.file}`, text: task.text } };
          if (task.whenChanged && lastRegister !== undefined) spec.when = [`${lastRegister} is changed`];
          if (task.registerAs) {
            spec.register = `r${index}`;
            lastRegister = spec.register;
          }
          return spec;
        });
        const playbook = playbookOf(specs);
        const check = await runEngine(fleet, playbook, { check: true });
        const run = await runEngine(fleet, playbook);
        const verdict = (line: string): string => line.replace(/:(changed|failed)$/, ":changed");
        // a task that fights a later one over the same file is reported not idempotent (failed) after its change
        expect(statuses(run.byHost["h1"]).map(verdict)).toEqual(statuses(check.byHost["h1"]).map(verdict));
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});
