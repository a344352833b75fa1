import { describe, expect, it } from "vitest";
import { parsePolicy, resolvePolicy } from "mailauth/lib/mta-sts";
import {
  MTA_STS_MAX_AGE_LIMIT,
  MtaStsPolicy,
  mtaStsPolicyId,
  mtaStsTxtValue,
  renderMtaStsPolicy,
} from "../../../lib/well-known/mta-sts";
import { tlsRptTxtValue, tlsRptUri } from "../../../lib/well-known/tls-rpt";

/**
 * RFC 8461 §3.2's ABNF for the policy file, transcribed: a test independent of the renderer and of mailauth.
 *   sts-policy-record = sts-policy-field *WSP *(sts-policy-term-delim *WSP sts-policy-field *WSP)
 *                       [sts-policy-term-delim *WSP]
 *   sts-policy-field  = version / mode / max-age / mx / extension, each `name ":" *WSP value`
 *   sts-policy-mx-value = ["*."] Domain (RFC 5321), max-age-value = 1*10(DIGIT), term-delim = CRLF / LF
 */
const WSP = "[ \\t]";
const SUB_DOMAIN = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
const DOMAIN = `${SUB_DOMAIN}(?:\\.${SUB_DOMAIN})*`;
const VCHAR = "[\\x21-\\x7e]";
const FIELD = [
  `version:${WSP}*STSv1`,
  `mode:${WSP}*(?:testing|enforce|none)`,
  `max_age:${WSP}*\\d{1,10}`,
  `mx:${WSP}*(?:\\*\\.)?${DOMAIN}`,
  // sts-policy-extension: "other fields", so not one of the four above with a bad value.
  `(?!(?:version|mode|max_age|mx):)[A-Za-z0-9][A-Za-z0-9_.-]{0,31}:${WSP}*${VCHAR}(?:${WSP}*${VCHAR})*`,
]
  .map((f) => `(?:${f})`)
  .join("|");
const DELIM = "(?:\\r\\n|\\n)";
const POLICY_RECORD = new RegExp(`^(?:${FIELD})${WSP}*(?:${DELIM}${WSP}*(?:${FIELD})${WSP}*)*(?:${DELIM}${WSP}*)?$`);

/** Field names of a policy, in order (a grammar-valid file's lines). */
const fieldNames = (text: string) =>
  text
    .split(/\r?\n/)
    .filter(Boolean)
    .map((line) => line.split(":")[0]);

const POLICY: MtaStsPolicy = { mode: "testing", mx: ["mail.example.com"], maxAge: 604800 };

describe("renderMtaStsPolicy", () => {
  it.each([
    ["testing", POLICY],
    ["enforce, a year", { mode: "enforce", mx: ["mail.example.com"], maxAge: MTA_STS_MAX_AGE_LIMIT }],
    ["none (withdrawing)", { mode: "none", mx: ["mail.example.com"], maxAge: 86400 }],
    ["two MX", { mode: "enforce", mx: ["mx1.example.com", "mx2.example.com"], maxAge: 1209600 }],
  ] as [string, MtaStsPolicy][])("%s: matches RFC 8461's grammar, each required field once", (_, policy) => {
    const text = renderMtaStsPolicy(policy);
    expect(text).toMatch(POLICY_RECORD);
    const names = fieldNames(text);
    for (const once of ["version", "mode", "max_age"]) expect(names.filter((n) => n === once)).toHaveLength(1);
    expect(names.filter((n) => n === "mx")).toHaveLength(policy.mx.length);
    expect(names[0]).toBe("version");
    // CRLF-separated key/value pairs (RFC 8461 §3.2), nothing but CRLF.
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
  });

  it("is read by mailauth's strict RFC 8461 parser as the policy it was made from", () => {
    expect(parsePolicy(renderMtaStsPolicy(POLICY), { strict: true })).toEqual({
      version: "STSv1",
      ...POLICY,
    });
  });

  it("the grammar check itself refuses what RFC 8461 refuses", () => {
    for (const bad of [
      "version: STSv2\r\n",
      "version: STSv1\r\nmode: strict\r\n",
      "version: STSv1\r\nmax_age: 12345678901\r\n",
      "version: STSv1\r\nmx: mail..example.com\r\n",
      "version: STSv1\r\n\r\nmode: testing\r\n",
      "version : STSv1\r\n",
    ])
      expect(bad).not.toMatch(POLICY_RECORD);
  });
});

describe("mtaStsPolicyId", () => {
  const id = mtaStsPolicyId(renderMtaStsPolicy(POLICY));

  it("is 1–32 letters and digits (RFC 8461 §3.1), the same for the same policy", () => {
    expect(id).toMatch(/^[A-Za-z0-9]{1,32}$/);
    expect(mtaStsPolicyId(renderMtaStsPolicy({ ...POLICY, mx: [...POLICY.mx] }))).toBe(id);
  });

  it("changes whenever the policy does", () => {
    const others = [
      { ...POLICY, mode: "enforce" as const },
      { ...POLICY, maxAge: 1209600 },
      { ...POLICY, mx: ["mx2.example.com"] },
    ].map((p) => mtaStsPolicyId(renderMtaStsPolicy(p)));
    expect(new Set([id, ...others]).size).toBe(4);
  });

  it("reads back through mailauth's strict TXT parser from the record we publish", async () => {
    const resolver = async (name: string, type: string) => {
      expect([name, type]).toEqual(["_mta-sts.example.com", "TXT"]);
      return [[mtaStsTxtValue(id)]];
    };
    expect(await resolvePolicy("example.com", { strict: true, resolver })).toBe(id);
  });
});

describe("TLS-RPT", () => {
  it("makes mailto: URIs with the local part encoded, ! and , included (RFC 8460 §3)", () => {
    expect(tlsRptUri("postmaster@example.com")).toBe("mailto:postmaster@example.com");
    expect(tlsRptUri("mailto:tls+rpt@example.com")).toBe("mailto:tls%2Brpt@example.com");
    expect(tlsRptUri("a!b@example.com")).toBe("mailto:a%21b@example.com");
    expect(tlsRptUri("https://reports.example.net/tls")).toBe("https://reports.example.net/tls");
  });

  it("writes v=TLSRPTv1 with the URIs comma-separated", () => {
    expect(tlsRptTxtValue(["mailto:a@example.com", "https://r.example.net/x"])).toBe(
      "v=TLSRPTv1; rua=mailto:a@example.com,https://r.example.net/x",
    );
  });
});
