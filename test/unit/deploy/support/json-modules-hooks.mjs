// Module customization hook (see json-modules.mjs): a .json file imported without an import
// attribute becomes `export default <the JSON>`. Files imported with `type: "json"` are untouched.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

export async function load(url, context, nextLoad) {
  if (url.startsWith("file:") && url.endsWith(".json") && context.importAttributes?.type === undefined) {
    const text = await readFile(fileURLToPath(url), "utf8");
    JSON.parse(text); // fail here, with the file's name, if it is not JSON
    return { format: "module", source: `export default ${text};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
