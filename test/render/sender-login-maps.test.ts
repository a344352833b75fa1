import { describe, expect, it } from "vitest";
import { renderPostfixMain, renderSenderLoginMaps } from "../../lib/render/sender-login-maps";
import { renderSaslPassword } from "../../lib/render/postfix-sasl-password";

const input = {
  domain: "example.com",
  accounts: ["hi@example.com", "info@example.com"],
  aliases: [
    { address: "team@example.com", targets: ["hi@example.com", "friend@other.net"] },
    { address: "sales@example.com", targets: ["team@example.com"] },
  ],
  catchAll: "info@example.com",
  postmaster: "info@example.com",
  roles: ["postmaster@example.com", "abuse@example.com"],
  blocked: ["leak@example.com"],
};

/** The owners the table gives `address`, applying pcre_table(5)'s first-match rule with JavaScript regexes. */
function owners(table: string, address: string): string | undefined {
  for (const line of table.split("\n")) {
    const m = /^\/(.*)\/\t(.*)$/.exec(line);
    if (m && new RegExp(m[1], "i").test(address)) return m[2];
  }
  return undefined;
}

describe("sender login maps", () => {
  const table = renderSenderLoginMaps(input);

  it("gives each address the accounts that receive its mail", () => {
    expect(owners(table, "hi@example.com")).toBe("hi@example.com");
    expect(owners(table, "hi+shop@example.com")).toBe("hi@example.com");
    expect(owners(table, "team@example.com")).toBe("hi@example.com");
    expect(owners(table, "sales+x@example.com")).toBe("hi@example.com");
    expect(owners(table, "postmaster@example.com")).toBe("info@example.com");
    expect(owners(table, "bilibili@example.com")).toBe("info@example.com");
  });

  it("leaves blocked and outside addresses to no account", () => {
    expect(owners(table, "leak@example.com")).toBe("leak@example.com");
    expect(owners(table, "leak+x@example.com")).toBe("leak@example.com");
    expect(owners(table, "someone@other.net")).toBeUndefined();
    expect(owners(table, "x@sub.example.com")).toBeUndefined();
  });

  it("gives unclaimed addresses to nobody without a catch-all", () => {
    const t = renderSenderLoginMaps({ ...input, catchAll: undefined });
    expect(owners(t, "bilibili@example.com")).toBeUndefined();
  });

  it("escapes regex and result metacharacters", () => {
    const t = renderSenderLoginMaps({ ...input, accounts: ["a.b+c$@example.com"], aliases: [], catchAll: undefined });
    expect(t).toContain("/^a\\.b\\+c\\$(\\+[^@]*)?@example\\.com$/\ta.b+c$$@example.com\n");
  });

  it("keeps docker-mailserver's sender login maps and adds the table", () => {
    expect(renderPostfixMain()).toContain(
      "smtpd_sender_login_maps = unionmap:{ texthash:/etc/postfix/virtual, hash:/etc/aliases, pcre:/etc/postfix/maps/sender_login_maps.pcre, pcre:/etc/postfix/regexp, pcre:/tmp/docker-mailserver/mailstack/sender-login-maps.pcre }\n",
    );
  });
});

describe("postfix-sasl-password.cf", () => {
  it("keys the credential by the relay host string DEFAULT_RELAY_HOST uses", () => {
    expect(renderSaslPassword({ host: "smtp.resend.com", port: 587, username: "resend" }, "re_key")).toBe(
      "[smtp.resend.com]:587 resend:re_key\n",
    );
  });
});
