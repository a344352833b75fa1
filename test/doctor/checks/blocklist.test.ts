import { describe, expect, it } from "vitest";
import { judgeBlocklistAnswer } from "../../../doctor/checks/blocklist";

describe("blocklist answers", () => {
  it("passes no answer, fails a listing, warns on a refused query", () => {
    expect(judgeBlocklistAnswer("B", "c", "192.0.2.1", "zen.test", []).status).toBe("pass");
    expect(judgeBlocklistAnswer("B", "c", "192.0.2.1", "zen.test", ["127.0.0.2"]).status).toBe("fail");
    expect(judgeBlocklistAnswer("B", "c", "192.0.2.1", "zen.test", ["127.255.255.254"]).status).toBe("warn");
  });
});
