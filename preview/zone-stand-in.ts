/**
 * A read-only stand-in for the two Cloudflare API reads the program makes before planning (lib/cloudflare/:
 * the zone by name, its records): every zone exists and is empty. `pulumi up` reads the real zone, and stops
 * there when records are in the way (README, "Coming from the manual setup"); the plan cannot know them.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** The ID the stand-in gives a zone looked up by name (printed as "read from Cloudflare"). */
export const ZONE_ID_STAND_IN = "0".repeat(32);

export interface ZoneStandIn {
  url: string;
  close(): Promise<void>;
}

export async function startZoneStandIn(): Promise<ZoneStandIn> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const body = (result: unknown) => ({ success: true, errors: [], result, result_info: { page: 1, total_pages: 1 } });
    res.setHeader("content-type", "application/json");
    if (req.method === "GET" && url.pathname === "/zones") {
      const name = url.searchParams.get("name") ?? "";
      res.end(JSON.stringify(body([{ id: ZONE_ID_STAND_IN, name, status: "active" }])));
    } else if (req.method === "GET" && /^\/zones\/[^/]+\/dns_records$/.test(url.pathname)) {
      res.end(JSON.stringify(body([])));
    } else {
      res.statusCode = 404;
      res.end(
        JSON.stringify({ success: false, errors: [{ code: 7003, message: "not in the stand-in" }], result: null }),
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
