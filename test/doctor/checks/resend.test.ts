import { describe, expect, it } from "vitest";
import { judgeResendStatus } from "../../../doctor/checks/resend";

describe("Resend statuses", () => {
  it("passes verified, warns pending, fails the rest", () => {
    expect(judgeResendStatus("c", { id: "1", status: "verified" }).status).toBe("pass");
    expect(judgeResendStatus("c", { id: "1", status: "pending" }).status).toBe("warn");
    expect(judgeResendStatus("c", { id: "1", status: "failed" }).status).toBe("fail");
  });
});
