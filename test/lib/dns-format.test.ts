import { describe, expect, it } from "vitest";
import {
  absoluteName,
  formatCaa,
  formatSrv,
  isDnsName,
  normalizeName,
  parseCaa,
  parseSrv,
  quoteTxt,
  recordKey,
  recordKeys,
  renderZoneFile,
  txtStrings,
  unquoteTxt,
  zoneLine,
} from "../../lib/dns-format";
import { DnsRecordSpec } from "../../lib/dns-record";

const record = (type: DnsRecordSpec["type"], name: string, content: string, extra: Partial<DnsRecordSpec> = {}) => ({
  type,
  name,
  content,
  ttl: 3600,
  comment: "why",
  ...extra,
});

describe("names", () => {
  it("normalises to trimmed lower case without the root dot, and back to the absolute form", () => {
    expect(normalizeName(" Mail.Example.COM. ")).toBe("mail.example.com");
    expect(normalizeName("example.com")).toBe("example.com");
    expect(absoluteName("Example.com.")).toBe("example.com.");
  });

  it("accepts publishable names in normal form only", () => {
    expect(isDnsName("_dmarc.example.com")).toBe(true);
    expect(isDnsName("resend._domainkey.example.com")).toBe(true);
    expect(isDnsName("Example.com")).toBe(false);
    expect(isDnsName("example.com.")).toBe(false);
    expect(isDnsName("localhost")).toBe(false);
    expect(isDnsName(`${"a".repeat(64)}.example.com`)).toBe(false);
    expect(isDnsName("a b.example.com")).toBe(false);
  });
});

describe("TXT", () => {
  it("quotes a short value as one character-string", () => {
    expect(quoteTxt("v=spf1 mx -all")).toBe('"v=spf1 mx -all"');
    expect(quoteTxt("")).toBe('""');
  });

  it("splits long values into 255-byte strings separated by one space, and round-trips", () => {
    const value = "p=" + "A".repeat(600);
    const quoted = quoteTxt(value);
    expect(txtStrings(quoted).map((s) => s.length)).toEqual([255, 255, 92]);
    expect(quoted.split('" "').length).toBe(3);
    expect(unquoteTxt(quoted)).toBe(value);
  });

  it("never cuts a UTF-8 sequence and escapes quotes and backslashes", () => {
    const value = "é".repeat(200) + '"\\';
    const quoted = quoteTxt(value);
    for (const part of txtStrings(quoted)) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(255);
    expect(unquoteTxt(quoted)).toBe(value);
  });

  it("reads presentation form: several strings, escapes, decimal bytes, or one bare string", () => {
    expect(txtStrings('"v=DKIM1; k=rsa; " "p=AB" "CD"')).toEqual(["v=DKIM1; k=rsa; ", "p=AB", "CD"]);
    expect(unquoteTxt('"v=DKIM1; k=rsa; " "p=AB" "CD"')).toBe("v=DKIM1; k=rsa; p=ABCD");
    expect(unquoteTxt('"say \\"hi\\"" "\\065"')).toBe('say "hi"A');
    // \DDD is a byte: an escaped UTF-8 sequence is one character.
    expect(unquoteTxt('"caf\\195\\169"')).toBe("café");
    expect(unquoteTxt("v=spf1 mx -all")).toBe("v=spf1 mx -all");
    expect(() => txtStrings('"unterminated')).toThrow(/unterminated/);
    expect(() => txtStrings('"a" b')).toThrow(/not a list of quoted strings/);
  });
});

describe("CAA", () => {
  it("reads presentation form and what Resend sends, tag in lower case", () => {
    expect(parseCaa('0 issue "letsencrypt.org"')).toEqual({ flags: 0, tag: "issue", value: "letsencrypt.org" });
    expect(parseCaa('128 ISSUE "letsencrypt.org; validationmethods=dns-01"')).toEqual({
      flags: 128,
      tag: "issue",
      value: "letsencrypt.org; validationmethods=dns-01",
    });
    expect(parseCaa("issuewild amazontrust.com")).toEqual({ flags: 0, tag: "issuewild", value: "amazontrust.com" });
    expect(parseCaa('0 iodef "mailto:ca@example.com"').value).toBe("mailto:ca@example.com");
    expect(parseCaa('0 issue ";"')).toEqual({ flags: 0, tag: "issue", value: ";" });
  });

  it("refuses what is not CAA", () => {
    expect(() => parseCaa("nonsense")).toThrow(/CAA content/);
    expect(() => parseCaa('256 issue "x"')).toThrow(/CAA content/);
    expect(() => parseCaa('0 issue "a" "b"')).toThrow(/one quoted string/);
  });

  it("writes presentation form that reads back to the same fields", () => {
    const caa = { flags: 0, tag: "issue", value: 'odd "ca"' };
    expect(formatCaa(caa)).toBe('0 issue "odd \\"ca\\""');
    expect(parseCaa(formatCaa(caa))).toEqual(caa);
    expect(formatCaa(parseCaa("0 ISSUE letsencrypt.org"))).toBe('0 issue "letsencrypt.org"');
  });
});

