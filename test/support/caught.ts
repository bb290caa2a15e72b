import { FleetError } from "../../src/errors.js";

/** The FleetError that `run` throws; fails the test when it throws nothing or something else. */
export function caughtFleetError(run: () => unknown): FleetError {
  try {
    run();
  } catch (error) {
    if (error instanceof FleetError) return error;
    throw error;
  }
  throw new Error("expected a FleetError, nothing was thrown");
}
