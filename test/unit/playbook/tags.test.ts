import { describe, expect, test } from "vitest";
import { selectedByTags, splitTags, type TagSelection } from "../../../src/playbook/tags.js";

const runs = (tags: string[], selection: TagSelection): boolean => selectedByTags({ tags }, selection);

describe("selectedByTags (as Ansible's evaluate_tags)", () => {
  test("no selection: everything but never", () => {
    expect(runs([], {})).toBe(true);
    expect(runs(["a"], {})).toBe(true);
    expect(runs(["always"], {})).toBe(true);
    expect(runs(["never"], {})).toBe(false);
    expect(runs(["never", "debug"], {})).toBe(false);
  });

  test("-t picks tasks by tag; always runs anyway", () => {
    expect(runs(["a"], { tags: ["a"] })).toBe(true);
    expect(runs(["b"], { tags: ["a"] })).toBe(false);
    expect(runs([], { tags: ["a"] })).toBe(false);
    expect(runs(["always"], { tags: ["a"] })).toBe(true);
    expect(runs(["a", "b"], { tags: ["b,c"] })).toBe(true);
  });

  test("never runs only when one of its tags is asked for", () => {
    expect(runs(["never", "debug"], { tags: ["debug"] })).toBe(true);
    expect(runs(["never"], { tags: ["never"] })).toBe(true);
    expect(runs(["never", "debug"], { tags: ["all"] })).toBe(false);
    expect(runs(["never", "debug"], { tags: ["tagged"] })).toBe(false);
  });

  test("all, tagged and untagged", () => {
    expect(runs(["a"], { tags: ["all"] })).toBe(true);
    expect(runs(["a"], { tags: ["tagged"] })).toBe(true);
    expect(runs([], { tags: ["tagged"] })).toBe(false);
    expect(runs([], { tags: ["untagged"] })).toBe(true);
    expect(runs(["a"], { tags: ["untagged"] })).toBe(false);
  });

  test("--skip-tags", () => {
    expect(runs(["a"], { skipTags: ["a"] })).toBe(false);
    expect(runs(["a", "b"], { skipTags: ["b"] })).toBe(false);
    expect(runs(["a"], { skipTags: ["b"] })).toBe(true);
    expect(runs(["always"], { skipTags: ["always"] })).toBe(false);
    expect(runs(["a"], { tags: ["a"], skipTags: ["a"] })).toBe(false);
    expect(runs(["a"], { skipTags: ["tagged"] })).toBe(false);
    expect(runs([], { skipTags: ["tagged"] })).toBe(true);
    expect(runs([], { skipTags: ["untagged"] })).toBe(false);
  });

  test("--skip-tags all skips everything but always (unless always is skipped too)", () => {
    expect(runs(["a"], { skipTags: ["all"] })).toBe(false);
    expect(runs([], { skipTags: ["all"] })).toBe(false);
    expect(runs(["always"], { skipTags: ["all"] })).toBe(true);
    expect(runs(["always"], { skipTags: ["all", "always"] })).toBe(false);
  });

  test("splitTags", () => {
    expect(splitTags(["a,b", " c ", "", "d,,e"])).toEqual(["a", "b", "c", "d", "e"]);
  });
});
