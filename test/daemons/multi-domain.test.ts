/**
 * Issue 14 on the real daemons: three mail domains on one loopback Postfix/Dovecot/OpenDKIM, fed the files the
 * program plans for `mailstack:domains`. Each catch-all collects its own domain, the same local part at two
 * domains is two mailboxes, an alias across domains is delivered here, and mail from each domain leaves signed
 * with its own key (verified by mailauth against the planned records) through the relay, with the credential
 * of the sender's domain: one Resend host with a key per domain, and another relay host for the third domain
 * (postfix-relaymap.cf).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "mailauth";
import { daemonsRunnable } from "./harness/daemons-available";
import { LoopbackStack, startLoopbackStack } from "./harness/loopback-stack";
import { inboxSources, marker, sendMail, waitForInbox } from "./harness/mail-clients";
import { plannedResolver } from "./harness/planned-dns";
import { RELAY_PASSWORD } from "./harness/loopback-config";
import { RESEND_DKIM } from "../support/fixtures";

const OUTSIDE = "127.0.0.2";
const NET_KEY = "re_example_net_scoped_key";
const OTHER_RELAY = { hop: "[smtp.other-relay.test]:2525", username: "news-relay", password: "other-relay-pass" };
const RESEND_HOP = "[smtp.resend.com]:587";

/** Everything the single-domain loopback config says about its one domain, unset. */
const SINGLE_DOMAIN_KEYS_UNSET = {
  domain: undefined,
  accounts: undefined,
  catchAll: undefined,
  aliases: undefined,
  blocked: undefined,
  resend: undefined,
  dmarc: undefined,
  passwords: undefined,
};

const MULTI = {
  ...SINGLE_DOMAIN_KEYS_UNSET,
  domains: [
    {
      domain: "example.org",
      accounts: ["hi", "alice"],
      catchAll: "hi",
      resend: { dkim: RESEND_DKIM },
      dmarc: { policy: "reject" },
    },
    {
      domain: "example.net",
      accounts: ["hi", "mom"],
      catchAll: "mom",
      aliases: { kids: ["mom", "alice@example.org"] },
      dkim: { selector: "net" },
      resend: { dkim: RESEND_DKIM },
      dmarc: { policy: "reject" },
    },
    {
      domain: "example.com",
      accounts: ["news"],
      relay: { provider: "custom", host: "smtp.other-relay.test", port: 2525, username: OTHER_RELAY.username },
      dmarc: { policy: "reject" },
    },
  ],
  // example.org uses the shared key; example.net a key scoped to it; example.com its own relay's password.
  relayPasswords: { "example.net": NET_KEY, "example.com": OTHER_RELAY.password },
};

