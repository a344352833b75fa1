/**
 * One line of the mail log, split into time, program and message. docker-mailserver 15.x writes
 * `/var/log/mail/mail.log` with rsyslog's default file template, RSYSLOG_FileFormat (Debian 12):
 *
 *   2025-03-01T08:15:02.123456+00:00 mail postfix/qmgr[1234]: 4F2A1C0D3: from=<a@b.example>, …
 *
 * Two older shapes are read too, for logs kept from before DMS v14 or written differently: rsyslog's
 * RSYSLOG_TraditionalFileFormat (RFC 3164 time, `Mar  1 08:15:02`, what DMS's CHANGELOG tells users to restore
 * with user-patches.sh), and Postfix's own `maillog_file` (Postfix ≥ 3.4 postlogd: the same with microseconds,
 * `Mar  1 08:15:02.123456`). Those carry no year and no zone: the year is the latest one that does not put the
 * line in the future of `now`, and the time is read as UTC (the container's zone unless TZ is set).
 */
export interface SyslogLine {
  /** Milliseconds since the epoch. */
  time: number;
  /** The syslog tag without its PID: `postfix/qmgr`, `postfix/submission/smtpd`, `dovecot`. */
  program: string;
  message: string;
}

const RFC3339 =
  /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d) \S+ ([^\s[:]+)(?:\[\d+\])?: (.*)$/;
const RFC3164 = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)(\.\d+)? \S+ ([^\s[:]+)(?:\[\d+\])?: (.*)$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY = 86_400_000;

/** Parses one line; undefined for lines of another shape (continuations, rsyslog's own notices). */
export function parseSyslogLine(line: string, now: number): SyslogLine | undefined {
  let m = RFC3339.exec(line);
  if (m) {
    const fraction = m[7] ? Number(m[7].slice(0, 4)) * 1000 : 0;
    const zone =
      m[8] === "Z" ? 0 : (m[8][0] === "-" ? -1 : 1) * (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4)));
    const time =
      Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) +
      Math.round(fraction) -
      zone * 60_000;
    return { time, program: m[9], message: m[10] };
  }
  m = RFC3164.exec(line);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1]);
  if (month < 0) return undefined;
  const fraction = m[6] ? Math.round(Number(m[6].slice(0, 4)) * 1000) : 0;
  const at = (year: number) => Date.UTC(year, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) + fraction;
  const year = new Date(now).getUTCFullYear();
  // A line dated more than a day ahead belongs to last year (a December log read in January).
  const time = at(year) > now + DAY ? at(year - 1) : at(year);
  return { time, program: m[7], message: m[8] };
}
