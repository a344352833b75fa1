import { TLSSocket } from "node:tls";
import { LineConnection, TlsSettings } from "./line-connection";

export interface ImapResult {
  status: "OK" | "NO" | "BAD";
  text: string;
  untagged: string[];
}

/** A minimal IMAP client: greeting, CAPABILITY, STARTTLS, LOGIN, LOGOUT. */
export class ImapClient {
  private tagCounter = 0;
  private constructor(readonly connection: LineConnection) {}

  static async open(
    host: string,
    port: number,
    timeoutMs: number,
    implicitTls?: TlsSettings,
  ): Promise<{ client: ImapClient; greeting: string }> {
    const connection = await LineConnection.open(host, port, timeoutMs, implicitTls);
    try {
      const greeting = await connection.readLine();
      if (!/^\* (OK|PREAUTH)\b/i.test(greeting)) throw new Error(`not an IMAP greeting: ${greeting.slice(0, 80)}`);
      return { client: new ImapClient(connection), greeting };
    } catch (error) {
      connection.close();
      throw error;
    }
  }

  async command(command: string): Promise<ImapResult> {
    const tag = `D${++this.tagCounter}`;
    this.connection.send(`${tag} ${command}`);
    const untagged: string[] = [];
    for (;;) {
      const line = await this.connection.readLine();
      const done = new RegExp(`^${tag} (OK|NO|BAD)\\b ?(.*)$`, "i").exec(line);
      if (done) return { status: done[1].toUpperCase() as ImapResult["status"], text: done[2], untagged };
      untagged.push(line);
    }
  }

  /** Capabilities, upper case. */
  async capabilities(): Promise<Set<string>> {
    const result = await this.command("CAPABILITY");
    const line = result.untagged.find((l) => /^\* CAPABILITY /i.test(l)) ?? "";
    return new Set(
      line
        .replace(/^\* CAPABILITY /i, "")
        .toUpperCase()
        .split(/\s+/)
        .filter(Boolean),
    );
  }

  async startTls(tls: TlsSettings): Promise<TLSSocket> {
    const result = await this.command("STARTTLS");
    if (result.status !== "OK") throw new Error(`STARTTLS refused: ${result.status} ${result.text}`);
    return this.connection.startTls(tls);
  }

  login(user: string, password: string): Promise<ImapResult> {
    return this.command(`LOGIN ${quote(user)} ${quote(password)}`);
  }

  async logout(): Promise<void> {
    try {
      this.connection.send(`D${++this.tagCounter} LOGOUT`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      this.connection.close();
    }
  }
}

/** IMAP quoted string (RFC 3501): backslash-escape `"` and `\`. */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
