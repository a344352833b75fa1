import { describe, expect, it } from "vitest";
import { grepSafeOrder, renderPostfixAccounts } from "../../lib/render/postfix-accounts";

describe("postfix-accounts.cf", () => {
  it("renders address|hash lines", () => {
    expect(
      renderPostfixAccounts([
        { address: "hi@example.com", passwordHash: "{SHA512-CRYPT}$6$a$b" },
        { address: "info@example.com", passwordHash: "{SHA512-CRYPT}$6$c$d" },
      ]),
    ).toBe("hi@example.com|{SHA512-CRYPT}$6$a$b\ninfo@example.com|{SHA512-CRYPT}$6$c$d\n");
  });

  it("orders accounts so that no line is preceded by one its address matches as a grep pattern", () => {
    expect(
      grepSafeOrder([
        "chi@example.com",
        "postmaster@example.com",
        "hi@example.com",
        "axb@example.com",
        "a.b@example.com",
      ]),
    ).toEqual(["hi@example.com", "a.b@example.com", "axb@example.com", "chi@example.com", "postmaster@example.com"]);
    // Each address's first match, as `grep` would find it in the rendered file, is its own line.
    const text = renderPostfixAccounts(
      ["chi@example.com", "hi@example.com", "axb@example.com", "a.b@example.com"].map((address) => ({
        address,
        passwordHash: "{SHA512-CRYPT}$6$s$h",
      })),
    );
    for (const address of ["chi@example.com", "hi@example.com", "axb@example.com", "a.b@example.com"]) {
      const first = text.split("\n").find((line) => new RegExp(address.replace(/[@+]/g, "\\$&")).test(line));
      expect(first, address).toBe(`${address}|{SHA512-CRYPT}$6$s$h`);
    }
  });

  it("refuses an address or hash that would change the file's structure (safe by construction)", () => {
    for (const [address, passwordHash] of [
      ["a|b@example.com", "{SHA512-CRYPT}$6$s$h"],
      ["#hi@example.com", "{SHA512-CRYPT}$6$s$h"],
      ["hi@example.com", "{SHA512-CRYPT}$6$s$h\nevil@example.com|x"],
    ])
      expect(() => renderPostfixAccounts([{ address, passwordHash }]), address).toThrow(/refusing to write/);
  });
});
