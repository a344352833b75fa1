import { describe, expect, it } from "vitest";
import { renderPostfixAccounts } from "../../lib/render/postfix-accounts";

describe("postfix-accounts.cf", () => {
  it("renders address|hash lines", () => {
    expect(
      renderPostfixAccounts([
        { address: "hi@example.com", passwordHash: "{SHA512-CRYPT}$6$a$b" },
        { address: "info@example.com", passwordHash: "{SHA512-CRYPT}$6$c$d" },
      ]),
    ).toBe("hi@example.com|{SHA512-CRYPT}$6$a$b\ninfo@example.com|{SHA512-CRYPT}$6$c$d\n");
  });
});
