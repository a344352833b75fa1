import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { checkSpamFilter, describeFilter } from "../../../doctor/checks/spam-filter";
import { DoctorContext } from "../../../doctor/context";
import { freePorts } from "../../daemons/harness/ports";

const RSPAMD = { filter: "rspamd" as const, dnsbl: true, learning: true, greylisting: false };

/** Just what the check reads: the plan's filter, where to dial, and the timeout. */
function context(spam: DoctorContext["planned"]["spam"], controllerPort: number): DoctorContext {
  return {
    planned: { spam, serverIp: "192.0.2.1", hostname: "mail.example.test" },
    options: { connect: "127.0.0.1", portOverrides: new Map([[11334, controllerPort]]), timeoutMs: 2000 },
  } as unknown as DoctorContext;
}

describe("spam filter check", () => {
  it("says which filter is planned and what it does", () => {
    expect(describeFilter(RSPAMD)).toBe(
      "Rspamd: refuses clear spam at SMTP time (score 11), files likely spam into Junk (score 6); DNS blocklists at connection time; learns from mail moved into or out of Junk; no greylisting",
    );
    expect(describeFilter({ filter: "none", dnsbl: false, learning: false, greylisting: false })).toBe(
      "none planned (no DNS blocklists)",
    );
  });

  it("passes Rspamd with its web interface closed, fails it when the interface answers", async () => {
    const [closed] = await freePorts(1);
    const ok = await checkSpamFilter(context(RSPAMD, closed));
    expect(ok.map((r) => [r.name, r.status])).toEqual([
      ["filter", "pass"],
      ["web interface (port 11334) not reachable", "pass"],
    ]);

    const open = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => open.listen(0, "127.0.0.1", resolve));
    try {
      const port = (open.address() as { port: number }).port;
      const [, controller] = await checkSpamFilter(context(RSPAMD, port));
      expect(controller.status).toBe("fail");
      expect(controller.detail).toMatch(/127\.0\.0\.1:11334 accepts connections/);
      expect(controller.fix).toMatch(/Close port 11334/);
    } finally {
      await new Promise((resolve) => open.close(resolve));
    }
  });

  it("warns when no filter is planned, and skips outputs from before the spam settings", async () => {
    const [closed] = await freePorts(1);
    const none = await checkSpamFilter(context({ ...RSPAMD, filter: "none", learning: false }, closed));
    expect(none.map((r) => r.status)).toEqual(["warn"]);
    expect(none[0].fix).toMatch(/mailstack:spam\.filter/);
    const old = await checkSpamFilter(context(undefined, closed));
    expect(old.map((r) => [r.status, r.detail])).toEqual([["skip", expect.stringMatching(/run pulumi up/)]]);
  });
});
