// Preloaded (node --import) into an untimed fleet process by bench/run/run.ts: writes the command
// line and the stdin of every exec on the first host's connection to $FLEET_BENCH_DUMP_DIR/NN.sh
// (NN: the exec's number), so the host-side cost of one gather or apply script can be timed on
// its own. Wraps ssh2's Client.exec and each channel's write/end from outside; fleet is untouched.
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const directory = process.env.FLEET_BENCH_DUMP_DIR;
const require = createRequire(`${process.cwd()}/package.json`);
const { Client } = require("ssh2");
let firstClient;
let count = 0;
const original = Client.prototype.exec;
Client.prototype.exec = function (command, ...args) {
  firstClient ??= this;
  if (directory === undefined || this !== firstClient) return original.call(this, command, ...args);
  const index = String(++count).padStart(2, "0");
  const chunks = [];
  const callbackAt = args.findLastIndex((arg) => typeof arg === "function");
  const callback = args[callbackAt];
  args[callbackAt] = function (error, channel, ...rest) {
    if (!error && channel) {
      for (const method of ["write", "end"]) {
        const wrapped = channel[method];
        channel[method] = function (chunk, ...more) {
          if (chunk != null && typeof chunk !== "function") chunks.push(Buffer.from(chunk));
          if (method === "end") {
            mkdirSync(directory, { recursive: true });
            writeFileSync(path.join(directory, `${index}.cmd`), typeof command === "string" ? command : JSON.stringify(command));
            writeFileSync(path.join(directory, `${index}.sh`), Buffer.concat(chunks));
          }
          return wrapped.call(this, chunk, ...more);
        };
      }
    }
    return callback.call(this, error, channel, ...rest);
  };
  return original.call(this, command, ...args);
};
