import { describe, expect, it } from "vitest";
import {
  dkimKeyPath,
  renderAccounts,
  renderOpenDkim,
  renderReceiveAccess,
  renderVirtual,
  routedRoles,
} from "../../lib/render/mailserver-files";

const ROLES = ["postmaster", "abuse"];

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
      postmaster: "info@example.com",
      roles: ROLES,
    });
    expect(text.split("\n")).toEqual([
      "sales@example.com hi@example.com,partner@other.net",
      "abuse@example.com info@example.com",
      "postmaster@example.com postmaster@example.com",
      "hi@example.com hi@example.com",
      "info@example.com info@example.com",
      "@example.com info@example.com",
      "",
    ]);
  });

  it("routes postmaster@ and abuse@ to a person unless they are accounts or aliases", () => {
    const input = {
      domain: "example.com",
      accounts: ["hi@example.com"],
      aliases: [],
      postmaster: "hi@example.com",
      roles: ROLES,
    };
    expect(renderVirtual(input)).toBe("postmaster@example.com hi@example.com\nabuse@example.com hi@example.com\n");
    const abuseAlias = { address: "abuse@example.com", targets: ["sec@other.net"] };
    expect(routedRoles({ ...input, accounts: ["postmaster@example.com"], aliases: [abuseAlias] })).toEqual([]);
  });

  it("is empty (and so not uploaded) with no aliases, no catch-all and the roles being accounts", () => {
    expect(
      renderVirtual({
        domain: "example.com",
        accounts: ["hi@example.com", "postmaster@example.com", "abuse@example.com"],
        aliases: [],
        postmaster: "hi@example.com",
        roles: ROLES,
      }),
    ).toBe("");
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
