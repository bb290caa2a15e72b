/** Exit codes, as ansible-playbook uses them (see CONTRACTS.md). */
export const ExitCode = {
  ok: 0,
  error: 1,
  taskFailed: 2,
  unreachable: 3,
  badInput: 4,
  badUsage: 5,
  interrupted: 99,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
