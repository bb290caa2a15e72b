// The baseline fleet is measured against: plain ssh2, one connection and one exec of `true` per
// host, every host at once, no limits, host key compared to the one expected. This file is the
// benchmark's own yardstick; inside fleet only src/transport/ssh.ts imports ssh2.
// usage: node raw-ssh2.mjs HOSTS.json   (JSON: { user, key, hostKey, addresses: [...] })
import { readFileSync } from "node:fs";
import ssh2 from "ssh2";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const privateKey = readFileSync(spec.key);
const expected = Buffer.from(spec.hostKey, "base64");

function runOne(address) {
  return new Promise((resolve) => {
    const client = new ssh2.Client();
    const done = (ok) => {
      client.end();
      resolve(ok);
    };
    client.on("error", () => done(false));
    client.on("ready", () => {
      client.exec("true", (error, channel) => {
        if (error) return done(false);
        let code = null;
        channel.on("exit", (exitCode) => (code = exitCode));
        channel.on("close", () => done(code === 0));
        channel.resume();
        channel.stderr.resume();
      });
    });
    client.connect({ host: address, port: 22, username: spec.user, privateKey, hostVerifier: (key) => key.equals(expected), readyTimeout: 60_000 });
  });
}

const results = await Promise.all(spec.addresses.map(runOne));
const failed = results.filter((ok) => !ok).length;
if (failed > 0) {
  console.error(`raw ssh2: ${failed} hosts failed`);
  process.exitCode = 1;
}
