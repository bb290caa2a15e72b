// Preloaded into an untimed fleet process by bench/run/run.ts (node --import) to count what each
// host costs on the wire: SSH connections, channels (exec, shell, sftp) and the bytes written to
// and read from those channels, per host. It wraps ssh2's Client methods and each channel's
// write/end/push from the outside (no listeners added, so flow control is untouched); fleet's code
// is not changed. Writes JSON to $FLEET_BENCH_EXEC_COUNT when the process exits.
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(`${process.cwd()}/package.json`);
const { Client } = require("ssh2");
const perHost = new Map();
const entry = (client) => {
  const host = `${client.config?.host ?? "?"}:${client.config?.port ?? "?"}`;
  let counts = perHost.get(host);
  if (counts === undefined) perHost.set(host, (counts = { connect: 0, exec: 0, shell: 0, sftp: 0, bytesUp: 0, bytesDown: 0 }));
  return counts;
};
const size = (chunk) => (chunk == null ? 0 : typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length);

function watchChannel(counts, channel) {
  if (channel == null || typeof channel !== "object") return;
  for (const method of ["write", "end"]) {
    const original = channel[method];
    if (typeof original !== "function") continue;
    channel[method] = function (chunk, ...rest) {
      if (chunk != null && typeof chunk !== "function") counts.bytesUp += size(chunk);
      return original.call(this, chunk, ...rest);
    };
  }
  for (const stream of [channel, channel.stderr]) {
    if (stream == null || typeof stream.push !== "function") continue;
    const push = stream.push;
    stream.push = function (chunk, ...rest) {
      counts.bytesDown += size(chunk);
      return push.call(this, chunk, ...rest);
    };
  }
}

const originalConnect = Client.prototype.connect;
Client.prototype.connect = function (...args) {
  const result = originalConnect.apply(this, args);
  entry(this).connect += 1;
  return result;
};
for (const method of ["exec", "shell", "sftp"]) {
  const original = Client.prototype[method];
  Client.prototype[method] = function (...args) {
    const counts = entry(this);
    counts[method] += 1;
    const callbackAt = args.findLastIndex((arg) => typeof arg === "function");
    if (callbackAt >= 0) {
      const callback = args[callbackAt];
      args[callbackAt] = function (error, channel, ...rest) {
        if (!error && method !== "sftp") watchChannel(counts, channel);
        return callback.call(this, error, channel, ...rest);
      };
    }
    return original.apply(this, args);
  };
}
process.on("exit", () => {
  const file = process.env.FLEET_BENCH_EXEC_COUNT;
  if (file) writeFileSync(file, JSON.stringify(Object.fromEntries(perHost)));
});
