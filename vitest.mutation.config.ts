import { defineConfig, type Plugin } from "vitest/config";

/**
 * Used only by `npm run test:mutation` (stryker.config.json): the unit project alone.
 * Stryker's vitest runner takes one config file and has no project filter, so this file
 * repeats the "unit" project of vitest.config.ts without the integration project (which
 * needs the LXD testbed and must never run under mutation).
 */

/**
 * Tests that read a source file's text, not its behaviour: under Stryker that text is the
 * instrumented copy (which holds `Function(` to find the global object), so they fail for a
 * reason that has nothing to do with any mutant. They are skipped here and only here.
 */
const SOURCE_TEXT_TESTS: ReadonlyArray<{ file: string; describe: string }> = [
  { file: "test/unit/playbook/expression/parse.test.ts", describe: "no dynamic code" },
];

function skipSourceTextTests(): Plugin {
  return {
    name: "fleet-mutation-skip-source-text-tests",
    enforce: "pre",
    transform(code, id) {
      const normalized = id.replaceAll("\\", "/");
      let changed = code;
      for (const { file, describe } of SOURCE_TEXT_TESTS) {
        if (!normalized.endsWith(file)) continue;
        const from = `describe(${JSON.stringify(describe)},`;
        if (!changed.includes(from)) throw new Error(`vitest.mutation.config.ts: ${file} has no describe("${describe}") any more; update SOURCE_TEXT_TESTS`);
        changed = changed.replace(from, `describe.skip(${JSON.stringify(describe)},`);
      }
      return changed === code ? null : { code: changed, map: null };
    },
  };
}

/**
 * FLEET_MUTATION_TESTS (comma-separated globs) narrows the unit tests, as test/mutation/run-groups.sh
 * does per group. Not Stryker's --testFiles: with it, Stryker 9.6.1 activates static mutants too
 * late (after the module loaded) and reports them as survived (stryker-js#6144).
 */
const globsOf = (name: string): string[] | undefined => process.env[name]?.split(",").map((glob) => glob.trim()).filter((glob) => glob !== "");
const only = globsOf("FLEET_MUTATION_TESTS");
/** FLEET_MUTATION_EXCLUDE (comma-separated globs): unit tests left out of this run (tests being written while a group runs). */
const excluded = globsOf("FLEET_MUTATION_EXCLUDE") ?? [];

export default defineConfig({
  plugins: [skipSourceTextTests()],
  test: {
    name: "unit",
    include: only !== undefined && only.length > 0 ? only : ["test/unit/**/*.test.ts"],
    // the packaging tests (container image, Kubernetes, GitHub Actions, promtool) run external tools
    // and mutate none of the mutated code; under a loaded machine they time out and fail the dry run
    exclude: ["test/unit/deploy/**", "**/node_modules/**", ...excluded],
    environment: "node",
  },
});
