import { describe, expect, it } from "vitest";
import { renderContainerEnv } from "../../lib/render/container-env";
import { DEFAULT_SPAM } from "../../lib/config-spam";

const base = {
  domain: "example.com",
  relay: { host: "smtp.resend.com", port: 587 },
  fail2ban: true,
  tls: { type: "manual" as const },
  spam: DEFAULT_SPAM,
  extra: {},
};

describe("renderContainerEnv", () => {
  it("sets manual TLS, the relay host, spoof protection, Fail2ban and small-server defaults, sorted by key", () => {
    const env = renderContainerEnv(base);
    expect(env).toEqual([...env].sort());
    expect(env).toContain("SSL_TYPE=manual");
    expect(env).toContain("DEFAULT_RELAY_HOST=[smtp.resend.com]:587");
    expect(env).toContain("SPOOF_PROTECTION=1");
    expect(env).toContain("ENABLE_FAIL2BAN=1");
    expect(env).toContain("ENABLE_CLAMAV=0");
    expect(env).toContain("ENABLE_SPAMASSASSIN=0");
    expect(env).toContain("POSTMASTER_ADDRESS=postmaster@example.com");
  });

  it("tls.mode acme: docker-mailserver's Let's Encrypt layout, found by SSL_DOMAIN, no manual paths", () => {
    const env = renderContainerEnv({ ...base, tls: { type: "letsencrypt", domain: "mail.example.com" } });
    expect(env).toContain("SSL_TYPE=letsencrypt");
    expect(env).toContain("SSL_DOMAIN=mail.example.com");
    expect(env.filter((e) => /^SSL_(CERT|KEY)_PATH=/.test(e))).toEqual([]);
  });

  it("never carries relay credentials: they are in postfix-sasl-password.cf, which every 15.x reads", () => {
    const env = renderContainerEnv(base);
    expect(env.filter((e) => /^RELAY_/.test(e))).toEqual([]);
  });

  it("has no relay variables when mail is sent directly, and Fail2ban off when asked", () => {
    const env = renderContainerEnv({ ...base, relay: { host: "", port: 0 }, fail2ban: false });
    expect(env.filter((e) => e.startsWith("RELAY_") || e.startsWith("DEFAULT_RELAY"))).toEqual([]);
    expect(env).toContain("ENABLE_FAIL2BAN=0");
  });

  it("merges extra variables last, overriding defaults", () => {
    const env = renderContainerEnv({ ...base, extra: { ENABLE_CLAMAV: "1", TZ: "Asia/Shanghai" } });
    expect(env).toContain("ENABLE_CLAMAV=1");
    expect(env).not.toContain("ENABLE_CLAMAV=0");
    expect(env).toContain("TZ=Asia/Shanghai");
  });

  it("with the spam filter: Rspamd and its Redis, learning, blocklists, Junk; OpenDKIM, OpenDMARC, policyd-spf off", () => {
    const env = renderContainerEnv(base);
    expect(env).toEqual(
      expect.arrayContaining([
        "ENABLE_RSPAMD=1",
        "ENABLE_RSPAMD_REDIS=1",
        "RSPAMD_LEARN=1",
        "RSPAMD_GREYLISTING=0",
        "ENABLE_DNSBL=1",
        "MOVE_SPAM_TO_JUNK=1",
        "ENABLE_OPENDKIM=0",
        "ENABLE_OPENDMARC=0",
        "ENABLE_POLICYD_SPF=0",
        "ENABLE_AMAVIS=0",
        "ENABLE_SPAMASSASSIN=0",
        "ENABLE_POSTGREY=0",
      ]),
    );
    const greylisting = renderContainerEnv({ ...base, spam: { ...DEFAULT_SPAM, greylisting: true, learning: false } });
    expect(greylisting).toEqual(expect.arrayContaining(["RSPAMD_GREYLISTING=1", "RSPAMD_LEARN=0"]));
  });

  it("without it: OpenDKIM signs, OpenDMARC and policyd-spf check, and no Rspamd variable is on", () => {
    const env = renderContainerEnv({
      ...base,
      spam: { filter: "none", dnsbl: false, learning: false, greylisting: false },
    });
    expect(env).toEqual(
      expect.arrayContaining([
        "ENABLE_RSPAMD=0",
        "ENABLE_RSPAMD_REDIS=0",
        "RSPAMD_LEARN=0",
        "ENABLE_DNSBL=0",
        "ENABLE_OPENDKIM=1",
        "ENABLE_OPENDMARC=1",
        "ENABLE_POLICYD_SPF=1",
        "ENABLE_AMAVIS=0",
      ]),
    );
  });
});
