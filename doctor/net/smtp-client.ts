import { TLSSocket } from "node:tls";
import { LineConnection, TlsSettings } from "./line-connection";

export interface SmtpReply {
  code: number;
  lines: string[];
  /** The text of all lines, codes removed, joined by " / ". */
  text: string;
}

/** A minimal SMTP client: enough to read a banner, EHLO, STARTTLS, AUTH and probe MAIL/RCPT. */
export class SmtpClient {
  private constructor(readonly connection: LineConnection) {}

  /** Name we greet with: syntactically a FQDN, reserved so it never collides with a real host. */
  static readonly HELO_NAME = "mailstack-doctor.invalid";

  static async open(
    host: string,
    port: number,
    timeoutMs: number,
    implicitTls?: TlsSettings,
  ): Promise<{ client: SmtpClient; banner: SmtpReply }> {
    const connection = await LineConnection.open(host, port, timeoutMs, implicitTls);
    const client = new SmtpClient(connection);
    try {
      const banner = await client.readReply();
      return { client, banner };
    } catch (error) {
      connection.close();
      throw error;
    }
  }

  async readReply(): Promise<SmtpReply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.connection.readLine();
      const match = /^(\d{3})([ -]?)(.*)$/.exec(line);
      if (!match) throw new Error(`not an SMTP reply: ${line.slice(0, 80)}`);
      lines.push(match[3]);
      if (match[2] !== "-") return { code: Number(match[1]), lines, text: lines.join(" / ") };
    }
  }

  async command(line: string): Promise<SmtpReply> {
    this.connection.send(line);
    return this.readReply();
  }

  /** EHLO; returns the extension keywords (upper case, first word of each line after the greeting). */
  async ehlo(): Promise<{ reply: SmtpReply; extensions: Map<string, string> }> {
    const reply = await this.command(`EHLO ${SmtpClient.HELO_NAME}`);
    if (reply.code !== 250) throw new Error(`EHLO refused: ${reply.code} ${reply.text}`);
    const extensions = new Map<string, string>();
    for (const line of reply.lines.slice(1)) {
      const [keyword, ...rest] = line.trim().split(/\s+/);
      extensions.set(keyword.toUpperCase(), rest.join(" "));
    }
    return { reply, extensions };
  }

  async startTls(tls: TlsSettings): Promise<TLSSocket> {
    const reply = await this.command("STARTTLS");
    if (reply.code !== 220) throw new Error(`STARTTLS refused: ${reply.code} ${reply.text}`);
    return this.connection.startTls(tls);
  }

  /** AUTH PLAIN, or AUTH LOGIN when that is all the server offers. Returns the final reply. */
  async authenticate(user: string, password: string, mechanisms: string): Promise<SmtpReply> {
    const offered = mechanisms.toUpperCase().split(/\s+/);
    if (!offered.includes("PLAIN") && offered.includes("LOGIN")) {
      let reply = await this.command("AUTH LOGIN");
      if (reply.code !== 334) return reply;
      reply = await this.command(Buffer.from(user).toString("base64"));
      if (reply.code !== 334) return reply;
      return this.command(Buffer.from(password).toString("base64"));
    }
    return this.command(`AUTH PLAIN ${Buffer.from(`\0${user}\0${password}`).toString("base64")}`);
  }

  /** Says goodbye without waiting long: the answer does not matter. */
  async quit(): Promise<void> {
    try {
      this.connection.send("QUIT");
      await Promise.race([this.readReply(), new Promise((resolve) => setTimeout(resolve, 200))]);
    } catch {
      // Already closed: fine.
    } finally {
      this.connection.close();
    }
  }
}
