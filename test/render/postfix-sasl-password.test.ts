import { describe, expect, it } from "vitest";
import { relayHostKey, renderPostfixSaslPassword } from "../../lib/render/postfix-sasl-password";

describe("postfix-sasl-password.cf", () => {
  it("keys the credential by the relay host string DEFAULT_RELAY_HOST uses", () => {
    const relay = { host: "smtp.resend.com", port: 587, username: "resend" };
    expect(renderPostfixSaslPassword(relay, "re_key")).toBe("[smtp.resend.com]:587 resend:re_key\n");
    expect(relayHostKey(relay)).toBe("[smtp.resend.com]:587");
  });
});
