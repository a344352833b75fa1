import { describe, expect, it } from "vitest";
import { renderPostfixReceiveAccess } from "../../lib/render/postfix-receive-access";

describe("postfix-receive-access.cf", () => {
  it("renders blocked addresses as access(5) REJECT lines, and nothing when nothing is blocked", () => {
    expect(renderPostfixReceiveAccess(["shop@example.com", "leak@example.com"])).toBe(
      "shop@example.com REJECT\nleak@example.com REJECT\n",
    );
    expect(renderPostfixReceiveAccess([])).toBe("");
  });
});
