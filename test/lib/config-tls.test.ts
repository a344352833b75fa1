import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../lib/config";
import { ACME_CONFIG, PROD_CONFIG, PROD_SECRETS, SECOND_CONFIG, SECOND_SECRETS } from "../support/fixtures";
import { rawConfig } from "../support/raw-config";
import { LEGO_IMAGE } from "../../lib/render/acme";

const parse = (config: Record<string, unknown>, secrets = ["cloudflare:apiToken"]) =>
  parseConfig(rawConfig(config, secrets));
const problems = (config: Record<string, unknown>, secrets?: string[]) => {
  try {
    parse(config, secrets);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};
const { tls: _tls, ...NO_TLS } = ACME_CONFIG;

describe("tls.mode acme", () => {
  it("is the default for a stack on Cloudflare without a certificate of its own, with Let's Encrypt defaults", () => {
    const tls = parse(NO_TLS).tls;
    expect(tls.mode).toBe("acme");
    expect(tls.acme).toEqual({
      email: "postmaster@example.net",
      server: "https://acme-v02.api.letsencrypt.org/directory",
      caaParameters: true,
      keyType: "rsa2048",
      renewDays: 30,
      checkHours: 12,
      resolvers: [],
      caa: { issuer: "letsencrypt.org" },
      image: LEGO_IMAGE,
      tokenRotation: "",
    });
  });

  it("an older stack that names its certificate keeps manual; dns: none keeps manual", () => {
    expect(parse(PROD_CONFIG, PROD_SECRETS).tls.mode).toBe("manual");
    const { tls: _t, ...prodNoMode } = PROD_CONFIG;
    expect(parse(prodNoMode, PROD_SECRETS).tls.mode).toBe("manual");
    expect(parse(SECOND_CONFIG, SECOND_SECRETS).tls.mode).toBe("self-signed");
    expect(problems({ ...NO_TLS, dns: "none" })).toContainEqual(
      expect.stringMatching(/^mailstack:tls.certFile is required/),
    );
  });

  it("accepts staging, any https directory with its CAA issuer, key types, resolvers", () => {
    const staging = parse({ ...ACME_CONFIG, tls: { acme: { server: "letsencrypt-staging" } } }).tls.acme!;
    expect(staging.server).toBe("https://acme-staging-v02.api.letsencrypt.org/directory");
    const other = parse({
      ...ACME_CONFIG,
      tls: {
        acme: {
          server: "https://acme.example/directory",
          caaIssuer: "ca.example",
          keyType: "EC384",
          resolvers: ["1.1.1.1", "[2606:4700::1111]:53", "9.9.9.9:53"],
        },
      },
    }).tls.acme!;
    expect(other).toMatchObject({
      server: "https://acme.example/directory",
      caaParameters: false,
      caa: { issuer: "ca.example" },
      keyType: "ec384",
      resolvers: ["1.1.1.1", "[2606:4700::1111]:53", "9.9.9.9:53"],
    });
  });

  it("names the key and what to do for every bad value", () => {
    const acme = (v: Record<string, unknown>) => problems({ ...ACME_CONFIG, tls: { acme: v } });
    expect(acme({ server: "http://acme.example/dir" })).toEqual([
      expect.stringMatching(
        /^mailstack:tls.acme.server is "http:\/\/acme.example\/dir"; expected letsencrypt or letsencrypt-staging/,
      ),
    ]);
    expect(acme({ server: "https://acme.example/directory" })).toEqual([
      expect.stringMatching(/^mailstack:tls.acme.caaIssuer is required for the ACME server/),
    ]);
    expect(acme({ email: "not an address" })).toEqual([
      expect.stringMatching(/^mailstack:tls.acme.email is "not an address"/),
    ]);
    expect(acme({ keyType: "dsa" })).toEqual([
      expect.stringMatching(/^mailstack:tls.acme.keyType is "dsa"; expected one of rsa2048/),
    ]);
    expect(acme({ renewDays: 90 })).toEqual([
      expect.stringMatching(/^mailstack:tls.acme.renewDays is 90; expected whole days .* 7–60/),
    ]);
    expect(acme({ checkHours: 0 })).toEqual([expect.stringMatching(/^mailstack:tls.acme.checkHours is 0/)]);
    expect(acme({ resolvers: ["dns.google"] })).toEqual([
      expect.stringMatching(/^mailstack:tls.acme.resolvers has "dns.google"/),
    ]);
    expect(acme({ tokenRotation: "a b" })).toEqual([
      expect.stringMatching(/^mailstack:tls.acme.tokenRotation is "a b"/),
    ]);
    expect(acme({ days: 3 })).toEqual([expect.stringMatching(/^mailstack:tls.acme.days is not a known setting/)]);
    expect(problems({ ...ACME_CONFIG, dns: "none", tls: { mode: "acme" } })).toContainEqual(
      expect.stringMatching(/^mailstack:tls.mode is "acme", which proves control .* through DNS records on Cloudflare/),
    );
    expect(problems({ ...PROD_CONFIG, tls: { mode: "manual", acme: {} } }, PROD_SECRETS)).toEqual([
      'mailstack:tls.acme is set but tls.mode is "manual"; remove it or set tls.mode: acme',
    ]);
  });
});
