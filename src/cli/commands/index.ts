// Importing a command file registers it with the program. Add one line per command.
import "./inventory.js";
import "./exec.js";
import "./run.js";
import "./report.js";
import "./plan.js";
export {};
