/**
 * Issue 9: `spam.greylisting: true` turns on Rspamd's greylisting module (RSPAMD_GREYLISTING), which defers
 * doubtful mail from a sender it has not seen before and leaves clean mail alone. Off by default (spam.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZoneRecord } from "../support/dns-server";
import { daemonsRunnable } from "./harness/daemons-available";
import { InternetHost, sendFromInternet, wellConfiguredSender } from "./harness/internet-client";
import { LoopbackStack, SCENARIO, startLoopbackStack } from "./harness/loopback-stack";
import { mailboxSources, marker, waitForInbox } from "./harness/mail-clients";

const { alice } = SCENARIO.accounts;
const PASSWORDS = { hi: "hi-Grey-Loopback-1", alice: "alice-Grey-Loopback-1", bob: "bob-Grey-Loopback-1" };
const FRIEND = wellConfiguredSender("sender.example.net", "198.51.100.10", "127.0.0.10");
/** A host with proper reverse DNS sending for a domain that publishes nothing: no SPF, DKIM or DMARC. */
const UNKNOWN: InternetHost = { loopback: "127.0.0.10", address: "198.51.100.60", helo: "smtp.nowhere.example.com" };
const ZONE: ZoneRecord[] = [
  ...FRIEND.zone,
  { name: "60.100.51.198.in-addr.arpa", type: "PTR", data: UNKNOWN.helo },
  { name: UNKNOWN.helo, type: "A", data: UNKNOWN.address },
];

/** Rspamd keys its greylist on the body's hash as well as on sender, recipient and address: every body differs. */
const message = (from: string, subject: string) => ({
  from,
  to: [alice],
  headers: [
    `From: ${from}`,
    `To: ${alice}`,
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${marker("mid")}@${from.split("@")[1]}>`,
  ],
  body: `Hello Alice,\r\nthe documents you asked for (${subject}) are ready; tell me where to send them.\r\nRegards\r\n`,
});

describe.skipIf(!daemonsRunnable())("greylisting (spam.greylisting: true) on real daemons", () => {
  let stack: LoopbackStack;

  beforeAll(async () => {
    stack = await startLoopbackStack(PASSWORDS, { spam: { greylisting: true } }, { zone: ZONE });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("defers a doubtful message from a new sender with 4xx, and accepts a clean one at once", async () => {
    expect(stack.files.env.RSPAMD_GREYLISTING).toBe("1");
    const doubtful = marker("doubtful");
    const deferred = await sendFromInternet(
      stack.system,
      stack.dns!,
      UNKNOWN,
      message("someone@nowhere.example.com", doubtful),
    );
    expect(deferred.reply.code, deferred.transcript.join("\n")).toBeGreaterThanOrEqual(400);
    expect(deferred.reply.code, deferred.transcript.join("\n")).toBeLessThan(500);

    const clean = marker("clean");
    const accepted = await sendFromInternet(stack.system, stack.dns!, FRIEND.host, {
      ...message("sam@sender.example.net", clean),
      dkim: FRIEND.dkim,
    });
    expect(accepted.reply.code, accepted.transcript.join("\n")).toBe(250);
    await waitForInbox(stack.system, alice, stack.passwords[alice], clean);
    for (const box of ["INBOX", "Junk"])
      expect(
        (await mailboxSources(stack.system, alice, stack.passwords[alice], box)).some((s) => s.includes(doubtful)),
      ).toBe(false);
  });
});
