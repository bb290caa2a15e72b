/**
 * Brings the testbed up before the integration suite and down after it. A testbed that was
 * already running when the suite started is left running (a developer's own), as it is with
 * FLEET_TESTBED_KEEP=1. The suite never skips: if the testbed cannot come up, it fails.
 */
import { DEFAULT_SIZE } from "../testbed/layout.js";
import { down, up } from "../testbed/testbed.js";

const log = (line: string): void => console.log(`[testbed] ${line}`);

export default async function setup(): Promise<() => Promise<void>> {
  const { started } = await up({ size: DEFAULT_SIZE }, log);
  const wasAlreadyUp = started.length === 0;
  return async () => {
    if (wasAlreadyUp || process.env["FLEET_TESTBED_KEEP"] === "1") {
      log("left running (it was up before the suite, or FLEET_TESTBED_KEEP=1)");
      return;
    }
    await down(log);
  };
}
