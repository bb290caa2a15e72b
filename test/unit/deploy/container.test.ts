// deploy/container/Dockerfile, read (docker is not available here to build it): its stages, its
// user, and that the image holds every file fleet and the recipes read at run time.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./support/sandbox.js";

const DOCKERFILE = readFileSync(path.join(REPO, "deploy/container/Dockerfile"), "utf8");
const IGNORE = readFileSync(path.join(REPO, "deploy/container/Dockerfile.dockerignore"), "utf8")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));

interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

/** Instructions with their stage (0 = build, 1 = runtime); continuation lines joined, comments dropped. */
const instructions: Instruction[] = (() => {
  const joined = DOCKERFILE.split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ");
  let stage = -1;
  const result: Instruction[] = [];
  for (const line of joined.split("\n")) {
    const match = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [, keyword = "", args = ""] = match;
    if (keyword === "FROM") stage++;
    result.push({ keyword, args: args.trim(), stage });
  }
  return result;
})();

const runtime = instructions.filter((instruction) => instruction.stage === 1);

/** Paths under /app in the runtime image: COPY destinations (WORKDIR /app) with their sources. */
function runtimeCopies(): { from: string | null; sources: string[]; destination: string }[] {
  return runtime
    .filter((instruction) => instruction.keyword === "COPY")
    .map((instruction) => {
      const words = instruction.args.split(/\s+/);
      const from = words[0]?.startsWith("--from=") ? (words.shift()?.slice("--from=".length) ?? null) : null;
      const destination = words.pop() ?? "";
      return { from, sources: words, destination };
    });
}

/** Where a COPY puts a source, relative to /app. */
function copiedTo(source: string, destination: string): string {
  const base = destination.endsWith("/") || destination === "." || destination === "./" ? path.join(destination, path.basename(source)) : destination;
  return path.normalize(base.replace(/^\/app\/?/, ""));
}

describe("deploy/container/Dockerfile", () => {
  it("builds on node:20-slim in two stages: npm ci + npm run build, then the production dependencies only", () => {
    expect(DOCKERFILE).toMatch(/^ARG NODE_IMAGE=node:20-slim$/m);
    expect(instructions.filter((instruction) => instruction.keyword === "FROM").map((instruction) => instruction.args)).toEqual(["${NODE_IMAGE} AS build", "${NODE_IMAGE}"]);
    const buildRuns = instructions.filter((instruction) => instruction.stage === 0 && instruction.keyword === "RUN").map((instruction) => instruction.args);
    expect(buildRuns.some((args) => /^npm ci\b/.test(args))).toBe(true);
    expect(buildRuns.some((args) => /^npm run build && npm prune --omit=dev\b/.test(args))).toBe(true);
  });

  it("runs as the non-root user 1000 (the pods' runAsUser), set after the last RUN", () => {
    const users = runtime.filter((instruction) => instruction.keyword === "USER");
    expect(users.map((instruction) => instruction.args)).toEqual(["1000:1000"]);
    const lastRun = runtime.map((instruction) => instruction.keyword).lastIndexOf("RUN");
    expect(runtime.indexOf(users[0] as Instruction)).toBeGreaterThan(lastRun);
    expect(runtime.find((instruction) => instruction.keyword === "WORKDIR")?.args).toBe("/app");
  });

  it("copies from the context only files that exist and that the .dockerignore does not drop", () => {
    for (const instruction of instructions.filter((each) => each.keyword === "COPY" && !each.args.startsWith("--from="))) {
      const words = instruction.args.split(/\s+/);
      for (const source of words.slice(0, -1)) {
        expect(existsSync(path.join(REPO, source)), source).toBe(true);
        const top = source.split("/")[0] ?? source;
        expect(IGNORE.some((pattern) => pattern === top || pattern === source || pattern === `**/${top}`), `${source} is ignored`).toBe(false);
      }
    }
  });

  it("the image has what the recipes run (/app: dist/cli/main.js, deploy/shard-audit.sh, deploy/compliance-gate.mjs, playbooks/baseline.yml)", () => {
    const inImage = new Set<string>();
    for (const copy of runtimeCopies()) for (const source of copy.sources) inImage.add(copiedTo(source.replace(/^\/app\//, ""), copy.destination));
    for (const needed of ["dist", "node_modules", "package.json", "deploy/shard-audit.sh", "deploy/compliance-gate.mjs", "playbooks", "templates"]) expect(inImage.has(needed), needed).toBe(true);
    expect(existsSync(path.join(REPO, "playbooks/baseline.yml"))).toBe(true);
  });

  it("the image has every file fleet reads beside dist/ at run time (found in src/ as ../../NAME from import.meta.url)", () => {
    const inImage = new Set<string>();
    for (const copy of runtimeCopies()) for (const source of copy.sources) inImage.add(copiedTo(source.replace(/^\/app\//, ""), copy.destination).split("/")[0] ?? "");
    const needed = new Set<string>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (file.endsWith(".ts")) {
          const text = readFileSync(file, "utf8");
          if (!text.includes("import.meta.url")) continue;
          // src/a/b.ts reads "../../NAME" -> the package root's NAME (dist/a/b.js has the same depth)
          for (const match of text.matchAll(/["'`](?:\.\.\/)+([A-Za-z][\w.-]*)/g)) {
            const depth = path.relative(path.join(REPO, "src"), dir).split(path.sep).length;
            const ups = (match[0].match(/\.\.\//g) ?? []).length;
            if (ups > depth && match[1] !== undefined) needed.add(match[1]);
          }
        }
      }
    };
    walk(path.join(REPO, "src"));
    expect([...needed].sort()).toEqual(expect.arrayContaining(["package.json", "templates"]));
    for (const name of needed) expect(inImage.has(name), `${name} is read at run time but not copied into the image`).toBe(true);
  });
});
