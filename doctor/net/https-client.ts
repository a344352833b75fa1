import { request } from "node:https";
import { IncomingHttpHeaders } from "node:http";
import { withTimeout } from "./timeout";

export interface HttpsResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpsRequest {
  url: URL;
  /** The address dialled (resolved by the doctor's resolver); TLS still verifies the URL's host name. */
  address: string;
  port: number;
  /** CA certificates to trust instead of the system's (`--ca`). */
  ca?: Buffer;
  timeoutMs: number;
  /** A larger body is an error (RFC 8461 §3.3 suggests 64 KiB for a policy). */
  maxBytes: number;
  method?: "GET" | "POST";
  body?: string;
  headers?: Record<string, string>;
}

/**
 * One HTTPS request the way a sender or mail client makes it: to the address DNS gave, with the host name for
 * SNI, certificate verification and the Host header, no redirect followed (RFC 8461 §3.3: a policy behind a
 * redirect is no policy), a fresh connection and a size limit.
 */
export function httpsRequest(r: HttpsRequest): Promise<HttpsResponse> {
  const what = `HTTPS ${r.method ?? "GET"} ${r.url.href}`;
  let req: ReturnType<typeof request> | undefined;
  return withTimeout(
    new Promise<HttpsResponse>((resolve, reject) => {
      req = request(
        {
          host: r.address,
          port: r.port,
          servername: r.url.hostname,
          path: `${r.url.pathname}${r.url.search}`,
          method: r.method ?? "GET",
          headers: { host: r.url.host, "user-agent": "mailstack-doctor", ...r.headers },
          ca: r.ca,
          rejectUnauthorized: true,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > r.maxBytes) {
              req?.destroy(new Error(`the response is larger than ${r.maxBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(r.body);
    }),
    r.timeoutMs,
    what,
    // Whatever happened, the connection goes: a server that never answers must not keep the doctor alive.
  ).finally(() => req?.destroy());
}
