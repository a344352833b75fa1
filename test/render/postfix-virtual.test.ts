import { describe, expect, it } from "vitest";
import { renderPostfixVirtual, routedRoles } from "../../lib/render/postfix-virtual";

const ROLES = ["postmaster", "abuse"];

describe("postfix-virtual.cf", () => {
  it("writes an alias's alias targets as what they deliver to, the role and catch-all lines' too", () => {
    const text = renderPostfixVirtual([
      {
        domain: "example.com",
        accounts: ["hi@example.com", "myteam@example.com"],
        aliases: [
          { address: "team@example.com", targets: ["hi@example.com", "partner@other.net"] },
          { address: "sales@example.com", targets: ["team@example.com", "hi@example.com"] },
        ],
        catchAll: "sales@example.com",
        postmaster: "team@example.com",
        roles: ["postmaster"],
      },
    ]);
    expect(text.split("\n")).toEqual([
      "team@example.com hi@example.com,partner@other.net",
      "sales@example.com hi@example.com,partner@other.net",
      "postmaster@example.com hi@example.com,partner@other.net",
      "hi@example.com hi@example.com",
      "myteam@example.com myteam@example.com",
      "@example.com hi@example.com,partner@other.net",
      "",
    ]);
  });

  it("refuses a value that would change the table's structure (safe by construction)", () => {
    const base = { domain: "example.com", accounts: ["hi@example.com"], postmaster: "hi@example.com", roles: ROLES };
    for (const aliases of [
      [{ address: "#sales@example.com", targets: ["hi@example.com"] }],
      [{ address: "sales@example.com", targets: ["hi@example.com spy@evil.test"] }],
      [{ address: "sales@example.com", targets: ["hi@example.com,spy@evil.test"] }],
    ])
      expect(() => renderPostfixVirtual([{ ...base, aliases }]), JSON.stringify(aliases)).toThrow(/refusing to write/);
  });

  it("puts a self-alias for every account above the catch-all so real mailboxes keep their mail", () => {
    const text = renderPostfixVirtual([
      {
        domain: "example.com",
        accounts: ["postmaster@example.com", "hi@example.com", "info@example.com"],
        aliases: [{ address: "sales@example.com", targets: ["hi@example.com", "partner@other.net"] }],
        catchAll: "info@example.com",
        postmaster: "info@example.com",
        roles: ROLES,
      },
    ]);
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
    expect(renderPostfixVirtual([input])).toBe(
      "postmaster@example.com hi@example.com\nabuse@example.com hi@example.com\n",
    );
    const abuseAlias = { address: "abuse@example.com", targets: ["sec@other.net"] };
    expect(routedRoles({ ...input, accounts: ["postmaster@example.com"], aliases: [abuseAlias] })).toEqual([]);
  });

  it("is empty (and so not uploaded) with no aliases, no catch-all and the roles being accounts", () => {
    expect(
      renderPostfixVirtual([
        {
          domain: "example.com",
          accounts: ["hi@example.com", "postmaster@example.com", "abuse@example.com"],
          aliases: [],
          postmaster: "hi@example.com",
          roles: ROLES,
        },
      ]),
    ).toBe("");
  });

  it("writes each domain's lines in turn, each with its own roles and catch-all", () => {
    const domain = (d: string) => ({
      domain: d,
      accounts: [`hi@${d}`],
      aliases: [],
      catchAll: `hi@${d}`,
      postmaster: `hi@${d}`,
      roles: ["postmaster"],
    });
    expect(renderPostfixVirtual([domain("a.example"), domain("b.example")])).toBe(
      [
        "postmaster@a.example hi@a.example",
        "hi@a.example hi@a.example",
        "@a.example hi@a.example",
        "postmaster@b.example hi@b.example",
        "hi@b.example hi@b.example",
        "@b.example hi@b.example",
        "",
      ].join("\n"),
    );
  });
});
