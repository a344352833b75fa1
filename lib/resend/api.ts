/**
 * A small client over the official `resend` SDK: just what provisioning needs (domains and API keys), with
 * a retry policy and one clear error message per failure the user can act on.
 *
 * The SDK never throws on HTTP errors (it returns `{ data: null, error }`, and a network failure is
 * `application_error` with `statusCode: null`), so every call goes through `call()`, which decides.
 * Clients are built inside each function: these functions are also serialized into Pulumi dynamic providers,
 * where module-level state would be snapshotted, and `require("resend")` inside keeps the npm module a plain
 * require in the serialized code. The only thing tests change is the base URL (`baseUrl` or RESEND_BASE_URL).
 */
import type { Resend as ResendClient } from "resend";
import type { ResendDnsRecord } from "./records";
import { normalizeName } from "../dns-format";

export interface RetryPolicy {
  /** Total attempts per call, first one included (default 5). */
  maxAttempts?: number;
  /** First backoff delay for 5xx/network errors; doubles each retry (default 500 ms). */
  baseDelayMs?: number;
  /** Upper bound of one backoff delay (default 8 s). */
  maxDelayMs?: number;
  /** Upper bound of a `retry-after` wait (default 60 s), so a bad header cannot hang `pulumi up`. */
  maxRetryAfterMs?: number;
}

export interface ResendConnection {
  /** A full-access key (mailstack:resendApiKey). Never appears in an error message. */
  apiKey: string;
  /** Defaults to RESEND_BASE_URL, then https://api.resend.com (the SDK's own rule). */
  baseUrl?: string;
  retry?: RetryPolicy;
  /** Abort each request after this long (a network error, so retried like one); default: no limit. */
  timeoutMs?: number;
}

export interface ResendDomainInfo {
  id: string;
  name: string;
  status: string;
  region: string;
  records: ResendDnsRecord[];
  /** True when the domain already existed in Resend and was adopted instead of created. */
  adopted: boolean;
}

/** An error from Resend (or from reaching it), with a message that says what to do. */
export interface ResendApiError extends Error {
  name: "ResendApiError";
  /** Resend's error name (`invalid_api_key`, `validation_error` …) or `network_error`. */
  code: string;
  statusCode: number | null;
}

/**
 * Builds a plain Error rather than subclassing it: Pulumi's closure serializer turns classes into functions
 * that call `Error.call(this, message)`, which drops the message, so a subclass thrown inside a dynamic
 * provider would reach the user with an empty message (checked by serializing the providers).
 */
export function resendApiError(message: string, code: string, statusCode: number | null): ResendApiError {
  const e = new Error(message) as ResendApiError;
  e.name = "ResendApiError";
  e.code = code;
  e.statusCode = statusCode;
  return e;
}

export function isResendApiError(e: unknown): e is ResendApiError {
  return e instanceof Error && e.name === "ResendApiError" && typeof (e as ResendApiError).code === "string";
}

export const RESEND_KEYS_URL = "https://resend.com/api-keys";
/** The regions Resend sends from (its domain-create `region`); mailstack:resend.region must be one. */
export const RESEND_REGIONS = ["us-east-1", "eu-west-1", "sa-east-1", "ap-northeast-1"];

interface SdkError {
  name: string;
  message: string;
  statusCode: number | null;
}
interface SdkResponse<T> {
  data: T | null;
  error: SdkError | null;
  headers: Record<string, string> | null;
}

/** Remove the key (and anything shaped like a Resend key) from text that will be shown or logged. */
export function scrubSecrets(text: string, apiKey?: string): string {
  let out = text;
  if (apiKey && apiKey.length >= 4) out = out.split(apiKey).join("[redacted]");
  return out.replace(/re_[A-Za-z0-9_-]{6,}/g, "re_[redacted]");
}

function client(conn: ResendConnection): ResendClient {
  if (!conn.apiKey) {
    throw resendApiError(
      `mailstack:resendApiKey is empty: create a full-access key at ${RESEND_KEYS_URL} and run \`pulumi config set --secret mailstack:resendApiKey <key>\``,
      "missing_api_key",
      null,
    );
  }
  // Required here, not imported at module level: see the module comment.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Resend } = require("resend") as typeof import("resend");
  return new Resend(conn.apiKey, conn.baseUrl ? { baseUrl: conn.baseUrl } : undefined);
}

/** Where requests go: `baseUrl`, else RESEND_BASE_URL, else Resend's API (the SDK's own rule). */
export function baseUrlOf(conn: ResendConnection): string {
  return conn.baseUrl || process.env.RESEND_BASE_URL || "https://api.resend.com";
}

