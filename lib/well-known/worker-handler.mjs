/* global SITE */
// The mail-setup Worker: a Cloudflare Workers module (`export default { fetch }`). lib/well-known/worker.ts puts
// `const SITE = {…};` in front of this file: the documents, rendered at deploy time from the stack's config by
// lib/well-known/plan.ts, and which host and path serve each. This code only routes, and fills in the address
// for the two documents that are per address. Nothing it holds is secret.

/** Largest autodiscover request read (Outlook's are a few hundred bytes). */
const MAX_REQUEST_BYTES = 64 * 1024;
/** An address as mailstack's config accepts one (lib/config-reader.ts), lower-cased first. */
const ADDRESS = /^(?!\.)(?!.*\.\.)[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}(?<!\.)@([a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+)$/;

export default {
  fetch(request) {
    return respond(request, SITE);
  },
};

async function respond(request, site) {
  const url = new URL(request.url);
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  const paths = site.hosts[host];
  // A custom domain only routes its own hostname here, but the script is also reachable by other names
  // (workers.dev): answer nothing for them.
  if (!paths) return text(421, `${host} is not served by this Worker.\n`);
  if (url.protocol !== "https:") {
    url.protocol = "https:";
    return new Response(null, { status: 308, headers: { location: url.href } });
  }
  const name = paths[url.pathname.toLowerCase()];
  const doc = name === undefined ? undefined : site.documents[name];
  if (!doc) return text(404, `Nothing is served at ${url.pathname}.\n`);
  const allowed = doc.kind === "autodiscover" ? ["POST"] : ["GET", "HEAD"];
  if (!allowed.includes(request.method))
    return text(405, `Use ${allowed.join(" or ")}.\n`, { allow: allowed.join(", ") });

  if (doc.kind === "static") return reply(request, 200, doc, doc.body, "max-age=300");
  if (doc.kind === "address") {
    const address = addressAt(url.searchParams.get("emailaddress"), site.domain);
    if (!address)
      return text(400, `Add ?emailaddress=<your address at ${site.domain}> to the link.\n`, {
        "cache-control": "no-store",
      });
    return reply(request, 200, doc, await fill(doc.body, address, site.placeholders), "no-store");
  }
  // Outlook's POX autodiscover: a small XML request naming the address and the response schema it reads.
  const time = new Date().toISOString().slice(11, 23);
  const error = () => reply(request, 200, doc, doc.error.replaceAll(site.placeholders.time, time), "no-store");
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_REQUEST_BYTES) return error();
  const body = await request.text();
  if (body.length > MAX_REQUEST_BYTES) return error();
  const schema = element(body, "AcceptableResponseSchema");
  const address = addressAt(element(body, "EMailAddress"), site.domain);
  if (!address || (schema !== undefined && schema !== doc.schema)) return error();
  return reply(request, 200, doc, await fill(doc.body, address, site.placeholders), "no-store");
}

/** The text of the first `<name>` element (any namespace prefix), entities decoded; a regular expression is
 * enough for the one flat element Outlook sends, and the Workers runtime has no XML parser. */
function element(xml, name) {
  const match = new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>([^<]{0,1024})</(?:[\\w.-]+:)?${name}\\s*>`, "i").exec(
    xml,
  );
  return match?.[1]
    .trim()
    .replace(/&(lt|gt|quot|apos|amp);/g, (_, entity) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[entity]);
}

/** The address, lower-cased, when it is one and at the domain. */
function addressAt(value, domain) {
  const address = (value ?? "").trim().toLowerCase();
  const match = ADDRESS.exec(address);
  return match && match[1] === domain ? address : undefined;
}

/** The document for one address: the address XML-escaped, and UUIDs derived from it (stable per address). */
async function fill(template, address, placeholders) {
  return template
    .replaceAll(placeholders.address, escapeXml(address))
    .replaceAll(placeholders.profileUuid, await uuidFor(`mailstack profile ${address}`))
    .replaceAll(placeholders.mailUuid, await uuidFor(`mailstack mail ${address}`));
}

/** A name-based UUID: SHA-256 of the seed, version 8 and the RFC 9562 variant set. */
async function uuidFor(seed) {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(seed))).slice(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x80;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`.toUpperCase();
}

function escapeXml(value) {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c],
  );
}

function reply(request, status, doc, body, cacheControl) {
  const headers = {
    "content-type": doc.contentType,
    "cache-control": cacheControl,
    "x-content-type-options": "nosniff",
  };
  if (doc.filename) headers["content-disposition"] = `attachment; filename="${doc.filename}"`;
  return new Response(request.method === "HEAD" ? null : body, { status, headers });
}

/** A short plain-text answer (it may echo the request's path: never sniffed as anything else). */
function text(status, body, headers = {}) {
  return new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff", ...headers },
  });
}