describe("SRV", () => {
  it("reads `weight port target`, a trailing dot or upper case normalised, the root kept as `.`", () => {
    expect(parseSrv("1 993 Mail.Example.com.")).toEqual({ weight: 1, port: 993, target: "mail.example.com" });
    expect(parseSrv("0 0 .")).toEqual({ weight: 0, port: 0, target: "." });
    expect(formatSrv(parseSrv("1 993 Mail.Example.com."))).toBe("1 993 mail.example.com");
    expect(formatSrv({ weight: 0, port: 0, target: "." })).toBe("0 0 .");
  });

  it("refuses what is not SRV content", () => {
    for (const bad of [
      "1 993",
      "0 10 993 mail.example.com",
      "1 70000 mail.example.com",
      "1 993 mail..example.com",
      "x 1 a.b",
    ])
      expect(() => parseSrv(bad), bad).toThrow(/SRV content must be/);
  });
});

describe("zone files", () => {
  it("renders one line with absolute names and MX priority", () => {
    expect(zoneLine(record("MX", "x.test", "Mail.X.test", { priority: 5 }))).toBe("x.test. 3600 IN MX 5 mail.x.test.");
    expect(zoneLine(record("CNAME", "t._domainkey.x.test", "t.dkim.amazonses.com"))).toBe(
      "t._domainkey.x.test. 3600 IN CNAME t.dkim.amazonses.com.",
    );
    expect(zoneLine(record("TXT", "x.test", '"v=spf1 mx -all"'))).toBe('x.test. 3600 IN TXT "v=spf1 mx -all"');
    expect(zoneLine(record("CAA", "x.test", '0 issue "letsencrypt.org"'))).toBe(
      'x.test. 3600 IN CAA 0 issue "letsencrypt.org"',
    );
    expect(zoneLine(record("SRV", "_imaps._tcp.x.test", "1 993 mail.x.test", { priority: 0 }))).toBe(
      "_imaps._tcp.x.test. 3600 IN SRV 0 1 993 mail.x.test.",
    );
    expect(zoneLine(record("SRV", "_pop3._tcp.x.test", "0 0 .", { priority: 0 }))).toBe(
      "_pop3._tcp.x.test. 3600 IN SRV 0 0 0 .",
    );
  });

  it("renders a whole file with $ORIGIN, aligned columns and the reason as a comment", () => {
    const zone = renderZoneFile("example.com", [
      record("A", "mail.example.com", "203.0.113.7"),
      record("MX", "example.com", "mail.example.com", { priority: 10 }),
      record("TXT", "_dmarc.example.com", '"v=DMARC1; p=none;"', { comment: "DMARC policy" }),
    ]);
    expect(zone.split("\n")).toEqual([
      "; mailstack records for example.com",
      "$ORIGIN example.com.",
      "mail.example.com.   3600 IN A     203.0.113.7 ; why",
      "example.com.        3600 IN MX    10 mail.example.com. ; why",
      '_dmarc.example.com. 3600 IN TXT   "v=DMARC1; p=none;" ; DMARC policy',
      "",
    ]);
  });
});

describe("record keys", () => {
  it("names a record by type and normalised name", () => {
    expect(recordKey({ type: "MX", name: "Example.com." })).toBe("mx-example.com");
    expect(recordKey({ type: "TXT", name: "_dmarc.example.com" })).toBe("txt-_dmarc.example.com");
  });

  it("numbers records sharing type and name by content, whatever order they come in", () => {
    const b = record("MX", "example.com", "b.example.net", { priority: 10 });
    const a = record("MX", "example.com", "a.example.net", { priority: 20 });
    const txt = record("TXT", "send.example.com", '"x"');
    expect(recordKeys([b, a, txt])).toEqual(["mx-example.com-2", "mx-example.com", "txt-send.example.com"]);
    expect(recordKeys([txt, a, b])).toEqual(["txt-send.example.com", "mx-example.com", "mx-example.com-2"]);
  });
});
