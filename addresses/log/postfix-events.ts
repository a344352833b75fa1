/**
 * The Postfix log messages that say who sent what to whom, as events. Only these shapes matter (Postfix 3.7,
 * as docker-mailserver runs it; the syslog tag is not used because `syslog_name` varies by service:
 * postfix/submission/smtpd, postfix/smtp-amavis, …):
 *
 *   QID: from=<sender>, size=N, nrcpt=N (queue active)                                  qmgr
 *   QID: from=<sender>, status=expired, returned to sender                              qmgr
 *   QID: to=<rcpt>[, orig_to=<rcpt>], relay=…, …, dsn=X.Y.Z, status=sent|deferred|bounced (text)
 *                                                                         lmtp, smtp, virtual, local, error
 *   QID: removed                                                                        qmgr
 *   NOQUEUE|QID: reject: RCPT from host[ip]: 554 5.7.1 <rcpt>: text; from=<s> to=<r> proto=… helo=<…>   smtpd
 *   QID: milter-reject: END-OF-MESSAGE from host[ip]: 5.7.1 text; from=<s> to=<r> …      cleanup/smtpd
 *
 * `to=` is the final recipient after virtual alias expansion; `orig_to=` (logged only when it differs) is the
 * address the sender used. Addresses are logged as sent, so they are lower-cased here.
 */
export type PostfixEvent =
  | { type: "from"; queueId: string; from: string }
  | { type: "expired"; queueId: string }
  | {
      type: "delivery";
      queueId: string;
      to: string;
      origTo?: string;
      relay: string;
      status: "sent" | "deferred" | "bounced";
      /** The reply text in parentheses, e.g. `250 2.0.0 Ok: queued as 4F2A1C0D3`. */
      detail: string;
    }
  | { type: "removed"; queueId: string }
  | {
      type: "reject";
      /** Undefined for NOQUEUE (no queue file yet). */
      queueId?: string;
      stage: string;
      from: string;
      to: string;
      /** SMTP reply code and text, e.g. `554 5.7.1 <x@example.org>: Recipient address rejected: Access denied`. */
      reply: string;
    };

// Short queue IDs are hex; long ones (enable_long_queue_ids) use [0-9B-Zb-z] and are longer.
const QUEUED = /^([0-9A-F]{5,}|[0-9B-Zb-z]{10,}|NOQUEUE): (.*)$/;
const FROM = /^from=<(.*?)>, (size=|status=expired)/;
const DELIVERY = /^to=<(.*?)>, (?:orig_to=<(.*?)>, )?relay=([^,]*), .*?status=(sent|deferred|bounced)(?: \((.*)\))?$/;
const REJECT = /^(?:milter-)?reject: (\S+) from [^:]*: (.*?); from=<(.*?)> to=<(.*?)>/;

export function parsePostfixMessage(message: string): PostfixEvent | undefined {
  const q = QUEUED.exec(message);
  if (!q) return undefined;
  const queueId = q[1];
  const rest = q[2];
  let m: RegExpExecArray | null;
  switch (rest[0]) {
    case "f":
      if (queueId === "NOQUEUE" || !(m = FROM.exec(rest))) return undefined;
      return m[2] === "size=" ? { type: "from", queueId, from: m[1].toLowerCase() } : { type: "expired", queueId };
    case "t":
      if (queueId === "NOQUEUE" || !(m = DELIVERY.exec(rest))) return undefined;
      return {
        type: "delivery",
        queueId,
        to: m[1].toLowerCase(),
        origTo: m[2]?.toLowerCase(),
        relay: m[3],
        status: m[4] as "sent" | "deferred" | "bounced",
        detail: m[5] ?? "",
      };
    case "r":
      if (rest === "removed") return queueId === "NOQUEUE" ? undefined : { type: "removed", queueId };
      return parseReject(queueId, rest);
    case "m":
      return parseReject(queueId, rest);
    default:
      return undefined;
  }
}

/** `reject: RCPT from …` and `milter-reject: END-OF-MESSAGE from …`. */
function parseReject(queueId: string, rest: string): PostfixEvent | undefined {
  const m = REJECT.exec(rest);
  if (!m) return undefined;
  return {
    type: "reject",
    queueId: queueId === "NOQUEUE" ? undefined : queueId,
    stage: m[1],
    reply: m[2],
    from: m[3].toLowerCase(),
    to: m[4].toLowerCase(),
  };
}

/**
 * A content filter (amavis: `content_filter = smtp-amavis:[127.0.0.1]:10024`) receives the message over SMTP on
 * loopback and re-injects it under a new queue ID: `status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025):
 * 250 2.0.0 Ok: queued as 5B3E2C0A1)`. Returns that queue ID for such a hop, undefined for a real delivery.
 */
export function reinjectedQueueId(event: { relay: string; detail: string }): string | undefined {
  // relay=127.0.0.1[127.0.0.1]:10024, localhost[127.0.0.1]:10024, localhost[::1]:10024
  if (!/^[^[]*\[(?:127\.[\d.]+|::1)\]/.test(event.relay)) return undefined;
  return /queued as ([0-9A-Za-z]+)\)?$/.exec(event.detail)?.[1];
}
