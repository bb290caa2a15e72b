import { readdirSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { FleetError } from "../errors.js";
import { entryKind } from "../inventory/fs-util.js";
import { didYouMean, PlaybookCode } from "./problems.js";

const extensions = ["", ".yml", ".yaml"];

/**
 * The playbook a command line names: a file relative to `cwd` (returned as given), else one of the
 * playbooks shipped with fleet (`shippedDir`, the package's playbooks/), by file name with or
 * without its extension (`baseline` is playbooks/baseline.yml). Throws naming both places tried.
 */
export function resolvePlaybookPath(name: string, cwd: string, shippedDir: string): string {
  if (entryKind(resolve(cwd, name)) === "file") return name;
  if (!isAbsolute(name)) {
    for (const extension of extensions) {
      const shipped = join(shippedDir, name + extension);
      if (entryKind(shipped) === "file") return shipped;
    }
  }
  const shippedNames = listShipped(shippedDir);
  const tried = isAbsolute(name) ? name : `${resolve(cwd, name)} nor ${join(shippedDir, name)}`;
  const known = shippedNames.length === 0 ? "" : `; shipped playbooks: ${shippedNames.join(", ")}`;
  const hint = didYouMean(name.replace(/\.ya?ml$/, ""), shippedNames, `give the playbook's path (relative to the current directory) or the name of a shipped playbook${known}`);
  throw new FleetError(PlaybookCode.notFound, `playbook ${name} not found: there is no file ${tried}`, { category: "parse", hint });
}

function listShipped(directory: string): string[] {
  try {
    return readdirSync(directory)
      .filter((entry) => /\.ya?ml$/.test(entry))
      .map((entry) => entry.replace(/\.ya?ml$/, ""))
      .sort();
  } catch {
    return [];
  }
}
