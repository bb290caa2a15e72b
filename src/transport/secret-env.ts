/** Environment variables through which fleet receives secrets. Commands that fleet starts never inherit them. */
export const SecretEnv = {
  becomePassword: "FLEET_BECOME_PASSWORD",
  sshPassphrase: "FLEET_SSH_PASSPHRASE",
} as const;

/** A copy of env without fleet's secrets, for child processes. */
export function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of Object.values(SecretEnv)) delete copy[name];
  return copy;
}
