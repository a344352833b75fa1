import { once } from "node:events";
import { connect, Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";

export interface SmtpReply {
  code: number;
  text: string;
}

/**
 * A raw SMTP client for what nodemailer hides: the exact reply to each command (RCPT refusals, 454 relay
 * deferrals) and the EHLO capability list before STARTTLS. `localAddress` lets a test play an outside client.
 */
export class SmtpConversation {
  private buffer = "";
  private waiting?: (reply: SmtpReply) => void;

  private constructor(private socket: Socket) {
    this.listen(socket);
  }

  private listen(socket: Socket): void {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      this.deliver();
    });
  }

  /** STARTTLS, then the rest of the session over TLS (the server's certificate checked against `tls`). */
  async startTls(tls: { ca: string; servername: string }): Promise<SmtpReply> {
    const reply = await this.send("STARTTLS");
    if (reply.code !== 220) return reply;
    this.socket.removeAllListeners("data");
    const secure = tlsConnect({ socket: this.socket, ...tls });
    await once(secure, "secureConnect");
    this.socket = secure;
    this.listen(secure);
    return reply;
  }

  static async open(
    port: number,
    localAddress = "127.0.0.1",
  ): Promise<{ conversation: SmtpConversation; greeting: SmtpReply }> {
    const socket = connect({ host: "127.0.0.1", port, localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const conversation = new SmtpConversation(socket);
    return { conversation, greeting: await conversation.reply() };
  }

  /** A reply is complete at a line `NNN text` (space, not dash, after the code). */
  private deliver(): void {
    const lines = this.buffer.split("\r\n");
    const last = lines.findIndex((l) => /^\d{3} /.test(l) || /^\d{3}$/.test(l));
    if (last < 0 || !this.waiting) return;
    const replyLines = lines.slice(0, last + 1);
    this.buffer = lines.slice(last + 1).join("\r\n");
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting({ code: Number(replyLines[last].slice(0, 3)), text: replyLines.join("\n") });
  }

  private reply(timeoutMs = 15_000): Promise<SmtpReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no SMTP reply within ${timeoutMs} ms; buffer: ${this.buffer}`)),
        timeoutMs,
      );
      this.waiting = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.deliver();
    });
  }

  async send(command: string): Promise<SmtpReply> {
    this.socket.write(`${command}\r\n`);
    return this.reply();
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }
}
