/**
 * A fact is something read from a host: a POSIX sh probe and a pure parser of what it printed.
 * The engine runs the probes of many tasks in one exec (see facts/batch.ts), caches the parsed
 * values per host per run, and hands modules a FactReader. Fact values are plain data.
 */

/** What one probe printed, split out of the batch that ran it. */
export interface RawProbe {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export type FactValue = null | boolean | number | string | FactValue[] | { [key: string]: FactValue };

export interface FactKind<V extends FactValue> {
  /** Stable name, part of the cache key: "file", "sysctl", ... */
  name: string;
  /**
   * A POSIX sh snippet that prints the raw data of `arg` on stdout. It runs in a subshell beside
   * other probes, with stdin closed: it may exit, it must not prompt. Quote `arg` with shellQuote.
   */
  probe(arg: string): string;
  /** Pure: raw output → value. Throws FactParseError when the output makes no sense. */
  parse(raw: RawProbe, arg: string): V;
}

/** One fact to read: a kind and its argument (a path, a sysctl name, a group name...). */
export interface FactRequest<V extends FactValue = FactValue> {
  kind: FactKind<V>;
  arg: string;
}

export const fact = <V extends FactValue>(kind: FactKind<V>, arg: string): FactRequest<V> => ({ kind, arg });

export const factKey = (request: FactRequest): string => `${request.kind.name}:${request.arg}`;

/** What a module's plan reads facts through. */
export interface FactReader {
  /** Throws when the fact was not gathered: a module must declare every fact it reads. */
  get<V extends FactValue>(request: FactRequest<V>): V;
}
