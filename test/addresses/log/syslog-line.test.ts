import { describe, expect, it } from "vitest";
import { parseSyslogLine } from "../../../addresses/log/syslog-line";

const NOW = Date.parse("2025-03-10T12:00:00Z");

describe("parseSyslogLine", () => {
  it("reads docker-mailserver 15's RSYSLOG_FileFormat (RFC 3339, with the zone offset applied)", () => {
    expect(
      parseSyslogLine(
        "2025-03-01T08:15:02.123456+00:00 mail postfix/qmgr[1234]: 4F2A1C0D3: from=<a@b.example>, size=5, nrcpt=1 (queue active)",
        NOW,
      ),
    ).toEqual({
      time: Date.parse("2025-03-01T08:15:02.123Z"),
      program: "postfix/qmgr",
      message: "4F2A1C0D3: from=<a@b.example>, size=5, nrcpt=1 (queue active)",
    });
    expect(parseSyslogLine("2025-03-01T09:15:02.5+01:00 mail postfix/submission/smtpd[7]: x", NOW)).toMatchObject({
      time: Date.parse("2025-03-01T08:15:02.500Z"),
      program: "postfix/submission/smtpd",
    });
    expect(parseSyslogLine("2025-03-01T03:15:02-05:00 mail dovecot: lmtp(1): x", NOW)).toMatchObject({
      time: Date.parse("2025-03-01T08:15:02Z"),
      program: "dovecot",
      message: "lmtp(1): x",
    });
  });

  it("reads the traditional format and Postfix's maillog_file (year-less, UTC), placing the year before now", () => {
    expect(parseSyslogLine("Mar  1 08:15:02 mail postfix/lmtp[9]: ABCDEF123: removed", NOW)).toEqual({
      time: Date.parse("2025-03-01T08:15:02Z"),
      program: "postfix/lmtp",
      message: "ABCDEF123: removed",
    });
    expect(parseSyslogLine("Mar 10 08:15:02.250000 mail.example.org postfix/qmgr[9]: x", NOW)?.time).toBe(
      Date.parse("2025-03-10T08:15:02.250Z"),
    );
    // A December line read in March is last year's.
    expect(parseSyslogLine("Dec 31 23:59:59 mail postfix/qmgr[9]: x", NOW)?.time).toBe(
      Date.parse("2024-12-31T23:59:59Z"),
    );
  });

  it("returns undefined for other shapes", () => {
    for (const line of ["", "garbage", "Foo  1 08:15:02 mail postfix/qmgr[1]: x", "2025-03-01 08:15:02 mail x: y"])
      expect(parseSyslogLine(line, NOW)).toBeUndefined();
  });
});
