import { connect as netConnect, Socket } from "node:net";
import { connect as tlsConnect, TLSSocket } from "node:tls";
import { withTimeout } from "./timeout";

/** How a TLS session is set up: SNI/verification name and the CAs to trust (undefined = system CAs). */
export interface TlsSettings {
  servername: string;
  ca?: string | Buffer;
}

/**
 * A CRLF line protocol connection (SMTP, IMAP) with STARTTLS upgrade. We never reject a certificate during
 * the handshake: the doctor wants to look at a bad certificate and say what is wrong with it.
 */
export class LineConnection {
  private buffered = "";
  private lines: string[] = [];
  private waiting: ((line: string | Error) => void) | undefined;
  private closedWith: Error | undefined;
  private readonly onData = (chunk: Buffer) => this.receive(chunk.toString("latin1"));
  private readonly onGone = (error?: Error) => this.gone(error ?? new Error("connection closed by the server"));

  private constructor(
    private socket: Socket | TLSSocket,
    readonly timeoutMs: number,
  ) {
    this.attach(socket);
  }

  /** Opens a plain TCP connection, or an implicit-TLS one when `tls` is given. */
  static async open(host: string, port: number, timeoutMs: number, tls?: TlsSettings): Promise<LineConnection> {
    const socket = await withTimeout(
      new Promise<Socket | TLSSocket>((resolve, reject) => {
        // Destroy a connection attempt that outlives the timeout, so nothing lingers.
        const timer = setTimeout(() => s.destroy(), timeoutMs + 50);
        const connected = () => {
          clearTimeout(timer);
          resolve(s);
        };
        const s = tls
          ? tlsConnect({ host, port, servername: tls.servername, ca: tls.ca, rejectUnauthorized: false }, connected)
          : netConnect({ host, port }, connected);
        // Kept for the socket's whole life: a late error after a timeout must not crash the process.
        s.on("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
      }),
      timeoutMs,
      `${tls ? "TLS " : ""}connect to ${host}:${port}`,
    );
    return new LineConnection(socket, timeoutMs);
  }

  get tlsSocket(): TLSSocket | undefined {
    return this.socket instanceof TLSSocket ? this.socket : undefined;
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  readLine(): Promise<string> {
    const next = this.lines.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.closedWith) return Promise.reject(this.closedWith);
    return withTimeout(
      new Promise<string>((resolve, reject) => {
        this.waiting = (line) => (line instanceof Error ? reject(line) : resolve(line));
      }),
      this.timeoutMs,
      "waiting for the server",
    ).finally(() => (this.waiting = undefined)); // also after a timeout, so a late line is queued
  }

  /** Upgrades this connection in place after the server agreed to STARTTLS. */
  async startTls(tls: TlsSettings): Promise<TLSSocket> {
    const plain = this.socket;
    plain.off("data", this.onData);
    plain.off("error", this.onGone);
    plain.off("close", this.onGone);
    const secure = await withTimeout(
      new Promise<TLSSocket>((resolve, reject) => {
        const s = tlsConnect({ socket: plain, servername: tls.servername, ca: tls.ca, rejectUnauthorized: false }, () =>
          resolve(s),
        );
        s.on("error", reject); // stays attached, see open()
      }),
      this.timeoutMs,
      "TLS handshake",
    ).catch((error: unknown) => {
      plain.destroy();
      throw error;
    });
    this.socket = secure;
    this.buffered = "";
    this.lines = [];
    this.attach(secure);
    return secure;
  }

  close(): void {
    this.socket.destroy();
  }

  private attach(socket: Socket): void {
    socket.on("data", this.onData);
    socket.on("error", this.onGone);
    socket.on("close", this.onGone);
  }

  private receive(text: string): void {
    this.buffered += text;
    let end;
    while ((end = this.buffered.indexOf("\n")) >= 0) {
      const line = this.buffered.slice(0, end).replace(/\r$/, "");
      this.buffered = this.buffered.slice(end + 1);
      // Hand the line to a waiting reader at most once: several lines can arrive in one chunk.
      const waiting = this.waiting;
      this.waiting = undefined;
      if (waiting) waiting(line);
      else this.lines.push(line);
    }
  }

  private gone(error: Error): void {
    this.closedWith ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(error);
  }
}
