import { readFile } from "node:fs/promises";

/** Parses key file contents; returns an Error for unreadable or encrypted-without-passphrase keys. */
export type KeyParser<Key> = (data: Buffer, passphrase: string | undefined) => Key | Error;

/** Supplies a passphrase for an encrypted key (environment, then a prompt on a TTY). */
export type PassphraseSource = (file: string) => Promise<string | undefined>;

export type KeyLoad<Key> = { kind: "key"; file: string; key: Key } | { kind: "problem"; file: string; problem: string } | { kind: "absent"; file: string };

const NEEDS_PASSPHRASE = /no passphrase given/i;

/**
 * Each private key file is read and parsed once per run and shared by every connection. Parsing an
 * encrypted key costs a key-derivation (bcrypt) each time, so doing it per host would burn seconds
 * of CPU across a fleet.
 */
export class KeyCache<Key> {
  private readonly loads = new Map<string, Promise<KeyLoad<Key>>>();

  constructor(
    private readonly parse: KeyParser<Key>,
    private readonly passphraseFor: PassphraseSource,
  ) {}

  load(file: string): Promise<KeyLoad<Key>> {
    let load = this.loads.get(file);
    if (!load) {
      load = this.read(file);
      this.loads.set(file, load);
    }
    return load;
  }

  private async read(file: string): Promise<KeyLoad<Key>> {
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (error) {
      const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
      if (code === "ENOENT") return { kind: "absent", file };
      return { kind: "problem", file, problem: `cannot read the key file (${code || String(error)})` };
    }
    let parsed = this.parse(data, undefined);
    if (parsed instanceof Error && NEEDS_PASSPHRASE.test(parsed.message)) {
      const passphrase = await this.passphraseFor(file);
      if (passphrase === undefined) {
        return { kind: "problem", file, problem: "the key is encrypted and no passphrase was given (set FLEET_SSH_PASSPHRASE or run on a terminal)" };
      }
      parsed = this.parse(data, passphrase);
    }
    if (parsed instanceof Error) return { kind: "problem", file, problem: parsed.message };
    return { kind: "key", file, key: parsed };
  }
}
