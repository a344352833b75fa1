import { describe, expect, it } from "vitest";
import { RELAY_PRESETS, resolveRelay } from "../lib/relay-presets";

describe("resolveRelay", () => {
  it.each([
    [{ provider: "resend" }, { provider: "resend", host: "smtp.resend.com", port: 587, username: "resend" }],
    [
      { provider: "ses", region: "eu-west-1", username: "AKIAEXAMPLE" },
      { provider: "ses", host: "email-smtp.eu-west-1.amazonaws.com", port: 587, username: "AKIAEXAMPLE" },
    ],
    [
      { provider: "mailgun", username: "postmaster@mg.example.com" },
      { provider: "mailgun", host: "smtp.mailgun.org", port: 587, username: "postmaster@mg.example.com" },
    ],
    [
      { provider: "mailgun", region: "eu", username: "u" },
      { provider: "mailgun", host: "smtp.eu.mailgun.org", port: 587, username: "u" },
    ],
    [{ provider: "sendgrid" }, { provider: "sendgrid", host: "smtp.sendgrid.net", port: 587, username: "apikey" }],
    [
      { provider: "brevo", username: "me@example.com" },
      { provider: "brevo", host: "smtp-relay.brevo.com", port: 587, username: "me@example.com" },
    ],
    [
      { provider: "postmark", username: "server-token" },
      { provider: "postmark", host: "smtp.postmarkapp.com", port: 587, username: "server-token" },
    ],
    [
      { provider: "smtp2go", username: "u" },
      { provider: "smtp2go", host: "mail.smtp2go.com", port: 587, username: "u" },
    ],
    [
      { provider: "smtp2go", username: "u", port: 2525 },
      { provider: "smtp2go", host: "mail.smtp2go.com", port: 2525, username: "u" },
    ],
    [
      { provider: "mailjet", username: "apikey123" },
      { provider: "mailjet", host: "in-v3.mailjet.com", port: 587, username: "apikey123" },
    ],
    [
      { provider: "custom", host: "relay.example.net", username: "u" },
      { provider: "custom", host: "relay.example.net", port: 587, username: "u" },
    ],
    [
      { provider: "custom", host: "relay.example.net", username: "u", port: 25 },
      { provider: "custom", host: "relay.example.net", port: 25, username: "u" },
    ],
    [{ provider: "none" }, { provider: "none", host: "", port: 0, username: "" }],
    [{}, { provider: "none", host: "", port: 0, username: "" }],
    [{ provider: " Resend " }, { provider: "resend", host: "smtp.resend.com", port: 587, username: "resend" }],
  ])("%j", (input, expected) => {
    expect(resolveRelay(input)).toEqual(expected);
  });

  it("every preset is covered", () => {
    expect(Object.keys(RELAY_PRESETS).sort()).toEqual(
      ["brevo", "custom", "mailgun", "mailjet", "none", "postmark", "resend", "sendgrid", "ses", "smtp2go"].sort(),
    );
  });

  it("refuses implicit-TLS 465 with the reason and the fix", () => {
    expect(() => resolveRelay({ provider: "resend", port: 465 })).toThrow(
      "mailstack:relay.port is 465: docker-mailserver only relays with STARTTLS (ports 25/587/2525/2587), implicit-TLS 465 is not supported — use 587",
    );
    expect(() => resolveRelay({ provider: "custom", host: "h", username: "u", port: 2465 })).toThrow(
      /mailstack:relay.port is 2465/,
    );
    expect(() => resolveRelay({ provider: "resend", port: 70000 })).toThrow(
      /mailstack:relay.port is 70000: expected a TCP port/,
    );
  });

  it("unknown provider lists the known ones", () => {
    expect(() => resolveRelay({ provider: "mailchimp" })).toThrow(
      'mailstack:relay.provider is "mailchimp": expected one of resend, ses, mailgun, sendgrid, brevo, postmark, smtp2go, mailjet, custom, none',
    );
  });

  it.each(["ses", "mailgun", "brevo", "postmark", "smtp2go", "mailjet", "custom"])(
    "%s requires a username",
    (provider) => {
      expect(() =>
        resolveRelay({ provider, host: "h.example.net", region: provider === "ses" ? "us-east-1" : undefined }),
      ).toThrow(new RegExp(`^mailstack:relay.username is empty: the ${provider} relay needs`));
    },
  );

  it("names the region key for bad regions", () => {
    expect(() => resolveRelay({ provider: "ses", username: "u" })).toThrow(
      /mailstack:relay.region is "": the ses relay needs an AWS region/,
    );
    expect(() => resolveRelay({ provider: "ses", username: "u", region: "Europe" })).toThrow(
      /mailstack:relay.region is "Europe"/,
    );
    expect(() => resolveRelay({ provider: "mailgun", username: "u", region: "asia" })).toThrow(
      /mailstack:relay.region is "asia": mailgun expects "us" or "eu"/,
    );
  });

  it("custom needs a host", () => {
    expect(() => resolveRelay({ provider: "custom", username: "u" })).toThrow(/mailstack:relay.host is empty/);
  });

  it("postmark's hint says the username is the server token", () => {
    expect(() => resolveRelay({ provider: "postmark" })).toThrow(/server API token/);
  });
});
