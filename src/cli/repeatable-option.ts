/** Commander option parser for a flag that may be given several times (-i a -i b). */
export function collectRepeated(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
