import { readFileSync } from "node:fs";

/** The version from package.json, which sits two levels above both src/cli and dist/cli. */
export function fleetVersion(): string {
  const packageJson: unknown = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  if (typeof packageJson === "object" && packageJson !== null && "version" in packageJson) {
    const { version } = packageJson;
    if (typeof version === "string") return version;
  }
  return "0.0.0";
}
