import { InputFileError } from "../errors.js";
import { InventoryBuilder } from "./builder.js";
import { InventoryCode, inventoryUsageProblem } from "./problems.js";
import { resolveInventory } from "./resolve.js";
import { readSources } from "./sources.js";
import type { Inventory } from "./types.js";
import { VarsFileReader } from "./vars-files.js";

export interface LoadInventoryOptions {
  /**
   * The playbook's directory: its group_vars/ and host_vars/ apply too, above the inventory's,
   * as ansible-playbook (and ansible-inventory --playbook-dir) reads them.
   */
  playbookDirectory?: string;
}

/**
 * Read inventory sources (files, directories, or `host1,host2,` lists, in -i order) with their
 * group_vars/ and host_vars/, and build the Inventory. Every problem in every file is collected
 * and thrown together as one InputFileError (exit 4).
 */
export async function loadInventory(sources: readonly string[], options: LoadInventoryOptions = {}): Promise<Inventory> {
  if (sources.length === 0) throw inventoryUsageProblem(InventoryCode.noSource, "no inventory given");
  const builder = new InventoryBuilder();
  const varsDirectories = readSources(builder, sources);

  const reader = new VarsFileReader();
  const groupNames = [...builder.groups.keys()];
  const hostNames = [...builder.hosts.keys()];
  const varsFiles = varsDirectories.map((directory) => reader.read(directory, groupNames, hostNames));
  const playbookVarsFiles = options.playbookDirectory === undefined ? undefined : reader.read(options.playbookDirectory, groupNames, hostNames);
  for (const problem of reader.problems) builder.report(problem);
  for (const warning of reader.warnings) builder.warn(warning);

  const inventory = resolveInventory(builder, sources, varsFiles, playbookVarsFiles);
  if (builder.problems.length > 0) throw new InputFileError(builder.problems);
  return inventory;
}
