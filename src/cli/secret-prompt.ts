import { InterruptedError } from "../transport/errors.js";

/**
 * Asks for a secret (key passphrase, become password) on the terminal without echoing it.
 * Prompts are serialized: a fleet of hosts connecting at once asks one question at a time.
 */
let queue: Promise<unknown> = Promise.resolve();

export type SecretPrompt = (question: string) => Promise<string | undefined>;

/** A prompt that reads from the terminal, or undefined when stdin is not a terminal (CI, pipes). */
export function terminalSecretPrompt(output: NodeJS.WritableStream): SecretPrompt | undefined {
  const input = process.stdin;
  if (!input.isTTY) return undefined;
  return (question) => {
    const asked = queue.then(() => readHidden(input, output, question));
    queue = asked.catch(() => undefined);
    return asked;
  };
}

function readHidden(input: NodeJS.ReadStream, output: NodeJS.WritableStream, question: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    output.write(question);
    input.setRawMode(true);
    input.resume();
    let answer = "";
    const restore = (): void => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      output.write("\n");
    };
    const finish = (value: string | undefined): void => {
      restore();
      resolve(value);
    };
    const interrupt = (): void => {
      restore();
      reject(new InterruptedError("interrupted at the prompt; nothing was started", "run the command again"));
    };
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") return finish(answer);
        if (char === "\u0003") return interrupt(); // Ctrl-C: as anywhere else in fleet
        if (char === "\u0004") return finish(undefined); // Ctrl-D
        if (char === "\u007f" || char === "\b") answer = answer.slice(0, -1);
        else answer += char;
      }
    };
    input.on("data", onData);
  });
}
