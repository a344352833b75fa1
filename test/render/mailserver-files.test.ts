import { describe, expect, it } from "vitest";
import {
  dkimKeyPath,
  renderAccounts,
  renderOpenDkim,
  renderReceiveAccess,
  renderVirtual,
} from "../../lib/render/mailserver-files";

describe("docker-mailserver files", () => {
  it("renders postfix-accounts.cf as address|hash lines", () => {
    expect(
      renderAccounts([
        { address: "hi@example.com", passwordHash: "{SHA512-CRYPT}$6$a$b" },
        { address: "info@example.com", passwordHash: "{SHA512-CRYPT}$6$c$d" },
      ]),
    ).toBe("hi@example.com|{SHA512-CRYPT}$6$a$b\ninfo@example.com|{SHA512-CRYPT}$6$c$d\n");
  });

  it("puts a self-alias for every account above the catch-all so real mailboxes keep their mail", () => {
    const text = renderVirtual({
      domain: "example.com",
      accounts: ["postmaster@example.com", "hi@example.com", "info@example.com"],
      aliases: [{ address: "sales@example.com", targets: ["hi@example.com", "partner@other.net"] }],
      catchAll: "info@example.com",
    });
    expect(text.split("\n")).toEqual([
      "sales@example.com hi@example.com,partner@other.net",
      "postmaster@example.com postmaster@example.com",
      "hi@example.com hi@example.com",
      "info@example.com info@example.com",
      "@example.com info@example.com",
      "",
    ]);
  });

  it("writes no self-aliases and no wildcard without a catch-all", () => {
    expect(renderVirtual({ domain: "example.com", accounts: ["hi@example.com"], aliases: [] })).toBe("");
  });

  it("renders blocked addresses as access(5) REJECT lines", () => {
    expect(renderReceiveAccess(["shop@example.com", "leak@example.com"])).toBe(
      "shop@example.com REJECT\nleak@example.com REJECT\n",
    );
  });

  it("renders OpenDKIM tables in the layout setup config dkim writes", () => {
    const t = renderOpenDkim({ domain: "example.com", selector: "mail" });
    expect(t.keyTable).toBe(
      "mail._domainkey.example.com example.com:mail:/etc/opendkim/keys/example.com/mail.private\n",
    );
    expect(t.signingTable).toBe("*@example.com mail._domainkey.example.com\n");
    expect(t.trustedHosts).toBe("127.0.0.1\nlocalhost\n");
    expect(dkimKeyPath({ domain: "example.com", selector: "mail" })).toBe("opendkim/keys/example.com/mail.private");
  });
});
