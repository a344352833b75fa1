import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePolicy } from "mailauth/lib/mta-sts";
import { parse as parsePlist } from "plist";
import { planWellKnown } from "../../../lib/well-known/plan";
import { renderAutoconfigXml } from "../../../lib/well-known/autoconfig";
import { OUTLOOK_RESPONSE_SCHEMA } from "../../../lib/well-known/autodiscover";
import { children, childText, FULL_SETUP, LoadedWorker, parseXml, workerLoader } from "../../support/well-known";

/**
 * The Worker as Cloudflare runs it: the rendered module imported and its `fetch` called with real `Request`
 * objects (Node's, the same Fetch API as the Workers runtime), for every path, method and bad input.
 */
const loader = workerLoader();
let worker: LoadedWorker;
const plan = planWellKnown({ domain: "example.com", hostname: "mail.example.com", setup: FULL_SETUP });

beforeAll(async () => {
  worker = await loader.load(plan.site!);
});
afterAll(() => loader.close());

const get = (url: string, init?: RequestInit) => worker.fetch(new Request(url, init));

const autodiscoverRequest = (address: string, schema = OUTLOOK_RESPONSE_SCHEMA) =>
  `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>${address}</EMailAddress>
    <AcceptableResponseSchema>${schema}</AcceptableResponseSchema>
  </Request>
</Autodiscover>`;

describe("the MTA-STS host", () => {
  it("serves the planned policy as text/plain with 200, which mailauth parses strictly", async () => {
    const res = await get("https://mta-sts.example.com/.well-known/mta-sts.txt");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const body = await res.text();
    expect(body).toBe(plan.outputs.mtaSts!.policy);
    expect(parsePolicy(body, { strict: true })).toMatchObject({ mode: "testing", mx: ["mail.example.com"] });
  });

  it("answers HEAD with the headers and no body", async () => {
    const res = await get("https://mta-sts.example.com/.well-known/mta-sts.txt", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await res.text()).toBe("");
  });

  it("refuses other methods with 405 and Allow", async () => {
    for (const method of ["POST", "PUT", "DELETE", "OPTIONS"]) {
      const res = await get("https://mta-sts.example.com/.well-known/mta-sts.txt", {
        method,
        body: method === "POST" || method === "PUT" ? "x" : undefined,
      });
      expect(res.status, method).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
    }
  });

  it("serves nothing else: 404 for other paths, the autoconfig file included", async () => {
    for (const path of ["/", "/.well-known/mta-sts.txt/", "/mail/config-v1.1.xml", "/.well-known/MTA-STS.TXTX"])
      expect((await get(`https://mta-sts.example.com${path}`)).status, path).toBe(404);
  });
});