describe.skipIf(!daemonsRunnable())("several mail domains on one server, on real daemons", () => {
  let stack: LoopbackStack;
  const pw = (address: string) => stack.passwords[address];
  const inbound = (to: string, subject: string) =>
    sendMail(stack.system, "smtp", { from: "someone@outside.test", to, subject, text: subject }, undefined, OUTSIDE);

  beforeAll(async () => {
    stack = await startLoopbackStack({}, MULTI, {
      relays: {
        [RESEND_HOP]: [
          { username: "resend", password: RELAY_PASSWORD },
          { username: "resend", password: NET_KEY },
        ],
        [OTHER_RELAY.hop]: [{ username: OTHER_RELAY.username, password: OTHER_RELAY.password }],
      },
    });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("the program hands docker-mailserver one relay map line and one credential per sender domain", () => {
    // As planned (the harness points the hops at its capture relays only in what the daemons read).
    const at = (name: string) => stack.files.configFiles[name];
    expect(at("postfix-relaymap.cf")).toBe(`@example.com ${OTHER_RELAY.hop}\n`);
    expect(at("postfix-sasl-password.cf")).toBe(
      `${RESEND_HOP} resend:${RELAY_PASSWORD}\n@example.net resend:${NET_KEY}\n@example.com ${OTHER_RELAY.username}:${OTHER_RELAY.password}\n`,
    );
  });

  it("each catch-all collects only its own domain's unknown addresses", async () => {
    const org = marker("org-unknown");
    const net = marker("net-unknown");
    await inbound("nobody@example.org", org);
    await inbound("nobody@example.net", net);
    await waitForInbox(stack.system, "hi@example.org", pw("hi@example.org"), org);
    await waitForInbox(stack.system, "mom@example.net", pw("mom@example.net"), net);
    const orgCatchAll = await inboxSources(stack.system, "hi@example.org", pw("hi@example.org"));
    const netCatchAll = await inboxSources(stack.system, "mom@example.net", pw("mom@example.net"));
    expect(orgCatchAll.some((m) => m.includes(net))).toBe(false);
    expect(netCatchAll.some((m) => m.includes(org))).toBe(false);
  });

  it("the same local part at two domains is two mailboxes, each with its own password", async () => {
    expect(pw("hi@example.org")).not.toBe(pw("hi@example.net"));
    const org = marker("hi-org");
    const net = marker("hi-net");
    await inbound("hi@example.org", org);
    await inbound("hi@example.net", net);
    await waitForInbox(stack.system, "hi@example.org", pw("hi@example.org"), org);
    await waitForInbox(stack.system, "hi@example.net", pw("hi@example.net"), net);
    expect(
      (await inboxSources(stack.system, "hi@example.org", pw("hi@example.org"))).some((m) => m.includes(net)),
    ).toBe(false);
    expect(
      (await inboxSources(stack.system, "hi@example.net", pw("hi@example.net"))).some((m) => m.includes(org)),
    ).toBe(false);
    // And the catch-all of example.net did not take hi@example.net's mail.
    expect(
      (await inboxSources(stack.system, "mom@example.net", pw("mom@example.net"))).some((m) => m.includes(net)),
    ).toBe(false);
  });

  it("an alias at one domain targeting an account at another is delivered here, not relayed", async () => {
    const id = marker("kids");
    await inbound("kids@example.net", id);
    await waitForInbox(stack.system, "mom@example.net", pw("mom@example.net"), id);
    await waitForInbox(stack.system, "alice@example.org", pw("alice@example.org"), id);
    for (const relay of Object.values(stack.relays))
      expect(relay.messages.some((m) => m.raw.toString("utf8").includes(id))).toBe(false);
  });

  it("a login of one domain cannot send as the same local part at another", async () => {
    await expect(
      sendMail(
        stack.system,
        "submission",
        { from: "hi@example.net", to: "reader@elsewhere.test", subject: marker("spoof"), text: "x" },
        { user: "hi@example.org", pass: pw("hi@example.org") },
      ),
    ).rejects.toThrow(/553|not owned/i);
  });

  it("an account receiving an alias's mail across domains may send as the alias, with that domain's credential", async () => {
    const id = marker("as-kids");
    await sendMail(
      stack.system,
      "submission",
      { from: "kids@example.net", to: "reader@elsewhere.test", subject: id, text: "from the family" },
      { user: "alice@example.org", pass: pw("alice@example.org") },
    );
    const relayed = await stack.relays[RESEND_HOP].waitFor((m) => m.raw.toString("utf8").includes(id));
    expect(relayed.mailFrom).toBe("kids@example.net");
    expect(relayed.auth).toEqual({ username: "resend", password: NET_KEY });
  });

  it.each([
    {
      from: "alice@example.org",
      selector: "mail",
      hop: RESEND_HOP,
      auth: { username: "resend", password: RELAY_PASSWORD },
    },
    { from: "mom@example.net", selector: "net", hop: RESEND_HOP, auth: { username: "resend", password: NET_KEY } },
    {
      from: "news@example.com",
      selector: "mail",
      hop: OTHER_RELAY.hop,
      auth: { username: OTHER_RELAY.username, password: OTHER_RELAY.password },
    },
  ])(
    "mail from $from leaves signed d=its domain s=$selector, through $hop with its domain's credential",
    async ({ from, selector, hop, auth }) => {
      const domain = from.split("@")[1];
      const id = marker(`out-${domain}`);
      await sendMail(
        stack.system,
        "submission",
        { from, to: "reader@elsewhere.test", subject: id, text: "signed" },
        { user: from, pass: pw(from) },
      );
      const relayed = await stack.relays[hop].waitFor((m) => m.raw.toString("utf8").includes(id));
      expect(relayed.auth).toEqual(auth);
      expect(relayed.authedOverTls).toBe(true);
      expect(relayed.mailFrom).toBe(from);
      // No other relay saw it.
      for (const [other, relay] of Object.entries(stack.relays))
        if (other !== hop) expect(relay.messages.some((m) => m.raw.toString("utf8").includes(id))).toBe(false);

      const result = await authenticate(relayed.raw, {
        resolver: plannedResolver(stack.dnsRecords),
        sender: from,
        ip: "127.0.0.1",
        helo: "relay.loopback.test",
        mta: "receiver.loopback.test",
        disableArc: true,
        disableBimi: true,
      });
      const signatures = result.dkim.results.map((r: any) => ({
        d: r.signingDomain,
        s: r.selector,
        result: r.status.result,
      }));
      // Exactly one signature, by the sender's domain with its own key, verified against its planned record.
      expect(signatures).toEqual([{ d: domain, s: selector, result: "pass" }]);
      expect(result.dmarc && result.dmarc.status.result).toBe("pass");
    },
  );
});
