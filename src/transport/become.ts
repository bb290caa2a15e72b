import { randomBytes } from "node:crypto";
import { shellQuote } from "./shell-quote.js";

/**
 * become through sudo. The password (if any) travels on the command's stdin after sudo prompts
 * for it, never in argv, the environment or a log. sudo prints a unique prompt to stderr; a unique
 * marker printed by the wrapped shell tells "sudo let us in" from "the command failed".
 */
export interface BecomePlan {
  /** The command line actually sent to the host. */
  wrapped: string;
  password: string | undefined;
  prompt: string;
  marker: string;
}

export function planBecome(command: string, user: string, password: string | undefined, nonce = randomBytes(8).toString("hex")): BecomePlan {
  const prompt = `[fleet-sudo-${nonce}] password:`;
  const marker = `FLEET-BECOME-OK-${nonce}`;
  // the marker carries the shell's process group: sudo may run it in a session of its own, which a timeout must kill too
  const inner = `read -r _ _ _ _ fleet_pgid _ < /proc/$$/stat 2>/dev/null; echo "${marker} \${fleet_pgid:-}" >&2; ${command}`;
  const sudo = password === undefined ? "sudo -H -n" : `sudo -H -S -p ${shellQuote(prompt)}`;
  return { wrapped: `${sudo} -u ${shellQuote(user)} -- /bin/sh -c ${shellQuote(inner)}`, password, prompt, marker };
}

export type BecomeEvent = "send-password" | "started" | "password-rejected";

/** Reads stderr until the marker: answers prompts once, strips sudo's noise, then passes through. */
export class BecomeFilter {
  private pending = "";
  private started = false;
  /** The process group the command runs in under sudo, once the marker told it. */
  commandGroup: number | undefined;
  private prompts = 0;

  constructor(private readonly plan: BecomePlan) {}

  feed(text: string): { output: string; events: BecomeEvent[] } {
    if (this.started) return { output: text, events: [] };
    this.pending += text;
    const events: BecomeEvent[] = [];
    let promptAt = this.pending.indexOf(this.plan.prompt);
    while (promptAt >= 0) {
      this.pending = this.pending.slice(0, promptAt) + this.pending.slice(promptAt + this.plan.prompt.length);
      this.prompts += 1;
      events.push(this.prompts === 1 && this.plan.password !== undefined ? "send-password" : "password-rejected");
      promptAt = this.pending.indexOf(this.plan.prompt);
    }
    // the marker line: "MARKER PGID" (or "MARKER" alone where /proc could not be read)
    const markerAt = this.pending.indexOf(this.plan.marker);
    const lineEnd = markerAt < 0 ? -1 : this.pending.indexOf("\n", markerAt);
    if (lineEnd < 0) return { output: "", events };
    this.started = true;
    const group = this.pending.slice(markerAt + this.plan.marker.length, lineEnd).trim();
    if (/^\d+$/.test(group)) this.commandGroup = Number(group);
    const output = this.pending.slice(lineEnd + 1);
    this.pending = "";
    events.push("started");
    return { output, events };
  }

  /** Why sudo did not run the command, once the command has ended without the marker. */
  failure(): string | null {
    if (this.started) return null;
    const said = this.pending.trim().split("\n").filter((line) => line.trim() !== "").slice(-3).join(" / ");
    if (this.prompts > 1) return `sudo rejected the become password${said ? `: ${said}` : ""}`;
    return said || "sudo did not run the command";
  }
}
