// Loaded with `node --import` before @actions/workflow-parser, whose published ESM imports its
// schema JSON without `with { type: "json" }`, which Node refuses (actions/languageservices#387).
// The hook serves such a .json file as a module whose default export is the parsed data.
import { register } from "node:module";

register("./json-modules-hooks.mjs", import.meta.url);
