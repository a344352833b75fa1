/**
 * Issue 8, item 3: nobody sends as someone else (SPOOF_PROTECTION=1 with docker-mailserver's sender login
 * maps, plus mailstack's table of who receives each address). Real Postfix decides; the capture relay shows
 * what went out. Delivery itself is unchanged: mail-flow.test.ts scenario 2 runs on the same wiring.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daemonsRunnable } from "./harness/daemons-available";
import { LoopbackStack, SCENARIO, startLoopbackStack } from "./harness/loopback-stack";
import { marker, sendMail } from "./harness/mail-clients";

const { hi, alice, bob } = SCENARIO.accounts;
const at = (local: string) => `${local}@${SCENARIO.domain}`;

describe.skipIf(!daemonsRunnable())("who may send as whom, on real Postfix", () => {
  let stack: LoopbackStack;

  beforeAll(async () => {
    stack = await startLoopbackStack({ hi: "hi-Loopback-1", alice: "alice-Loopback-1", bob: "bob-Loopback-1" });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** Submits on 587 as `login` with envelope and header sender `from`; "sent" once the relay has it, else Postfix's reply. */
  async function sendAs(login: string, from: string): Promise<string> {
    const id = marker("sender");
    try {
      await sendMail(
        stack.system,
        "submission",
        { from, to: "reader@elsewhere.test", subject: id, text: `${login} as ${from}` },
        { user: login, pass: stack.passwords[login] },
      );
    } catch (e) {
      return String((e as { response?: string }).response ?? (e as Error).message);
    }
    const relayed = await stack.relay.waitFor((m) => m.raw.toString("utf8").includes(id));
    expect(relayed.mailFrom).toBe(from);
    return "sent";
  }

  const notOwned = (login: string) =>
    new RegExp(`^553 5\\.7\\.1 .*Sender address rejected: not owned by user ${login}`);

  it("an account cannot send as another account, nor as an outside address", async () => {
    expect(await sendAs(alice, hi)).toMatch(notOwned(alice));
    expect(await sendAs(hi, bob)).toMatch(notOwned(hi));
    expect(await sendAs(alice, "ceo@elsewhere.test")).toMatch(notOwned(alice));
  });

  it("an account sends as itself, its +tags and the aliases it receives", async () => {
    expect(await sendAs(alice, alice)).toBe("sent");
    expect(await sendAs(alice, alice.replace("@", "+news@"))).toBe("sent");
    expect(await sendAs(alice, SCENARIO.alias.address)).toBe("sent");
    expect(await sendAs(bob, SCENARIO.alias.address)).toBe("sent");
    // …but not another account's tags.
    expect(await sendAs(alice, hi.replace("@", "+shop@"))).toMatch(notOwned(alice));
  });

  it("the catch-all's owner replies from a per-site address and postmaster@; nobody else can", async () => {
    // hi receives the catch-all and (no postmaster account, no mailstack:postmaster) postmaster@ and abuse@.
    expect(await sendAs(hi, at("bilibili"))).toBe("sent");
    expect(await sendAs(hi, at("postmaster"))).toBe("sent");
    expect(await sendAs(alice, at("bilibili"))).toMatch(notOwned(alice));
    expect(await sendAs(alice, at("abuse"))).toMatch(notOwned(alice));
  });

  it("nobody can send as a blocked address, not even the catch-all's owner", async () => {
    expect(await sendAs(hi, SCENARIO.blocked)).toMatch(notOwned(hi));
    expect(await sendAs(hi, SCENARIO.blocked.replace("@", "+x@"))).toMatch(notOwned(hi));
    expect(await sendAs(alice, SCENARIO.blocked)).toMatch(notOwned(alice));
  });
});
