/**
 * Text from a host, made safe to print on the operator's terminal: control characters other than
 * newline and tab (escape sequences that move the cursor, retitle the window, or hide text) are
 * shown as \xNN instead of being sent raw. --json output keeps the bytes as they came.
 */
export function terminalSafe(text: string): string {
  // C0 controls but \t and \n, DEL, and the C1 controls, which terminals also act on
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
