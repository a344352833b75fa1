import { describe, expect, it } from "vitest";
import { renderSenderLoginMaps } from "../../lib/render/sender-login-maps";

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
  const table = renderSenderLoginMaps([input]);

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
    const t = renderSenderLoginMaps([{ ...input, catchAll: undefined }]);
    expect(owners(t, "bilibili@example.com")).toBeUndefined();
  });

  it("escapes regex and result metacharacters", () => {
    const t = renderSenderLoginMaps([{ ...input, accounts: ["a.b+c$@example.com"], aliases: [], catchAll: undefined }]);
    expect(t).toContain("/^a\\.b\\+c\\$(\\+[^@]*)?@example\\.com$/\ta.b+c$$@example.com\n");
  });

  it("gives each domain's addresses to that domain's accounts, the header once", () => {
    const other = {
      ...input,
      domain: "other.example",
      accounts: ["hi@other.example"],
      aliases: [],
      catchAll: "hi@other.example",
      postmaster: "hi@other.example",
      roles: ["postmaster@other.example"],
      blocked: [],
    };
    const both = renderSenderLoginMaps([input, other]);
    expect(owners(both, "hi@example.com")).toBe("hi@example.com");
    expect(owners(both, "hi@other.example")).toBe("hi@other.example");
    expect(owners(both, "bilibili@other.example")).toBe("hi@other.example");
    expect(owners(both, "bilibili@example.com")).toBe("info@example.com");
    expect(both.match(/^# /gm)).toHaveLength(2);
  });
});

describe("sender login maps across domains", () => {
  const family = {
    domain: "family.example",
    accounts: ["hi@family.example", "mom@family.example"],
    // An alias delivering to an account of the other domain, and a catch-all there.
    aliases: [{ address: "kids@family.example", targets: ["mom@family.example", "hi@example.com"] }],
    catchAll: "info@example.com",
    postmaster: "mom@family.example",
    roles: ["postmaster@family.example", "abuse@family.example"],
    blocked: [],
  };
  const table = renderSenderLoginMaps([input, family]);

  it("gives an address the accounts that receive its mail at any hosted domain", () => {
    expect(owners(table, "kids@family.example")).toBe("mom@family.example,hi@example.com");
    expect(owners(table, "unknown@family.example")).toBe("info@example.com");
    expect(owners(table, "postmaster@family.example")).toBe("mom@family.example");
  });

  it("keeps the same local part at two domains apart", () => {
    expect(owners(table, "hi@example.com")).toBe("hi@example.com");
    expect(owners(table, "hi@family.example")).toBe("hi@family.example");
  });
});
