/**
 * Ctrl-C (SIGINT): the first one asks the running command to stop gracefully (start nothing new,
 * stop what runs, print what happened) when it has said how; without a graceful handler, or on
 * the second one, fleet exits at once with 99.
 */
let graceful: (() => void) | undefined;
let received = 0;

/** Registers the running command's graceful stop; returns the unregister function. */
export function onInterrupt(handler: () => void): () => void {
  graceful = handler;
  return () => {
    if (graceful === handler) graceful = undefined;
  };
}

/** Called by main.ts on SIGINT: "exit" when the process should end now. */
export function interruptReceived(): "exit" | "graceful" {
  received += 1;
  if (graceful === undefined || received > 1) return "exit";
  graceful();
  return "graceful";
}
