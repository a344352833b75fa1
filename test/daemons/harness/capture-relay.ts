import { SMTPServer, SMTPServerSession } from "smtp-server";
import { selfSignedCertificate } from "../../support/certificates";

/** One message as the stand-in for smtp.resend.com received it. */
export interface RelayedMessage {
  auth: { username: string; password: string };
  /** Whether the session had switched to TLS with STARTTLS before AUTH. */
  startTls: boolean;
  authedOverTls: boolean;
  clientAddress: string;
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

/**
 * A loopback SMTP server standing in for smtp.resend.com:587: STARTTLS offered and required before AUTH
 * (smtp-server refuses AUTH on a plain connection unless `allowInsecureAuth`), AUTH mandatory. It records what
 * Postfix sent so tests can check the relay credentials, TLS and the relayed message itself.
 */
export class CaptureRelay {
  readonly messages: RelayedMessage[] = [];
  /** Every AUTH attempt, also refused ones (so a test can see a wrong credential arrived). */
  readonly authAttempts: { username: string; password: string; secure: boolean }[] = [];
  private waiters: (() => void)[] = [];
  private server?: SMTPServer;
  port = 0;

  /** `expected`: the credentials it accepts (one per relayed domain when each has its own). */
  private readonly expected: { username: string; password: string }[];
  constructor(expected: { username: string; password: string } | { username: string; password: string }[]) {
    this.expected = Array.isArray(expected) ? expected : [expected];
  }

  async start(port: number): Promise<void> {
    const tls = selfSignedCertificate({ hostname: "relay.loopback.test", days: 1, ips: ["127.0.0.1"] });
    const startTlsSessions = new Set<string>();
    this.server = new SMTPServer({
      name: "relay.loopback.test",
      key: tls.keyPem,
      cert: tls.certPem,
      secure: false,
      hideSTARTTLS: false,
      authOptional: false,
      allowInsecureAuth: false,
      authMethods: ["PLAIN", "LOGIN"],
      logger: false,
      onSecure: (_socket, session, callback) => {
        startTlsSessions.add(session.id);
        callback();
      },
      onAuth: (auth, session, callback) => {
        const attempt = {
          username: auth.username ?? "",
          password: auth.password ?? "",
          secure: Boolean(session.secure),
        };
        this.authAttempts.push(attempt);
        if (this.expected.some((e) => e.username === attempt.username && e.password === attempt.password)) {
          return callback(null, { user: attempt });
        }
        return callback(Object.assign(new Error("5.7.8 bad relay credentials"), { responseCode: 535 }));
      },
      onData: (stream, session: SMTPServerSession, callback) => {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          const user = session.user as unknown as { username: string; password: string; secure: boolean };
          this.messages.push({
            auth: { username: user.username, password: user.password },
            startTls: startTlsSessions.has(session.id),
            authedOverTls: user.secure,
            clientAddress: session.remoteAddress,
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
          });
          this.waiters.splice(0).forEach((w) => w());
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, "127.0.0.1", () => resolve());
    });
    this.port = port;
  }

  /** Waits until a relayed message matches `predicate`. */
  async waitFor(predicate: (m: RelayedMessage) => boolean, timeoutMs = 20_000): Promise<RelayedMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`capture relay: no matching message within ${timeoutMs} ms (${this.messages.length} received)`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
