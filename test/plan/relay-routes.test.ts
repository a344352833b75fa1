import { describe, expect, it } from "vitest";
import { planRelayRoutes, renderPostfixRelaymap, renderRelayCredentials } from "../../lib/plan/relay-routes";
import { renderPostfixSaslPassword } from "../../lib/render/postfix-sasl-password";

const resend = { host: "smtp.resend.com", port: 587, username: "resend" };
const direct = { host: "", port: 0, username: "" };

describe("relay routes per sender domain", () => {
  it("one domain: the relayhost and the one credential line a single-domain stack always had, no relay map", () => {
    const routes = planRelayRoutes([{ domain: "a.test", ...resend }]);
    expect(routes.relayhost).toBe("[smtp.resend.com]:587");
    expect(renderPostfixRelaymap(routes)).toBe("");
    expect(renderRelayCredentials(routes, { "a.test": "re_a" })).toBe(renderPostfixSaslPassword(resend, "re_a"));
  });

  it("one relay, one key per domain (scoped Resend keys): one @domain line for each other domain", () => {
    const routes = planRelayRoutes([
      { domain: "a.test", ...resend },
      { domain: "b.test", ...resend },
      { domain: "c.test", ...resend },
    ]);
    expect(renderPostfixRelaymap(routes)).toBe("");
    expect(renderRelayCredentials(routes, { "a.test": "re_a", "b.test": "re_b", "c.test": "re_c" })).toBe(
      "[smtp.resend.com]:587 resend:re_a\n@b.test resend:re_b\n@c.test resend:re_c\n",
    );
  });

  it("one credential covering every domain: the one host line, nothing per domain", () => {
    const routes = planRelayRoutes([
      { domain: "a.test", ...resend },
      { domain: "b.test", ...resend },
    ]);
    expect(renderRelayCredentials(routes, { "a.test": "re_all", "b.test": "re_all" })).toBe(
      "[smtp.resend.com]:587 resend:re_all\n",
    );
  });

  it("a domain on another relay host: its own relay map line and its own credential", () => {
    const routes = planRelayRoutes([
      { domain: "a.test", ...resend },
      { domain: "b.test", host: "smtp.eu.mailgun.org", port: 465, username: "postmaster@b.test" },
    ]);
    expect(routes.relayhost).toBe("[smtp.resend.com]:587");
    expect(renderPostfixRelaymap(routes)).toBe("@b.test [smtp.eu.mailgun.org]:465\n");
    expect(renderRelayCredentials(routes, { "a.test": "re_a", "b.test": "mg" })).toBe(
      "[smtp.resend.com]:587 resend:re_a\n@b.test postmaster@b.test:mg\n",
    );
  });

  it("the first domain sends directly: no relayhost, the others through the relay map with @domain credentials", () => {
    const routes = planRelayRoutes([
      { domain: "a.test", ...direct },
      { domain: "b.test", ...resend },
    ]);
    expect(routes.relayhost).toBeUndefined();
    expect(renderPostfixRelaymap(routes)).toBe("@b.test [smtp.resend.com]:587\n");
    expect(renderRelayCredentials(routes, { "b.test": "re_b" })).toBe("@b.test resend:re_b\n");
  });

  it("refuses a domain sending directly behind a default relay (config refuses it first)", () => {
    expect(() =>
      planRelayRoutes([
        { domain: "a.test", ...resend },
        { domain: "b.test", ...direct },
      ]),
    ).toThrow(/b\.test sends directly/);
  });
});
