/**
 * Interrupts: SIGINT (Ctrl-C), SIGTERM (a CI runner or Kubernetes stopping the job) and SIGHUP (the
 * terminal went away) all stop a run the same way. The first one asks the running command to stop
 * gracefully (start nothing new, kill the remote commands, print and write what happened) when it
 * has said how; without a graceful handler, or on the second signal, fleet exits at once with 99.
 */
export const INTERRUPT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export type InterruptSignal = (typeof INTERRUPT_SIGNALS)[number];

type Handler = (signal: InterruptSignal) => void;
let graceful: Handler | undefined;
let received = 0;

/** Registers the running command's graceful stop; returns the unregister function. */
export function onInterrupt(handler: Handler): () => void {
  graceful = handler;
  return () => {
    if (graceful === handler) graceful = undefined;
  };
}

/** Called by main.ts on each signal: "exit" when the process should end now. */
export function interruptReceived(signal: InterruptSignal): "exit" | "graceful" {
  received += 1;
  if (graceful === undefined || received > 1) return "exit";
  graceful(signal);
  return "graceful";
}

/** How the first signal is announced on stderr. */
export function interruptNotice(signal: InterruptSignal): string {
  const what = signal === "SIGINT" ? "interrupted" : `${signal} received`;
  return `fleet: ${what}: killing the running commands on every host and starting nothing new; press Ctrl-C again to quit at once`;
}
