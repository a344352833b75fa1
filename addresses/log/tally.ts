import { parsePostfixMessage, PostfixEvent, reinjectedQueueId } from "./postfix-events";
import { SyslogLine } from "./syslog-line";

/** What one sender domain sent to one address. */
export interface SenderTally {
  /** Messages accepted (delivered, bounced later or still queued). */
  messages: number;
  /** RCPT attempts refused by the server (blocked address, SPF, …). */
  refused: number;
  first: number;
  last: number;
}

/** Everything the log says about one recipient address: the address the sender used (`orig_to`, else `to`). */
export interface AddressTally {
  address: string;
  delivered: number;
  bounced: number;
  /** Still deferred when the log ends (in the queue, or expired later than the log reaches). */
  deferred: number;
  refused: number;
  /** Final recipients (`to=`) of delivered messages: the account, alias targets or the catch-all target. */
  deliveredTo: Set<string>;
  /** Refusal reply → count, e.g. `554 5.7.1 Recipient address rejected: Access denied`. */
  refusals: Map<string, number>;
  first: number;
  last: number;
  /** Keyed by sender domain (see `senderDomainOf`); "" is the null sender `<>` (bounces). */
  senders: Map<string, SenderTally>;
}

type Status = "sent" | "bounced" | "deferred";
const RANK: Record<Status, number> = { deferred: 0, bounced: 1, sent: 2 };

interface Outcome {
  status: Status;
  time: number;
  to: Set<string>;
}

interface Queued {
  from?: string;
  outcomes: Map<string, Outcome>;
  /** For a message re-injected by a content filter: final recipient → the address it was sent to. */
  originalOf?: Map<string, string>;
}

/** Keeps at most this many distinct refusal texts per address (the counts still cover all). */
const MAX_REASONS = 8;

/**
 * Joins the Postfix events of a log into per-address tallies as lines stream by: `from=` (qmgr) with the
 * deliveries of the same queue ID, one count per message and address whatever the retries (deferred, then
 * sent), and RCPT refusals. Memory holds the messages in flight (until `removed`) and the tallies, never lines.
 */
export class LogTally {
  readonly addresses = new Map<string, AddressTally>();
  lines = 0;
  postfixEvents = 0;
  first?: number;
  last?: number;
  private queue = new Map<string, Queued>();

  constructor(
    /** Whether an address is one of ours (its domain is served here); others are skipped. */
    private readonly isLocal: (address: string) => boolean,
    /** Sender address → the key its sender is counted under. */
    private readonly senderKey: (from: string) => string,
  ) {}

  add(line: SyslogLine): void {
    this.lines++;
    if (!line.program.startsWith("postfix")) return;
    const event = parsePostfixMessage(line.message);
    if (!event) return;
    this.postfixEvents++;
    this.first ??= line.time;
    this.last = line.time;
    this.apply(event, line.time);
  }

  /** Counts what is still queued when the log ends. */
  finish(): void {
    for (const id of [...this.queue.keys()]) this.settle(id);
  }

  private queued(id: string): Queued {
    let q = this.queue.get(id);
    if (!q) this.queue.set(id, (q = { outcomes: new Map() }));
    return q;
  }

  private apply(event: PostfixEvent, time: number): void {
    switch (event.type) {
      case "from":
        this.queued(event.queueId).from = event.from;
        return;
      case "expired":
        for (const outcome of this.queue.get(event.queueId)?.outcomes.values() ?? [])
          if (outcome.status === "deferred") outcome.status = "bounced";
        return;
      case "removed":
        this.settle(event.queueId);
        return;
      case "reject":
        if (this.isLocal(event.to)) this.refused(event.to, event.from, event.reply, time);
        return;
      case "delivery":
        return this.delivery(event, time);
    }
  }

  private delivery(event: Extract<PostfixEvent, { type: "delivery" }>, time: number): void {
    const q = this.queued(event.queueId);
    const address = event.origTo ?? q.originalOf?.get(event.to) ?? event.to;
    const hop = event.status === "sent" ? reinjectedQueueId(event) : undefined;
    if (hop) {
      // The filter's copy is counted when it is delivered; remember whom it was addressed to.
      const next = this.queued(hop);
      next.from ??= q.from;
      (next.originalOf ??= new Map()).set(event.to, address);
      return;
    }
    if (!this.isLocal(address)) return;
    const outcome = q.outcomes.get(address);
    if (!outcome) q.outcomes.set(address, { status: event.status, time, to: new Set([event.to]) });
    else {
      if (RANK[event.status] >= RANK[outcome.status]) {
        outcome.status = event.status;
        outcome.time = time;
      }
      outcome.to.add(event.to);
    }
  }

  private settle(id: string): void {
    const q = this.queue.get(id);
    this.queue.delete(id);
    if (!q) return;
    for (const [address, outcome] of q.outcomes) {
      const tally = this.tally(address, outcome.time);
      if (outcome.status === "sent") {
        tally.delivered++;
        for (const to of outcome.to) tally.deliveredTo.add(to);
      } else if (outcome.status === "bounced") tally.bounced++;
      else tally.deferred++;
      const sender = this.sender(tally, q.from, outcome.time);
      sender.messages++;
    }
  }

  private refused(address: string, from: string, reply: string, time: number): void {
    const tally = this.tally(address, time);
    tally.refused++;
    this.sender(tally, from, time).refused++;
    // "554 5.7.1 <x@example.org>: Recipient address rejected: Access denied" → without the address.
    const reason = reply.replace(/<[^>]*>: /, "");
    if (tally.refusals.has(reason) || tally.refusals.size < MAX_REASONS)
      tally.refusals.set(reason, (tally.refusals.get(reason) ?? 0) + 1);
  }

  private tally(address: string, time: number): AddressTally {
    let tally = this.addresses.get(address);
    if (!tally) {
      tally = {
        address,
        delivered: 0,
        bounced: 0,
        deferred: 0,
        refused: 0,
        deliveredTo: new Set(),
        refusals: new Map(),
        first: time,
        last: time,
        senders: new Map(),
      };
      this.addresses.set(address, tally);
    }
    tally.first = Math.min(tally.first, time);
    tally.last = Math.max(tally.last, time);
    return tally;
  }

  private sender(tally: AddressTally, from: string | undefined, time: number): SenderTally {
    // A delivery whose from= line is before the start of the log has no known sender.
    const key = from === undefined ? "?" : this.senderKey(from);
    let sender = tally.senders.get(key);
    if (!sender) tally.senders.set(key, (sender = { messages: 0, refused: 0, first: time, last: time }));
    sender.first = Math.min(sender.first, time);
    sender.last = Math.max(sender.last, time);
    return sender;
  }
}
