/**
 * The Cloudflare reads the program makes before it plans anything: find the zone, and list what the zone
 * already holds. Reads only — every write goes through the Cloudflare provider, so `pulumi preview` shows it.
 *
 * Three GETs over the v4 API's JSON envelope (`{ success, errors: [{code, message}], result, result_info }`)
 * with `fetch`: the official `cloudflare` SDK would add 120 MB and ~0.25 s to every `pulumi preview` for them.
 * The token and base URL are the Cloudflare provider's own (`cloudflare:apiToken` / CLOUDFLARE_API_TOKEN,
 * `cloudflare:baseUrl` / CLOUDFLARE_BASE_URL, as terraform-provider-cloudflare v5 internal/provider.go reads
 * them), so the program reads the account the provider writes to. Errors say which key to fix; the token never
 * appears in one.
 */

export interface CloudflareConnection {
  apiToken: string;
  /** Defaults to https://api.cloudflare.com/client/v4/ (the provider's default). */
  baseUrl?: string;
}

export interface CloudflareZone {
  id: string;
  name: string;
  status: string;
  account?: { id: string; name: string };
}

/** A DNS record as Cloudflare lists it (the fields mailstack reads). */
export interface CloudflareRecord {
  id: string;
  zone_name?: string;
  name: string;
  type: string;
  content: string;
  priority?: number;
  ttl: number;
  proxied?: boolean;
  comment?: string | null;
}

export const CLOUDFLARE_API = "https://api.cloudflare.com/client/v4/";

/** An error from Cloudflare (or from reaching it), with a message that says what to do. */
export interface CloudflareApiError extends Error {
  name: "CloudflareApiError";
  /** Cloudflare's first error code (10000, 9109 …), or 0 when it could not be reached. */
  code: number;
  status: number | null;
}

function cloudflareError(message: string, code: number, status: number | null): CloudflareApiError {
  return Object.assign(new Error(message), { name: "CloudflareApiError" as const, code, status });
}

export function isCloudflareApiError(e: unknown): e is CloudflareApiError {
  return e instanceof Error && e.name === "CloudflareApiError";
}

const TOKEN_HELP =
  "create a token with Zone → DNS → Edit (and Zone → Zone → Read to find the zone by name) and run: pulumi config set --secret cloudflare:apiToken <token>";

interface Envelope<T> {
  success: boolean;
  errors?: { code: number; message: string }[];
  result: T;
  result_info?: { page: number; total_pages: number };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** GET one v4 path; 429 and 5xx are retried three times (Retry-After honoured, at most 10 s each). */
async function get<T>(conn: CloudflareConnection, pathAndQuery: string, what: string): Promise<Envelope<T>> {
  const base = conn.baseUrl || CLOUDFLARE_API;
  const url = new URL(pathAndQuery, base.endsWith("/") ? base : `${base}/`);
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: `Bearer ${conn.apiToken}`, accept: "application/json" } });
    } catch (e) {
      if (attempt < 3) {
        await sleep(500 * attempt);
        continue;
      }
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      throw cloudflareError(
        `Could not reach the Cloudflare API at ${base} to ${what} (${cause}); check outbound HTTPS access (or cloudflare:baseUrl) and run the command again`,
        0,
        null,
      );
    }
    if ((res.status === 429 || res.status >= 500) && attempt < 3) {
      const header = res.headers.get("retry-after");
      const after = header === null ? NaN : Number(header);
      await sleep(Number.isFinite(after) && after >= 0 ? Math.min(after, 10) * 1000 : 500 * attempt);
      continue;
    }
    const body = (await res.json().catch(() => undefined)) as Envelope<T> | undefined;
    if (res.ok && body?.success) return body;
    const first = body?.errors?.[0];
    const detail = first ? `${first.code} ${first.message}` : `HTTP ${res.status}`;
    throw cloudflareError(`Cloudflare refused to ${what} (${detail})`, first?.code ?? 0, res.status);
  }
}

/** The token itself was refused: the one problem every call can have. */
function explainAuth(e: unknown): never {
  if (isCloudflareApiError(e) && (e.code === 10000 || e.code === 6003 || e.code === 1000))
    throw cloudflareError(`cloudflare:apiToken was rejected: ${e.message}; ${TOKEN_HELP}`, e.code, e.status);
  throw e;
}

/** Zones the token can see whose name is exactly `name` (GET /zones?name=). */
export async function findZones(conn: CloudflareConnection, name: string): Promise<CloudflareZone[]> {
  try {
    return (
      await get<CloudflareZone[]>(
        conn,
        `zones?name=${encodeURIComponent(name)}&per_page=50`,
        `list zones named ${name}`,
      )
    ).result;
  } catch (e) {
    if (isCloudflareApiError(e) && e.code === 9109)
      throw cloudflareError(
        `${e.message}: cloudflare:apiToken may not list zones (it needs Zone → Zone → Read to find ${name} by name); add that permission, or set mailstack:cloudflareZoneId to the zone's ID (Cloudflare dashboard → ${name} → Overview → Zone ID)`,
        e.code,
        e.status,
      );
    return explainAuth(e);
  }
}

/** Every DNS record in the zone (GET /zones/{id}/dns_records, all pages). */
export async function listDnsRecords(conn: CloudflareConnection, zoneId: string): Promise<CloudflareRecord[]> {
  const all: CloudflareRecord[] = [];
  try {
    for (let page = 1; ; page++) {
      const body = await get<CloudflareRecord[]>(
        conn,
        `zones/${zoneId}/dns_records?per_page=1000&page=${page}`,
        `list the DNS records of zone ${zoneId}`,
      );
      all.push(...body.result);
      if (!body.result_info || page >= body.result_info.total_pages || body.result.length === 0) return all;
    }
  } catch (e) {
    if (isCloudflareApiError(e) && (e.code === 9109 || e.code === 7003))
      throw cloudflareError(
        `${e.message}: zone ${zoneId} does not exist or cloudflare:apiToken has no access to it; check mailstack:cloudflareZoneId (Cloudflare dashboard → the domain → Overview → Zone ID) and that the token has Zone → DNS → Edit on that zone`,
        e.code,
        e.status,
      );
    return explainAuth(e);
  }
}
