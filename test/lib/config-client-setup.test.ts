import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../lib/config";
import { PROD_CONFIG, PROD_SECRETS } from "../support/fixtures";
import { rawConfig } from "../support/raw-config";

/** The client-setup section (lib/config-client-setup.ts) read through parseConfig, as a stack reads it. */
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const parse = (extra: Record<string, unknown>, base = PROD_CONFIG) =>
  parseConfig(rawConfig({ ...base, ...extra }, PROD_SECRETS));
const setupOf = (extra: Record<string, unknown>, base = PROD_CONFIG) => parse(extra, base).clientSetup;

function problemsOf(extra: Record<string, unknown>, base = PROD_CONFIG): string[] {
  try {
    parse(extra, base);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

/** dns: none, which needs no token, IP or Resend DKIM. */
const MANUAL = { ...PROD_CONFIG, dns: "none", "cloudflare:apiToken": undefined, relay: { provider: "none" } };

describe("client setup: defaults", () => {
  it("without an account ID: DNS parts only (TLS-RPT to postmaster@, SRV), no MTA-STS, and a warning saying how", () => {
    const config = parse({});
    expect(config.clientSetup).toEqual({
      worker: undefined,
      mtaSts: undefined,
      tlsRpt: { rua: ["mailto:postmaster@qladgk.com"] },
      autoconfig: true,
      autodiscover: true,
      apex: false,
      srv: true,
    });
    expect(config.warnings).toContainEqual(expect.stringContaining("set mailstack:cloudflareAccountId"));
  });

  it("with an account ID: the Worker, and MTA-STS in testing mode for a week", () => {
    const config = parse({ cloudflareAccountId: ACCOUNT });
    expect(config.clientSetup).toMatchObject({
      worker: { accountId: ACCOUNT },
      mtaSts: { mode: "testing", maxAge: 604800 },
      apex: false,
    });
    expect(config.warnings.join("\n")).not.toContain("cloudflareAccountId");
  });

  it("with dns: none: every part planned for the user to host, no Worker", () => {
    const config = parse({}, MANUAL);
    expect(config.clientSetup).toMatchObject({ worker: undefined, mtaSts: { mode: "testing" }, autoconfig: true });
    expect(config.warnings.join("\n")).not.toContain("Worker");
  });
});

describe("client setup: switches", () => {
  it("reads the empty objects the Pulumi CLI fills in for unset keys as unset", () => {
    const empty = { clientSetup: {}, mtaSts: {}, tlsRpt: {} };
    expect(setupOf(empty)).toEqual(setupOf({}));
    expect(setupOf({ ...empty, cloudflareAccountId: ACCOUNT })).toEqual(setupOf({ cloudflareAccountId: ACCOUNT }));
  });

  it("turns each part off", () => {
    expect(
      setupOf({
        cloudflareAccountId: ACCOUNT,
        clientSetup: { mtaSts: false, tlsRpt: false, autoconfig: false, autodiscover: false, srv: false },
      }),
    ).toEqual({
      worker: { accountId: ACCOUNT },
      mtaSts: undefined,
      tlsRpt: undefined,
      autoconfig: false,
      autodiscover: false,
      apex: false,
      srv: false,
    });
  });

  it("clientSetup.worker: false keeps the Worker off and the warning quiet; an explicit mtaSts is then the user's to host", () => {
    const off = parse({ cloudflareAccountId: ACCOUNT, clientSetup: { worker: false } });
    expect(off.clientSetup).toMatchObject({ worker: undefined, mtaSts: undefined });
    expect(off.warnings.join("\n")).not.toMatch(/MTA-STS|cloudflareAccountId/);
    // Settings alone do not publish a policy nobody serves; the switch does.
    expect(setupOf({ clientSetup: { worker: false }, mtaSts: { mode: "enforce" } }).mtaSts).toBeUndefined();
    const hosted = parse({ clientSetup: { worker: false, mtaSts: true }, mtaSts: { mode: "enforce" } });
    expect(hosted.clientSetup.mtaSts).toEqual({ mode: "enforce", maxAge: 604800 });
    expect(hosted.warnings).toContainEqual(
      expect.stringContaining(
        "serve stack output wellKnown.mtaSts.policy at https://mta-sts.qladgk.com/.well-known/mta-sts.txt",
      ),
    );
  });

  it("reads mode, maxAge and report addresses (list, mailto:, https)", () => {
    const setup = setupOf({
      cloudflareAccountId: ACCOUNT,
      mtaSts: { mode: "enforce", maxAge: 31557600 },
      tlsRpt: { rua: ["mailto:TLS+Reports@qladgk.com", "https://reports.example.net/tls"] },
      clientSetup: { apex: true },
    });
    expect(setup.mtaSts).toEqual({ mode: "enforce", maxAge: 31557600 });
    expect(setup.tlsRpt).toEqual({ rua: ["mailto:tls%2Breports@qladgk.com", "https://reports.example.net/tls"] });
    expect(setup.apex).toBe(true);
  });
});

describe("client setup: refused, before anything is created", () => {
  it.each([
    [
      { cloudflareAccountId: "not-an-id" },
      'mailstack:cloudflareAccountId is "not-an-id"; expected the 32-character hex',
    ],
    [{ clientSetup: { worker: true } }, "mailstack:cloudflareAccountId is required for clientSetup.worker"],
    [{ clientSetup: { worker: "yes" } }, "mailstack:clientSetup.worker must be true or false"],
    [{ clientSetup: { workers: true } }, "mailstack:clientSetup.workers is not a known setting"],
    [{ mtaSts: "enforce" }, 'mailstack:mtaSts must be a mapping (got "enforce")'],
    [{ clientSetup: { mtaSts: "off" } }, "mailstack:clientSetup.mtaSts must be true or false"],
    [{ mtaSts: { mode: "strict" } }, 'mailstack:mtaSts.mode is "strict"; expected testing'],
    [{ mtaSts: { maxAge: 3600 } }, "mailstack:mtaSts.maxAge is 3600; expected whole seconds from 86400"],
    [{ mtaSts: { maxAge: 31557601 } }, "mailstack:mtaSts.maxAge is 31557601"],
    [{ mtaSts: { mode: "enforce", max_age: 1 } }, "mailstack:mtaSts.max_age is not a known setting"],
    [{ tlsRpt: { rua: "tls reports" } }, 'mailstack:tlsRpt.rua has "tls reports"; expected an address'],
    [{ tlsRpt: { rua: ["http://insecure.example.net/"] } }, 'mailstack:tlsRpt.rua has "http://insecure.example.net/"'],
    [{ tlsRpt: { rua: [] } }, "mailstack:tlsRpt.rua is empty"],
  ])("%j", (extra, message) => {
    expect(problemsOf(extra)).toContainEqual(expect.stringContaining(message));
  });

  it("the Worker with dns: none", () => {
    expect(problemsOf({ cloudflareAccountId: ACCOUNT, clientSetup: { worker: true } }, MANUAL)).toContainEqual(
      expect.stringContaining("mailstack:clientSetup.worker is true but dns is none"),
    );
  });

  it("MTA-STS enforce with a certificate no public CA vouches for (enforcing senders would bounce the mail); testing warns", () => {
    const selfSigned = { cloudflareAccountId: ACCOUNT, tls: { mode: "self-signed" } };
    expect(problemsOf({ ...selfSigned, mtaSts: { mode: "enforce" } })).toContainEqual(
      expect.stringContaining("mailstack:mtaSts.mode is enforce with a certificate from tls.mode self-signed"),
    );
    expect(parse(selfSigned).warnings).toContainEqual(
      expect.stringContaining("testing mode with a certificate from tls.mode self-signed"),
    );
    const staging = { cloudflareAccountId: ACCOUNT, tls: { mode: "acme", acme: { server: "letsencrypt-staging" } } };
    expect(problemsOf({ ...staging, mtaSts: { mode: "enforce" } })).toContainEqual(
      expect.stringContaining("with a certificate from the Let's Encrypt staging CA (tls.acme.server)"),
    );
    // Let's Encrypt itself is trusted.
    const production = { cloudflareAccountId: ACCOUNT, tls: { mode: "acme" }, mtaSts: { mode: "enforce" } };
    expect(setupOf(production).mtaSts).toEqual({ mode: "enforce", maxAge: 604800 });
  });

  it("a mail host name the Worker would take over", () => {
    expect(problemsOf({ cloudflareAccountId: ACCOUNT, hostname: "autoconfig.qladgk.com" })).toContainEqual(
      expect.stringContaining('mailstack:hostname is "autoconfig.qladgk.com", a name the client-setup Worker serves'),
    );
    expect(
      problemsOf({ cloudflareAccountId: ACCOUNT, hostname: "qladgk.com", clientSetup: { apex: true } }),
    ).toContainEqual(expect.stringContaining("or set clientSetup.apex: false"));
    // Without the Worker nothing takes the apex over.
    const selfSigned = { tls: { mode: "self-signed" } };
    expect(problemsOf({ ...selfSigned, hostname: "qladgk.com", clientSetup: { apex: true } })).toEqual([]);
  });
});
