import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { dovecotPasswordHash } from "../lib/sha512-crypt";

export interface MailAccountsArgs {
  /** Full addresses, in config order. */
  accounts: string[];
  /** Passwords from config by address (secret); the others are generated. */
  passwords: pulumi.Input<Record<string, string>>;
  /** Addresses that have a password in config: known from config, so the generated set is too. */
  configured: string[];
}

/**
 * Mailbox passwords and their hashes for `postfix-accounts.cf` (lib/plan/server-files.ts). A missing password
 * is generated once per account and kept in state; hashes use a salt derived from address and password, so an
 * unchanged config renders a byte-identical file.
 */
export class MailAccounts extends pulumi.ComponentResource {
  /** address → password (secret). */
  readonly passwords: pulumi.Output<Record<string, string>>;
  /** address → `{SHA512-CRYPT}…` hash (secret). */
  readonly passwordHashes: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: MailAccountsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mailstack:accounts:MailAccounts", name, {}, opts);
    const generated: Record<string, pulumi.Output<string>> = {};
    for (const address of args.accounts) {
      if (args.configured.includes(address)) continue;
      generated[address] = new random.RandomPassword(
        `${name}-${address}`,
        // Letters and digits only: the password travels through IMAP/SMTP clients and config files unquoted.
        { length: 24, special: false, minLower: 2, minUpper: 2, minNumeric: 2 },
        { parent: this },
      ).result;
    }
    this.passwords = pulumi.secret(
      pulumi
        .all([pulumi.output(args.passwords), pulumi.all(generated)])
        .apply(([given, made]) => Object.fromEntries(args.accounts.map((a) => [a, given[a] ?? made[a]]))),
    );
    this.passwordHashes = pulumi.secret(
      this.passwords.apply((pw) =>
        Object.fromEntries(args.accounts.map((address) => [address, dovecotPasswordHash(address, pw[address])])),
      ),
    );
    this.registerOutputs({ passwords: this.passwords });
  }
}
