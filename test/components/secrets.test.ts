/**
 * Each component's secret-carrying property is a Pulumi secret, and its public counterpart is not (a secret
 * DKIM public key would hide the DNS record in every preview). Runs the components in-process under mocks.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mailstackMocks, Registered } from "../../preview/mocks";
import { PROD_CERT } from "../support/fixtures";

type Components = {
  DkimKey: typeof import("../../components/dkim").DkimKey;
  TlsCertificate: typeof import("../../components/tls").TlsCertificate;
  MailAccounts: typeof import("../../components/accounts").MailAccounts;
  Relay: typeof import("../../components/relay").Relay;
};
let c: Components;

const resolve = <T>(o: pulumi.Output<T>) => new Promise<T>((r) => o.apply(r));
const RESEND = {
  region: "us-east-1",
  returnPath: "send",
  verifyWaitSeconds: 0,
  strictVerify: false,
  deleteOnDestroy: false,
};
const RELAY = { provider: "resend", host: "smtp.resend.com", port: 587, username: "resend" };

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "mailstack-secrets-"));
afterAll(() => fs.rmSync(stateDir, { recursive: true, force: true }));

beforeAll(async () => {
  const registered: Registered[] = [];
  await pulumi.runtime.setMocks(mailstackMocks({ stateDir }, registered), "mailstack", "test");
  // Import after the mocks are set (the docs' order), so every resource goes through them.
  c = {
    DkimKey: (await import("../../components/dkim")).DkimKey,
    TlsCertificate: (await import("../../components/tls")).TlsCertificate,
    MailAccounts: (await import("../../components/accounts")).MailAccounts,
    Relay: (await import("../../components/relay")).Relay,
  };
});

describe("secret outputs of each component", () => {
  it("DkimKey: the private key is secret (generated or imported), the public key is not", async () => {
    for (const dkim of [
      new c.DkimKey("gen", { bits: 1024 }),
      new c.DkimKey("imp", { bits: 2048, importedPrivateKeyPem: PROD_CERT.keyPem }),
    ]) {
      expect(await pulumi.isSecret(dkim.privateKeyPem)).toBe(true);
      expect(await pulumi.isSecret(dkim.publicKey)).toBe(false);
      expect(await resolve(dkim.publicKey)).toMatch(/^MI[A-Za-z0-9+/]+=*$/);
    }
  });

  it("TlsCertificate: the private key is secret in both modes, the certificate is not", async () => {
    const manual = new c.TlsCertificate("manual", {
      hostname: "mail.qladgk.com",
      mode: "manual",
      certificatePem: PROD_CERT.certPem,
      privateKeyPem: PROD_CERT.keyPem,
    });
    const selfSigned = new c.TlsCertificate("self", { hostname: "mail.qladgk.com", mode: "self-signed" });
    for (const tls of [manual, selfSigned]) {
      expect(await pulumi.isSecret(tls.privateKeyPem)).toBe(true);
      expect(await pulumi.isSecret(tls.certificatePem)).toBe(false);
    }
  });

  it("MailAccounts: passwords and their hashes are secret", async () => {
    const accounts = new c.MailAccounts("acc", {
      accounts: ["hi@x.org", "info@x.org"],
      configured: ["hi@x.org"],
      passwords: { "hi@x.org": "given-password" },
    });
    expect(await pulumi.isSecret(accounts.passwords)).toBe(true);
    expect(await pulumi.isSecret(accounts.passwordHashes)).toBe(true);
    expect(Object.keys(await resolve(accounts.passwords))).toEqual(["hi@x.org", "info@x.org"]);
  });

  it("Relay: the password is secret whether it comes from config or is minted by Resend", async () => {
    const manual = new c.Relay("manual", { domain: "x.org", relay: { ...RELAY, password: "re_key" }, resend: RESEND });
    const minted = new c.Relay("minted", { domain: "x.org", relay: RELAY, resend: { ...RESEND, apiKey: "re_full" } });
    for (const relay of [manual, minted]) expect(await pulumi.isSecret(relay.password!)).toBe(true);
    expect(await resolve(minted.password!)).toBe("re_minted_sending_key");
  });
});
