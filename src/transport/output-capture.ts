import { StringDecoder } from "node:string_decoder";

/** Collects a stream's text, keeping at most `limit` characters (the tail: errors come last). */
export class OutputCapture {
  private readonly decoder = new StringDecoder("utf8");
  private text = "";
  truncated = false;

  constructor(private readonly limit: number) {}

  decode(chunk: Buffer): string {
    return this.decoder.write(chunk);
  }

  flushDecoder(): string {
    return this.decoder.end();
  }

  append(text: string): void {
    this.text += text;
    if (this.text.length > this.limit * 2) this.trim();
  }

  value(): string {
    this.trim();
    return this.text;
  }

  private trim(): void {
    if (this.text.length <= this.limit) return;
    this.text = this.text.slice(this.text.length - this.limit);
    this.truncated = true;
  }
}
