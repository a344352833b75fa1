import { describe, expect, it } from "vitest";
import type { MailConfig } from "../../lib/config-types";
import {
  planServer,
  planServerEnv,
  liveFileSpecs,
  planServerFiles,
  ServerCredentials,
  ServerInput,
  serverInput,
} from "../../lib/plan/server-files";
import { dovecotPasswordHash } from "../../lib/sha512-crypt";
import { grepSafeOrder } from "../../lib/render/postfix-accounts";
import { loopbackConfig } from "../daemons/harness/loopback-config";
import { ACME_CONFIG, PROD_CONFIG, SECOND_CONFIG } from "../support/fixtures";
import { parsedConfig } from "../support/server-plan";

const CONF = "/tmp/docker-mailserver";
const PEM = (what: string) => `-----BEGIN ${what}-----\nstand-in\n-----END ${what}-----\n`;

/** Stand-in credentials of the right shape: the plan only places them. */
function credentials(cfg: MailConfig): ServerCredentials {
  return {
    passwordHashes: Object.fromEntries(
      cfg.domains.flatMap((d) => d.accounts).map((a) => [a, dovecotPasswordHash(a, `pw-${a}`)]),
    ),
    dkimPrivateKeys: Object.fromEntries(cfg.domains.map((d) => [d.domain, PEM("DKIM PRIVATE KEY")])),
    tls: { certificatePem: PEM("CERTIFICATE"), privateKeyPem: PEM("TLS PRIVATE KEY") },
    relayPasswords: Object.fromEntries(
      cfg.domains.flatMap((d) => (d.relay.password ? [[d.domain, d.relay.password]] : [])),
    ),
  };
}
const content = (files: { path: string; content: string }[]) => new Map(files.map((f) => [f.path, f.content]));
const filesOf = (config: Record<string, unknown>) => {
  const cfg = parsedConfig(config);
  return new Map(planServerFiles(serverInput(cfg), credentials(cfg)).map((f) => [f.path, f]));
};