describe("the autoconfig host", () => {
  const xml = renderAutoconfigXml({ domain: "example.com", hostname: "mail.example.com" });

  it("serves Thunderbird's file at both of its paths, whatever the query", async () => {
    for (const path of [
      "/mail/config-v1.1.xml?emailaddress=alice%40example.com",
      "/mail/config-v1.1.xml",
      "/.well-known/autoconfig/mail/config-v1.1.xml",
    ]) {
      const res = await get(`https://autoconfig.example.com${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/xml; charset=utf-8");
      expect(await res.text()).toBe(xml);
    }
  });

  it("serves an Apple profile for an address at the domain, filled in and stable per address", async () => {
    const url = "https://autoconfig.example.com/mail/apple.mobileconfig?emailaddress=Alice%40Example.com";
    const res = await get(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-apple-aspen-config");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="example.com.mobileconfig"');
    expect(res.headers.get("cache-control")).toBe("no-store");
    const text = await res.text();
    expect(text).not.toMatch(/\{\{/);
    const profile = parsePlist(text) as Record<string, any>;
    const mail = profile.PayloadContent[0];
    expect(mail).toMatchObject({
      EmailAddress: "alice@example.com",
      IncomingMailServerUsername: "alice@example.com",
      OutgoingMailServerUsername: "alice@example.com",
    });
    const uuid = /^[0-9A-F]{8}-[0-9A-F]{4}-8[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;
    expect(profile.PayloadUUID).toMatch(uuid);
    expect(mail.PayloadUUID).toMatch(uuid);
    expect(mail.PayloadUUID).not.toBe(profile.PayloadUUID);
    // The same address gets the same profile (a reinstall replaces it); another address another one.
    expect(await (await get(url)).text()).toBe(text);
    const bob = parsePlist(
      await (await get("https://autoconfig.example.com/mail/apple.mobileconfig?emailaddress=bob@example.com")).text(),
    ) as Record<string, any>;
    expect(bob.PayloadUUID).not.toBe(profile.PayloadUUID);
    expect(bob.PayloadIdentifier).not.toBe(profile.PayloadIdentifier);
  });

  it("escapes what an address may contain that XML may not", async () => {
    const res = await get(
      `https://autoconfig.example.com/mail/apple.mobileconfig?emailaddress=${encodeURIComponent("o'brien&co@example.com")}`,
    );
    expect(res.status).toBe(200);
    const profile = parsePlist(await res.text()) as Record<string, any>;
    expect(profile.PayloadContent[0].EmailAddress).toBe("o'brien&co@example.com");
  });

  it("refuses a profile without an address, for another domain, or for what is no address, with 400", async () => {
    for (const query of [
      "",
      "?emailaddress=",
      "?emailaddress=alice@example.org",
      "?emailaddress=alice@mail.example.com",
      "?emailaddress=alice",
      `?emailaddress=${encodeURIComponent("<script>@example.com")}`,
      `?emailaddress=${encodeURIComponent("a..b@example.com")}`,
    ]) {
      const res = await get(`https://autoconfig.example.com/mail/apple.mobileconfig${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.text()).toContain("?emailaddress=");
    }
  });

  it("serves the page with the profile form at /", async () => {
    const res = await get("https://autoconfig.example.com/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await res.text()).toContain('action="/mail/apple.mobileconfig"');
  });
});

describe("autodiscover", () => {
  const post = (url: string, body: string) =>
    get(url, { method: "POST", body, headers: { "content-type": "text/xml" } });
  const settingsFor = async (res: Response) => {
    const root = parseXml(await res.text()).documentElement;
    const response = children(root, "Response")[0];
    const error = children(response, "Error")[0];
    if (error) return { error: childText(error, "ErrorCode") };
    const protocols = children(children(response, "Account")[0], "Protocol");
    return { logins: protocols.map((p) => `${childText(p, "Type")} ${childText(p, "LoginName")}`) };
  };

  it("answers Outlook's POST with the settings for the address, at both paths and in any case", async () => {
    for (const url of [
      "https://autodiscover.example.com/autodiscover/autodiscover.xml",
      "https://autodiscover.example.com/Autodiscover/Autodiscover.xml",
      "https://example.com/autodiscover/autodiscover.xml",
    ]) {
      const res = await post(url, autodiscoverRequest("Bob@example.com"));
      expect(res.status, url).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/xml; charset=utf-8");
      expect(await settingsFor(res)).toEqual({ logins: ["IMAP bob@example.com", "SMTP bob@example.com"] });
    }
  });

  it("answers error 600 for another domain, no address, another schema, a malformed or huge body", async () => {
    const url = "https://autodiscover.example.com/autodiscover/autodiscover.xml";
    for (const body of [
      autodiscoverRequest("bob@example.org"),
      autodiscoverRequest(""),
      autodiscoverRequest(
        "bob@example.com",
        "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006",
      ),
      "not xml at all",
      "",
      autodiscoverRequest("bob@example.com").replace("</Request>", `${"x".repeat(70_000)}</Request>`),
    ]) {
      const res = await post(url, body);
      expect(res.status).toBe(200);
      expect(await settingsFor(res), body.slice(0, 200)).toEqual({ error: "600" });
    }
  });

  it("takes only POST", async () => {
    const res = await get("https://autodiscover.example.com/autodiscover/autodiscover.xml");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });
});

describe("hosts and schemes", () => {
  it("answers 421 for a host name it does not serve (its workers.dev name, another zone's)", async () => {
    for (const url of [
      "https://mailstack-example-com.someone.workers.dev/.well-known/mta-sts.txt",
      "https://mta-sts.example.org/.well-known/mta-sts.txt",
      "https://www.example.com/",
    ]) {
      const res = await get(url);
      expect(res.status, url).toBe(421);
    }
  });

  it("sends plain HTTP to HTTPS with 308, path and query kept", async () => {
    const res = await get("http://autoconfig.example.com/mail/config-v1.1.xml?emailaddress=a%40example.com");
    expect(res.status).toBe(308);
    expect(res.headers.get("location")).toBe(
      "https://autoconfig.example.com/mail/config-v1.1.xml?emailaddress=a%40example.com",
    );
  });

  it("at the apex serves only the autoconfig and autodiscover paths (the apex belongs to the Worker then)", async () => {
    expect((await get("https://example.com/.well-known/autoconfig/mail/config-v1.1.xml")).status).toBe(200);
    for (const path of ["/", "/index.html", "/mail/config-v1.1.xml", "/.well-known/mta-sts.txt"])
      expect((await get(`https://example.com${path}`)).status, path).toBe(404);
  });
});

describe("what is served follows the switches", () => {
  it("with only MTA-STS, the other hosts are not served", async () => {
    const only = planWellKnown({
      domain: "example.com",
      hostname: "mail.example.com",
      setup: { ...FULL_SETUP, autoconfig: false, autodiscover: false, apex: false },
    });
    const w = await loader.load(only.site!);
    expect(Object.keys(only.site!.hosts)).toEqual(["mta-sts.example.com"]);
    expect((await w.fetch(new Request("https://mta-sts.example.com/.well-known/mta-sts.txt"))).status).toBe(200);
    expect((await w.fetch(new Request("https://autoconfig.example.com/mail/config-v1.1.xml"))).status).toBe(421);
    expect((await w.fetch(new Request("https://example.com/autodiscover/autodiscover.xml"))).status).toBe(421);
  });

  it("holds no data but the planned site, as one JSON literal before the handler", () => {
    const match = /^\/\/ Generated by mailstack[^\n]*\nconst SITE = (\{[\s\S]*?\n\});\n\n/.exec(worker.source);
    expect(JSON.parse(match![1])).toEqual(plan.site);
    expect(worker.source.slice(match![0].length)).toBe(
      readFileSync(join(__dirname, "../../../lib/well-known/worker-handler.mjs"), "utf8"),
    );
  });
});
