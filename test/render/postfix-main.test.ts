import { describe, expect, it } from "vitest";
import { renderPostfixMain } from "../../lib/render/postfix-main";

describe("postfix-main.cf", () => {
  it("keeps docker-mailserver's sender login maps and adds the table", () => {
    expect(renderPostfixMain()).toContain(
      "smtpd_sender_login_maps = unionmap:{ texthash:/etc/postfix/virtual, hash:/etc/aliases, pcre:/etc/postfix/maps/sender_login_maps.pcre, pcre:/etc/postfix/regexp, pcre:/tmp/docker-mailserver/mailstack/sender-login-maps.pcre }\n",
    );
  });
});