describe("planServerFiles", () => {
  it("plans every file docker-mailserver reads at first start, the live ones first, password files and keys 0600", () => {
    const cfg = parsedConfig(PROD_CONFIG);
    const files = planServerFiles(serverInput(cfg), credentials(cfg));
    // The receive-access table exists though nothing is blocked: DMS wires it only if it is there at start.
    expect(files.map((f) => [f.path, f.mode, f.live])).toEqual([
      [`${CONF}/postfix-accounts.cf`, "0600", "accounts"],
      [`${CONF}/postfix-virtual.cf`, "0644", "change-detector"],
      [`${CONF}/postfix-receive-access.cf`, "0644", "postfix-reload"],
      [`${CONF}/mailstack/sender-login-maps.pcre`, "0644", "postfix-reload"],
      [`${CONF}/postfix-sasl-password.cf`, "0600", "change-detector"],
      [`${CONF}/postfix-main.cf`, "0644", undefined],
      [`${CONF}/dovecot.cf`, "0644", undefined],
      [`${CONF}/rspamd/dkim/rsa-mail-qladgk.com.private.txt`, "0600", undefined],
      [`${CONF}/rspamd/override.d/dkim_signing.conf`, "0644", undefined],
      [`${CONF}/rspamd/override.d/dmarc.conf`, "0644", undefined],
      [`${CONF}/rspamd/override.d/force_actions.conf`, "0644", undefined],
      ["/tmp/dms/custom-certs/cert.pem", "0644", undefined],
      ["/tmp/dms/custom-certs/key.pem", "0600", undefined],
    ]);
    expect(files.filter((f) => f.live).map(({ path, mode, live }) => ({ path, mode, live }))).toEqual(
      liveFileSpecs(true),
    );
    expect(liveFileSpecs(false).map((f) => f.path)).not.toContain(`${CONF}/postfix-sasl-password.cf`);
    expect(content(files).get(`${CONF}/postfix-receive-access.cf`)).toBe("");
    expect(content(files).get(`${CONF}/postfix-virtual.cf`)).toBe(
      "abuse@qladgk.com info@qladgk.com\npostmaster@qladgk.com postmaster@qladgk.com\nhi@qladgk.com hi@qladgk.com\ninfo@qladgk.com info@qladgk.com\n@qladgk.com info@qladgk.com\n",
    );
    // Rspamd signs with the key and selector of the published record (rspamd-dkim's default signing config).
    expect(content(files).get(`${CONF}/rspamd/override.d/dkim_signing.conf`)).toContain(
      'qladgk.com {\n        path = "/tmp/docker-mailserver/rspamd/dkim/rsa-mail-qladgk.com.private.txt";\n        selector = "mail";',
    );
  });

  it("without the spam filter, plans OpenDKIM's tables and key instead of Rspamd's files", () => {
    const files = filesOf({ ...PROD_CONFIG, spam: { filter: "none" } });
    expect([...files.keys()].filter((p) => /opendkim|rspamd/.test(p))).toEqual([
      `${CONF}/opendkim/KeyTable`,
      `${CONF}/opendkim/SigningTable`,
      `${CONF}/opendkim/TrustedHosts`,
      `${CONF}/opendkim/keys/qladgk.com/mail.private`,
    ]);
    expect(files.get(`${CONF}/opendkim/KeyTable`)?.content).toBe(
      "mail._domainkey.qladgk.com qladgk.com:mail:/etc/opendkim/keys/qladgk.com/mail.private\n",
    );
    expect(files.get(`${CONF}/opendkim/SigningTable`)?.content).toBe("*@qladgk.com mail._domainkey.qladgk.com\n");
    expect(files.get(`${CONF}/opendkim/keys/qladgk.com/mail.private`)?.mode).toBe("0600");
  });

  it("puts each credential where docker-mailserver reads it", () => {
    const cfg = parsedConfig(PROD_CONFIG);
    const c = credentials(cfg);
    const content = new Map(planServerFiles(serverInput(cfg), c).map((f) => [f.path, f.content]));
    // In grep-safe order (lib/render/postfix-accounts.ts), not config order.
    expect(content.get(`${CONF}/postfix-accounts.cf`)).toBe(
      grepSafeOrder(cfg.accounts)
        .map((a) => `${a}|${c.passwordHashes[a]}\n`)
        .join(""),
    );
    expect(content.get(`${CONF}/rspamd/dkim/rsa-mail-qladgk.com.private.txt`)).toBe(PEM("DKIM PRIVATE KEY"));
    expect(content.get("/tmp/dms/custom-certs/cert.pem")).toBe(PEM("CERTIFICATE"));
    expect(content.get("/tmp/dms/custom-certs/key.pem")).toBe(PEM("TLS PRIVATE KEY"));
    expect(content.get(`${CONF}/postfix-sasl-password.cf`)).toBe(
      `[smtp.resend.com]:587 resend:${PROD_CONFIG.relayPassword}\n`,
    );
  });

  it("renders aliases, postmaster@ to the catch-all (abuse@ is an alias), the catch-all and blocked addresses", () => {
    const files = filesOf(SECOND_CONFIG);
    expect(files.get(`${CONF}/postfix-virtual.cf`)?.content).toBe(
      "sales@example.org alice@example.org,bob@example.org\nabuse@example.org bob@example.org\npostmaster@example.org bob@example.org\nalice@example.org alice@example.org\nbob@example.org bob@example.org\n@example.org bob@example.org\n",
    );
    expect(files.get(`${CONF}/postfix-receive-access.cf`)?.content).toBe("leaked-shop@example.org REJECT\n");
    expect(files.get(`${CONF}/postfix-sasl-password.cf`)?.content).toBe(
      "[email-smtp.eu-west-1.amazonaws.com]:587 AKIAEXAMPLE:ses-smtp-password\n",
    );
  });

  // terraform-provider-docker v4.5.0 (resource_docker_container_funcs.go) fails the create with "error with upload
  // content: one of 'content', 'content_base64', or 'source' must be set" for an upload whose content is empty.
  // The live files are no uploads: an empty table is written as an empty file.
  const minimal = { ...PROD_CONFIG, accounts: ["hi", "postmaster", "abuse"], catchAll: undefined };
  it.each([
    ["prod", PROD_CONFIG],
    ["second", SECOND_CONFIG],
    ["no alias, no catch-all, nothing blocked", minimal],
    ["direct sending", { ...minimal, relay: { provider: "none" }, relayPassword: undefined, resend: {} }],
    ["daemon suite", loopbackConfig({ hi: "hi-Loopback-1", alice: "alice-Loopback-1", bob: "bob-Loopback-1" })],
  ])("%s: every file uploaded has content, so the docker provider accepts every upload", (_name, config) => {
    const files = filesOf(config);
    for (const f of files.values()) if (!f.live) expect(f.content, f.path).toMatch(/\S/);
    if (config === minimal) expect(files.get(`${CONF}/postfix-receive-access.cf`)?.content).toBe("");
  });

  it("uploads no certificate when the ACME renewer's is used, and points docker-mailserver at it", () => {
    const cfg = parsedConfig(ACME_CONFIG);
    const plan = planServer(serverInput(cfg), { ...credentials(cfg), tls: undefined });
    expect(plan.files.map((f) => f.path).filter((p) => p.startsWith("/tmp/dms/"))).toEqual([]);
    expect(plan.env).toContain("SSL_TYPE=letsencrypt");
    expect(plan.env).toContain("SSL_DOMAIN=mail.example.net");
  });

  it("has no relay credentials file when mail is sent directly", () => {
    const files = filesOf({ ...PROD_CONFIG, relay: { provider: "none" }, relayPassword: undefined, resend: {} });
    expect(files.has(`${CONF}/postfix-sasl-password.cf`)).toBe(false);
  });

  it("stops at an account without a hash or a domain without a key, rather than plan a broken server", () => {
    const cfg = parsedConfig(PROD_CONFIG);
    const c = credentials(cfg);
    expect(() => planServerFiles(serverInput(cfg), { ...c, passwordHashes: {} })).toThrow(
      "no password hash for postmaster@qladgk.com",
    );
    expect(() => planServerFiles(serverInput(cfg), { ...c, dkimPrivateKeys: {} })).toThrow(
      "no DKIM key for qladgk.com",
    );
    expect(() => planServerFiles(serverInput(cfg), { ...c, tls: undefined })).toThrow("no certificate to upload");
  });

  it("takes its values per domain: a second domain adds its lines, its key and its accounts", () => {
    const cfg = parsedConfig(PROD_CONFIG);
    const input = serverInput(cfg);
    const other = {
      ...input.domains[0],
      name: "other.example",
      accounts: ["me@other.example"],
      aliases: [],
      catchAll: undefined,
      postmaster: "me@other.example",
      blocked: ["leak@other.example"],
      host: undefined,
      dkim: { selector: "s1" },
    };
    const two: ServerInput = { ...input, domains: [input.domains[0], other] };
    const c = credentials(cfg);
    const plan = (input: ServerInput) =>
      new Map(
        planServerFiles(input, {
          ...c,
          passwordHashes: { ...c.passwordHashes, "me@other.example": dovecotPasswordHash("me@other.example", "x") },
          dkimPrivateKeys: { ...c.dkimPrivateKeys, "other.example": PEM("OTHER KEY") },
        }).map((f) => [f.path, f.content]),
      );
    const files = plan(two);
    expect(files.get(`${CONF}/rspamd/override.d/dkim_signing.conf`)).toContain(
      '    other.example {\n        path = "/tmp/docker-mailserver/rspamd/dkim/rsa-s1-other.example.private.txt";',
    );
    expect(files.get(`${CONF}/rspamd/dkim/rsa-s1-other.example.private.txt`)).toBe(PEM("OTHER KEY"));
    const openDkim = plan({ ...two, spam: { ...two.spam, filter: "none" } });
    expect(openDkim.get(`${CONF}/opendkim/SigningTable`)).toBe(
      "*@qladgk.com mail._domainkey.qladgk.com\n*@other.example s1._domainkey.other.example\n",
    );
    expect(openDkim.get(`${CONF}/opendkim/keys/other.example/s1.private`)).toBe(PEM("OTHER KEY"));
    expect(files.get(`${CONF}/postfix-accounts.cf`)).toMatch(/\nme@other\.example\|\{SHA512-CRYPT\}/);
    expect(files.get(`${CONF}/postfix-virtual.cf`)).toContain("postmaster@other.example me@other.example\n");
    expect(files.get(`${CONF}/postfix-receive-access.cf`)).toBe("leak@other.example REJECT\n");
    expect(files.get(`${CONF}/mailstack/sender-login-maps.pcre`)).toContain("@other\\.example$/\tme@other.example\n");
  });
});

describe("planServer", () => {
  it("is the host name, the environment (postmaster@ of the domain, no secrets) and the files", () => {
    const cfg = parsedConfig(PROD_CONFIG);
    const plan = planServer(serverInput(cfg), credentials(cfg));
    expect(plan.hostname).toBe("mail.qladgk.com");
    expect(plan.env).toEqual(planServerEnv(serverInput(cfg)));
    expect(plan.env).toContain("POSTMASTER_ADDRESS=postmaster@qladgk.com");
    expect(plan.env).toContain("DEFAULT_RELAY_HOST=[smtp.resend.com]:587");
    expect(plan.env.join("\n")).not.toContain(PROD_CONFIG.relayPassword as string);
    expect(plan.files).toEqual(planServerFiles(serverInput(cfg), credentials(cfg)));
  });
});
