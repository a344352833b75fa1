/**
 * The server plan (lib/plan/server-files.ts) of a program run: the plan over the run's config, with the
 * credentials its resources resolved to — the values the engine hands the program. What the daemon harness
 * runs, and what test/components/mailserver.test.ts proves the container's uploads are.
 */
import { parseConfig } from "../../lib/config";
import type { MailConfig } from "../../lib/config-types";
import { planServer, ServerCredentials, ServerPlan, serverInput } from "../../lib/plan/server-files";
import { dovecotPasswordHash } from "../../lib/sha512-crypt";
import { rawConfig } from "./raw-config";
import { perDomainName } from "../../components/domain-names";
import { DEFAULT_SECRETS, ProgramRun, resourceOf } from "./run-program";

/** The config as the program validated it (lib/config.ts), from a test config. */
export function parsedConfig(config: Record<string, unknown>): MailConfig {
  return parseConfig(
    rawConfig(
      config,
      DEFAULT_SECRETS.filter((k) => config[k] !== undefined),
    ),
  );
}

/** What a resource of the run computed (its outputs under the mocks, preview/mocks.ts). */
const computed = (run: ProgramRun, type: string, nameEndsWith: string, output: string): string => {
  const value = resourceOf(run, type, nameEndsWith).outputs?.[output];
  if (typeof value !== "string") throw new Error(`the run's *${nameEndsWith} has no ${output}`);
  return value;
};

/** The credentials the run resolved: from config where config gives them, else from the resource that made them. */
export function resolvedCredentials(run: ProgramRun, cfg: MailConfig): ServerCredentials {
  const passwords: Record<string, string> = run.outputs.passwords;
  const key = "tls:index/privateKey:PrivateKey";
  const count = cfg.domains.length;
  // Each domain's DKIM key and relay are named by components/domain-names.ts.
  const named = (base: string, domain: string, i: number) => perDomainName(base, domain, i, count).name;
  return {
    passwordHashes: Object.fromEntries(
      cfg.domains.flatMap((d) => d.accounts).map((a) => [a, dovecotPasswordHash(a, passwords[a])]),
    ),
    dkimPrivateKeys: Object.fromEntries(
      cfg.domains.map((d, i) => [
        d.domain,
        d.dkim.privateKeyPem ?? computed(run, key, `-${named("dkim", d.domain, i)}-key`, "privateKeyPem"),
      ]),
    ),
    tls:
      cfg.tls.mode === "manual"
        ? { certificatePem: cfg.tls.certificatePem!, privateKeyPem: cfg.tls.privateKeyPem! }
        : cfg.tls.mode === "self-signed"
          ? {
              certificatePem: computed(run, "tls:index/selfSignedCert:SelfSignedCert", "-tls-cert", "certPem"),
              privateKeyPem: computed(run, key, "-tls-key", "privateKeyPem"),
            }
          : undefined, // acme: the renewer's certificates, on a volume
    relayPasswords: Object.fromEntries(
      cfg.domains.flatMap((d, i) => {
        const minted = d.relay.provider === "resend" && d.resend.apiKey;
        const password =
          d.relay.password ??
          (minted
            ? computed(
                run,
                "pulumi-nodejs:dynamic/resend:ResendSendingKey",
                `-${named("relay", d.domain, i)}-resend-sending-key`,
                "token",
              )
            : undefined);
        return password === undefined ? [] : [[d.domain, password]];
      }),
    ),
  };
}

/** The server plan of a run of `config`. */
export function serverPlanOf(run: ProgramRun, config: Record<string, unknown>): ServerPlan {
  const cfg = parsedConfig(config);
  return planServer(serverInput(cfg), resolvedCredentials(run, cfg));
}
