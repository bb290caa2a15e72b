/** Rewrites the controls table of README.md from playbooks/baseline.yml: `npm run docs:controls`. */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { builtinModules } from "../src/modules/registry.js";
import { loadPlaybook } from "../src/playbook/load.js";
import { controlsTable, replaceControlsTable } from "../src/report/controls-table.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const playbook = await loadPlaybook(path.join(root, "playbooks/baseline.yml"), { registry: builtinModules() });
const readme = path.join(root, "README.md");
writeFileSync(readme, replaceControlsTable(readFileSync(readme, "utf8"), controlsTable(playbook)));
console.log("README.md: controls table rewritten from playbooks/baseline.yml");
