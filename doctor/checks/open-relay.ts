import { DoctorContext, dialPort, serverAddress } from "../context";
import { NOT_AS_PLANNED } from "../lib/fix";
import { SmtpClient } from "../net/smtp-client";
import { CheckResult, errorText, fail, pass, skip } from "../types";

const GROUP = "Open relay";

/** Reserved domains (RFC 2606): a probe that slips through can never reach anyone. */
export const PROBE_SENDER = "doctor-probe@example.org";
export const PROBE_RECIPIENT = "relay-test@example.net";

/**
 * Unauthenticated MAIL FROM / RCPT TO an outside domain on port 25 must be refused (4xx or 5xx).
 * We stop at RCPT: no message is ever sent.
 */
export async function checkOpenRelay(context: DoctorContext): Promise<CheckResult[]> {
  const check = "outside → outside refused";
  const planned = context.planned.ports ?? [];
  if (planned.length > 0 && !planned.includes(25)) return [skip(GROUP, check, "the plan does not publish port 25")];
  let opened;
  try {
    opened = await SmtpClient.open(serverAddress(context), dialPort(context, 25), context.options.timeoutMs);
  } catch (error) {
    return [skip(GROUP, check, `port 25 not reachable (${errorText(error)})`)];
  }
  const { client } = opened;
  try {
    await client.ehlo();
    const from = await client.command(`MAIL FROM:<${PROBE_SENDER}>`);
    if (from.code >= 400) return [pass(GROUP, check, `MAIL FROM refused: ${from.code} ${from.text}`)];
    const rcpt = await client.command(`RCPT TO:<${PROBE_RECIPIENT}>`);
    await client.command("RSET").catch(() => undefined);
    if (rcpt.code >= 400)
      return [pass(GROUP, check, `RCPT TO:<${PROBE_RECIPIENT}> refused: ${rcpt.code} ${rcpt.text}`)];
    return [
      fail(
        GROUP,
        check,
        `OPEN RELAY: RCPT TO:<${PROBE_RECIPIENT}> accepted without authentication (${rcpt.code} ${rcpt.text})`,
        `mailstack's container relays for logged-in users only (smtpd_relay_restrictions = permit_sasl_authenticated, …): ${NOT_AS_PLANNED}.`,
      ),
    ];
  } catch (error) {
    return [fail(GROUP, check, `SMTP conversation failed: ${errorText(error)}`, "Check the mail server logs.")];
  } finally {
    await client.quit();
  }
}
