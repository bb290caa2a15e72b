/** SSH wire strings (RFC 4251: a uint32 length, then the bytes), concatenated: how key blobs are built. */
export function sshString(...parts: Buffer[]): Buffer {
  return Buffer.concat(
    parts.flatMap((part) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(part.length);
      return [length, part];
    }),
  );
}
