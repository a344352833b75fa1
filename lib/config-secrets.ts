/**
 * Secrets in config: the keys that must be stored as Pulumi secrets, and no private key in any other value. Which
 * values are secrets comes from the Pulumi CLI (lib/stack-config.ts); when it cannot be told, nothing counts as a
 * secret, so a secret key refuses rather than silently passing.
 */
import { containsPrivateKey, RawConfig, Scope } from "./config-reader";

/** `mailstack:` keys that hold secrets. */
export const SECRET_KEYS = [
  "passwords",
  "relayPassword",
  "relayPasswords",
  "resendApiKey",
  "tlsPrivateKey",
  "dkimPrivateKey",
  "dkimPrivateKeys",
  "backupKey",
  "backupS3AccessKeyId",
  "backupS3SecretAccessKey",
];

/** How to set the secrets that are mappings, one entry at a time. */
const SET_SECRET: Record<string, string> = {
  passwords: "pulumi config set --secret --path 'passwords.<account>' <password>",
  relayPasswords: "pulumi config set --secret --path 'relayPasswords[\"<domain>\"]' <password>",
  dkimPrivateKeys: "pulumi config set --secret --path 'dkimPrivateKeys[\"<domain>\"]' < key.pem",
};

export function checkSecrets(scope: Scope, raw: RawConfig): void {
  const unknown = raw.secretKeys === undefined;
  const refuse = (key: string) =>
    scope.r.fail(
      key,
      unknown
        ? `cannot be shown to be stored as a secret: this Pulumi CLI did not tell the program which values are secrets (PULUMI_CONFIG_SECRET_KEYS); update the Pulumi CLI`
        : `is stored in plain text; remove it and set it with: ${SET_SECRET[key] ?? `pulumi config set --secret ${key} <value>`}`,
    );
  // `{}` is Pulumi.yaml's default for the mappings of secrets: nothing set, nothing to protect.
  const set = (key: string) => scope.has(key) && raw.values[key]?.trim() !== "{}";
  for (const key of SECRET_KEYS) if (set(key) && !scope.isSecret(key)) refuse(key);
  if (raw.cloudflareToken === "config" && !raw.secretKeys?.has("cloudflare:apiToken")) refuse("cloudflare:apiToken");

  for (const key of scope.names()) {
    if (SECRET_KEYS.includes(key) || scope.isSecret(key)) continue;
    if (containsPrivateKey(raw.values[key] ?? ""))
      scope.fail(
        key,
        `contains a PEM private key but is not a secret: it would sit in plain text in the stack file and state. Put the key in tlsPrivateKey or dkimPrivateKey with pulumi config set --secret, or in a file named by tls.keyFile`,
      );
  }
}
