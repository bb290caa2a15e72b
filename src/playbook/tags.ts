import type { Task } from "./types.js";

/** -t / --skip-tags as given (each may hold several names separated by commas). */
export interface TagSelection {
  /** Run only tasks with one of these tags; empty or absent: all (except `never`). */
  tags?: readonly string[];
  skipTags?: readonly string[];
}

/**
 * Whether a task runs under -t/--skip-tags, as Ansible decides it (TaggableMixin.evaluate_tags):
 * `always` runs unless skipped by name (or by `all` with `always` skipped too), `never` runs only
 * when one of its other tags is asked for, `all` asks for every task but `never` ones, `tagged` and
 * `untagged` select by whether a task has tags. An untagged task carries the tag `untagged`.
 */
export function selectedByTags(task: Pick<Task, "tags">, selection: TagSelection): boolean {
  const tags = new Set(task.tags.length === 0 ? ["untagged"] : task.tags);
  const untagged = task.tags.length === 0;
  const only = new Set(splitTags(selection.tags ?? []));
  const skip = new Set(splitTags(selection.skipTags ?? []));
  if (only.size === 0) only.add("all");

  let run: boolean;
  if (tags.has("always")) run = true;
  else if (only.has("all") && !tags.has("never")) run = true;
  else if (intersects(tags, only)) run = true;
  else run = only.has("tagged") && !untagged && !tags.has("never");

  if (!run || skip.size === 0) return run;
  if (skip.has("all")) return tags.has("always") && !skip.has("always");
  if (intersects(tags, skip)) return false;
  if (skip.has("tagged") && !untagged) return false;
  if (skip.has("untagged") && untagged) return false;
  return true;
}

/** Tag names from option values: `-t a,b -t c` is a, b and c. */
export function splitTags(values: readonly string[]): string[] {
  return values.flatMap((value) => value.split(",")).map((tag) => tag.trim()).filter((tag) => tag !== "");
}

function intersects(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const item of a) if (b.has(item)) return true;
  return false;
}