/** Seconds (or an HTTP date) from `retry-after`, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value === null || String(value).trim() === "") return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const QUOTA_CODES = ["daily_quota_exceeded", "monthly_quota_exceeded"];

function isRetriable(err: SdkError): boolean {
  if (QUOTA_CODES.includes(err.name)) return false; // waiting seconds does not lift a daily quota
  if (err.statusCode === null) return true; // network error
  return err.statusCode === 429 || err.name === "rate_limit_exceeded" || err.statusCode >= 500;
}

/** Turn a final (non-retried or retries exhausted) SDK error into the message the user sees. */
export function describeError(err: SdkError, operation: string, conn: ResendConnection, attempts = 1): ResendApiError {
  const msg = scrubSecrets(err.message ?? "", conn.apiKey);
  // Newer Resend docs say a bad key may come back as validation_error (400/401) instead of invalid_api_key.
  const badKeyAsValidation =
    err.name === "validation_error" &&
    /api key/i.test(err.message ?? "") &&
    err.statusCode !== null &&
    err.statusCode < 500;
  const code = badKeyAsValidation ? "invalid_api_key" : (err.name ?? "unknown_error");
  const after = attempts > 1 ? ` after ${attempts} attempts` : "";
  let text: string;
  if (err.statusCode === null && (code === "application_error" || code === "network_error")) {
    text = `Could not reach Resend at ${baseUrlOf(conn)}${after} (${operation}): ${msg} Check outbound HTTPS access to the Resend API and run \`pulumi up\` again.`;
    return resendApiError(scrubSecrets(text, conn.apiKey), "network_error", null);
  }
  switch (code) {
    case "invalid_api_key":
    case "missing_api_key":
      text = `mailstack:resendApiKey was rejected by Resend (${code}) while trying to ${operation}: create a full-access key at ${RESEND_KEYS_URL} and run \`pulumi config set --secret mailstack:resendApiKey <key>\``;
      break;
    case "restricted_api_key":
      text = `mailstack:resendApiKey is a sending-only key (restricted_api_key); provisioning needs full access to ${operation}: create a key with "Full access" permission at ${RESEND_KEYS_URL} and set it with \`pulumi config set --secret mailstack:resendApiKey <key>\``;
      break;
    case "invalid_region":
      text = `Resend rejected the region (invalid_region) while trying to ${operation}: ${msg} Use one of ${RESEND_REGIONS.join(", ")}.`;
      break;
    case "daily_quota_exceeded":
    case "monthly_quota_exceeded":
    case "rate_limit_exceeded":
      text = `Resend refused to ${operation} (${code})${after}: ${msg} Wait for the limit to reset, then run \`pulumi up\` again.`;
      break;
    case "not_found":
      text = `Resend could not ${operation} (not_found): ${msg} It may have been deleted in the Resend dashboard; run \`pulumi refresh\` or recreate it.`;
      break;
    default:
      if (err.statusCode !== null && err.statusCode >= 500) {
        text = `Resend kept failing (${err.statusCode} ${code})${after} while trying to ${operation}: ${msg} Try again later (https://resend-status.com).`;
      } else {
        text = `Resend rejected the request to ${operation} (${code}${err.statusCode ? `, HTTP ${err.statusCode}` : ""}): ${msg}`;
      }
  }
  return resendApiError(scrubSecrets(text, conn.apiKey), code, err.statusCode);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Run one SDK call with the retry policy: 429 waits `retry-after` (or backs off when absent), 5xx and
 * network errors back off exponentially; anything else fails at once with `describeError`.
 */
async function call<T>(
  conn: ResendConnection,
  operation: string,
  fn: (resend: ResendClient, request: { signal?: AbortSignal }) => Promise<SdkResponse<T>>,
): Promise<T> {
  const policy = conn.retry ?? {};
  const maxAttempts = Math.max(1, policy.maxAttempts ?? 5);
  const baseDelay = policy.baseDelayMs ?? 500;
  const maxDelay = policy.maxDelayMs ?? 8000;
  const maxRetryAfter = policy.maxRetryAfterMs ?? 60_000;
  const resend = client(conn);
  for (let attempt = 1; ; attempt++) {
    const res = await fn(resend, conn.timeoutMs ? { signal: AbortSignal.timeout(conn.timeoutMs) } : {});
    if (!res.error) return res.data as T;
    if (!isRetriable(res.error) || attempt >= maxAttempts) throw describeError(res.error, operation, conn, attempt);
    const backoff = Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
    const retryAfter = parseRetryAfter(res.headers?.["retry-after"]);
    const wait =
      res.error.statusCode === 429 && retryAfter !== undefined ? Math.min(retryAfter, maxRetryAfter) : backoff;
    await sleep(wait);
  }
}

interface RawDomain {
  id: string;
  name: string;
  status: string;
  region: string;
  records?: ResendDnsRecord[];
}

function toInfo(d: RawDomain, adopted: boolean): ResendDomainInfo {
  return { id: d.id, name: d.name, status: d.status, region: d.region, records: d.records ?? [], adopted };
}

/** GET /domains/{id}: status and the records to publish. */
export async function getDomain(conn: ResendConnection, domainId: string): Promise<ResendDomainInfo> {
  const d = await call<RawDomain>(
    conn,
    `read domain ${domainId}`,
    (r, o) => r.domains.get(domainId, o) as Promise<SdkResponse<RawDomain>>,
  );
  return toInfo(d, false);
}

/** A domain as GET /domains lists it (no records). */
export interface ResendDomainSummary {
  id: string;
  name: string;
  status: string;
  region: string;
}

/** Find a domain by name across every page of GET /domains (cursor pagination). */
export async function findDomainByName(conn: ResendConnection, name: string): Promise<ResendDomainSummary | undefined> {
  const wanted = normalizeName(name);
  let after: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const list = await call<{ data: RawDomain[]; has_more?: boolean }>(
      conn,
      "list domains",
      (r, o) =>
        r.domains.list(after ? { limit: 100, after } : { limit: 100 }, o) as Promise<
          SdkResponse<{ data: RawDomain[]; has_more?: boolean }>
        >,
    );
    const hit = list.data.find((d) => normalizeName(d.name) === wanted);
    if (hit) return { id: hit.id, name: hit.name, status: hit.status, region: hit.region };
    if (!list.has_more || list.data.length === 0) return undefined;
    after = list.data[list.data.length - 1].id;
  }
  return undefined;
}

