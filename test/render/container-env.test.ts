import { describe, expect, it } from "vitest";
import { renderContainerEnv } from "../../lib/render/container-env";

const base = {
  domain: "example.com",
  accounts: ["hi@example.com", "postmaster@example.com"],
  relay: { host: "smtp.resend.com", port: 587, username: "resend" },
  extra: {},
};

describe("renderContainerEnv", () => {
  it("sets manual TLS, the relay via a password file, and small-server defaults, sorted by key", () => {
    const env = renderContainerEnv(base);
    expect(env).toEqual([...env].sort());
    expect(env).toContain("SSL_TYPE=manual");
    expect(env).toContain("DEFAULT_RELAY_HOST=[smtp.resend.com]:587");
    expect(env).toContain("RELAY_USER=resend");
    expect(env).toContain("RELAY_PASSWORD__FILE=/tmp/dms/secrets/relay-password");
    expect(env.some((e) => e.startsWith("RELAY_PASSWORD="))).toBe(false);
    expect(env).toContain("ENABLE_CLAMAV=0");
    expect(env).toContain("ENABLE_SPAMASSASSIN=0");
    expect(env).toContain("POSTMASTER_ADDRESS=postmaster@example.com");
  });

  it("has no relay variables when mail is sent directly", () => {
    const env = renderContainerEnv({ ...base, relay: { host: "", port: 0, username: "" } });
    expect(env.filter((e) => e.startsWith("RELAY_") || e.startsWith("DEFAULT_RELAY"))).toEqual([]);
  });

  it("merges extra variables last, overriding defaults", () => {
    const env = renderContainerEnv({ ...base, extra: { ENABLE_CLAMAV: "1", TZ: "Asia/Shanghai" } });
    expect(env).toContain("ENABLE_CLAMAV=1");
    expect(env).not.toContain("ENABLE_CLAMAV=0");
    expect(env).toContain("TZ=Asia/Shanghai");
  });
});
