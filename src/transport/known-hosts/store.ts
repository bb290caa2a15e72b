import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { messageOf } from "../../errors.js";
import { type KnownHostEntry, type ParsedKnownHosts, parseKnownHosts } from "./parse.js";

/**
 * The known_hosts files of one run: each file is read and parsed once, then shared by every host.
 * New keys (accept-new) are appended, one write per file at a time within a process.
 */
export class KnownHostsStore {
  private readonly files = new Map<string, Promise<ParsedKnownHosts>>();
  private readonly writes = new Map<string, Promise<void>>();
  private readonly merged = new Map<string, Promise<KnownHostEntry[]>>();

  constructor(private readonly warn: (message: string) => void = () => {}) {}

  /** The entries of these files, in order. The same array for the same files until a key is recorded. */
  entries(files: readonly string[]): Promise<KnownHostEntry[]> {
    const key = JSON.stringify(files);
    let merged = this.merged.get(key);
    if (!merged) {
      merged = Promise.all(files.map((file) => this.load(file))).then((parsed) => parsed.flatMap((file) => file.entries));
      this.merged.set(key, merged);
    }
    return merged;
  }

  /** Append `lookupName keyType base64` to file; later lookups in this run see it. */
  record(file: string, lookupName: string, keyType: string, key: Buffer): Promise<void> {
    const previous = this.writes.get(file) ?? Promise.resolve();
    const next = previous.then(() => this.append(file, `${lookupName} ${keyType} ${key.toString("base64")}`));
    this.writes.set(file, next.catch(() => {}));
    return next;
  }

  private load(file: string): Promise<ParsedKnownHosts> {
    let loaded = this.files.get(file);
    if (!loaded) {
      loaded = readKnownHostsFile(file).then((parsed) => {
        for (const problem of parsed.skipped) this.warn(`${file}:${problem.line}: ignored known_hosts line: ${problem.reason}`);
        return parsed;
      });
      this.files.set(file, loaded);
    }
    return loaded;
  }

  /**
   * One appending write (O_APPEND) per new line, as OpenSSH does: processes recording keys in the
   * same file at once never lose each other's lines (a rewrite-and-rename would), and a symlinked
   * known_hosts is updated through the link instead of being replaced by a plain file.
   */
  private async append(file: string, line: string): Promise<void> {
    const current = await readFile(file, "utf8").catch((error: unknown) => {
      if (isMissing(error)) return "";
      throw error;
    });
    const separator = current === "" || current.endsWith("\n") ? "" : "\n";
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await appendFile(file, `${separator}${line}\n`, { mode: 0o600 });
    // read back: lines other processes appended meanwhile count too
    this.files.set(file, Promise.resolve(parseKnownHosts(await readFile(file, "utf8"), file)));
    this.merged.clear();
  }
}

async function readKnownHostsFile(file: string): Promise<ParsedKnownHosts> {
  try {
    return parseKnownHosts(await readFile(file, "utf8"), file);
  } catch (error) {
    if (isMissing(error)) return { entries: [], skipped: [] };
    throw new Error(`${file}: ${messageOf(error)}`, { cause: error });
  }
}

function isMissing(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error.code === "ENOENT" || error.code === "ENOTDIR");
}