/** Codes that mean "this request can never work", where looking for an existing domain would hide the cause. */
const NO_ADOPT = ["invalid_api_key", "missing_api_key", "restricted_api_key", "invalid_region", "network_error"];

/**
 * POST /domains; when Resend refuses because the domain is already registered in this team, adopt it (find
 * it by name, GET its records) so a re-run or a lost state never fails on "already exists".
 */
export async function createOrAdoptDomain(
  conn: ResendConnection,
  name: string,
  region: string,
  returnPath: string,
): Promise<ResendDomainInfo> {
  try {
    const d = await call<RawDomain>(
      conn,
      `register domain ${name}`,
      (r, o) =>
        r.domains.create({ name, region: region as never, customReturnPath: returnPath || undefined }, o) as Promise<
          SdkResponse<RawDomain>
        >,
    );
    return toInfo(d, false);
  } catch (e) {
    if (!isResendApiError(e) || NO_ADOPT.includes(e.code) || (e.statusCode !== null && e.statusCode >= 500)) throw e;
    const existing = await findDomainByName(conn, name);
    if (!existing) throw e;
    const d = await getDomain(conn, existing.id);
    return { ...d, adopted: true };
  }
}

/** POST /domains/{id}/verify: asks Resend to check DNS (asynchronous; poll getDomain for the outcome). */
export async function verifyDomain(conn: ResendConnection, domainId: string): Promise<void> {
  await call<unknown>(
    conn,
    `verify domain ${domainId}`,
    (r, o) => r.domains.verify(domainId, o) as Promise<SdkResponse<unknown>>,
  );
}

/** DELETE /domains/{id}. */
export async function removeDomain(conn: ResendConnection, domainId: string): Promise<void> {
  await call<unknown>(
    conn,
    `delete domain ${domainId}`,
    (r, o) => r.domains.remove(domainId, o) as Promise<SdkResponse<unknown>>,
  );
}

/**
 * POST /api-keys with `permission: "sending_access"` and `domain_id`: the SDK passes the body through as is,
 * so these must be the wire's snake_case names (a camelCase `domainId` is dropped and the key is unscoped).
 */
export async function createSendingKey(
  conn: ResendConnection,
  name: string,
  domainId: string,
): Promise<{ id: string; token: string }> {
  return call<{ id: string; token: string }>(
    conn,
    `create sending key ${name}`,
    (r, o) =>
      r.apiKeys.create({ name: name.slice(0, 50), permission: "sending_access", domain_id: domainId }, o) as Promise<
        SdkResponse<{ id: string; token: string }>
      >,
  );
}

/** DELETE /api-keys/{id}; a key that is already gone counts as deleted. */
export async function deleteApiKey(conn: ResendConnection, keyId: string): Promise<void> {
  try {
    await call<unknown>(
      conn,
      `delete API key ${keyId}`,
      (r, o) => r.apiKeys.remove(keyId, o) as Promise<SdkResponse<unknown>>,
    );
  } catch (e) {
    if (isResendApiError(e) && (e.code === "not_found" || e.statusCode === 404)) return;
    throw e;
  }
}
