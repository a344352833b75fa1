import { describe, expect, it } from "vitest";
import {
  displayDomain,
  matchesSiteName,
  nameTokens,
  registrableDomain,
  relationOf,
  senderDomainOf,
} from "../../addresses/senders";

describe("sender domains", () => {
  it("takes the envelope sender's domain, lower case, in punycode; decodes SRS0 and SRS1", () => {
    expect(senderDomainOf("Noreply@Mail.Bilibili.com")).toBe("mail.bilibili.com");
    expect(senderDomainOf("info@bücher.example")).toBe("xn--bcher-kva.example");
    expect(senderDomainOf("info@xn--bcher-kva.example")).toBe("xn--bcher-kva.example");
    expect(senderDomainOf("SRS0=HHH=TT=shop.example=alice@forwarder.example")).toBe("shop.example");
    expect(senderDomainOf("SRS1=HHH=forwarder.example==HHH=TT=shop.example=alice@other.example")).toBe("shop.example");
    expect(senderDomainOf("")).toBe("");
    expect(senderDomainOf("MAILER-DAEMON")).toBe("?");
  });

  it("groups by the registrable domain of the Public Suffix List, private section included", () => {
    expect(registrableDomain("em123.github.com")).toBe("github.com");
    expect(registrableDomain("mail.bilibili.co.jp")).toBe("bilibili.co.jp");
    expect(registrableDomain("a.b.herokuapp.com")).toBe("b.herokuapp.com");
    expect(registrableDomain("xn--bcher-kva.de")).toBe("xn--bcher-kva.de");
    expect(registrableDomain("192.0.2.7")).toBe("192.0.2.7");
    expect(displayDomain("xn--bcher-kva.de")).toBe("bücher.de");
    expect(displayDomain("")).toBe("<> (bounces)");
  });
});

describe("site names", () => {
  it("splits a local part or tag into name tokens", () => {
    expect(nameTokens("amazon-de")).toEqual(["amazon", "de"]);
    expect(nameTokens("Shop2019")).toEqual(["shop"]);
    expect(nameTokens("news.ycombinator.com")).toEqual(["news", "ycombinator", "com"]);
    expect(nameTokens("4chan")).toEqual(["4chan"]);
  });

  // The rule the issue sets: mail from the site's own domains is never flagged.
  it.each([
    ["bilibili", ["bilibili.com", "account.bilibili.com", "bilibili.co.jp"]],
    ["github", ["github.com", "em123.github.com", "githubusercontent.com"]],
    ["amazon-de", ["amazon.de", "marketplace.amazon.de", "amazon.com"]],
    ["ebay", ["ebay.com", "reply.ebay.co.uk", "ebay-kleinanzeigen.de"]],
    ["paypal", ["paypal.com", "e.paypal.co.uk"]],
    ["steam", ["steampowered.com", "steamcommunity.com"]],
    ["bilibili.com", ["bilibili.com", "mail.bilibili.com"]],
    ["news.ycombinator.com", ["ycombinator.com"]],
    ["x", ["x.com"]],
    ["shop2019", ["shop.example"]],
    ["bücher", ["xn--bcher-kva.de"]],
  ])("%s matches its own sending domains", (site, domains) => {
    for (const domain of domains) expect(matchesSiteName(site, registrableDomain(domain)), domain).toBe(true);
  });

  it.each([
    ["bilibili", ["cheap-pills.example", "spam-list.example", "gmail.com"]],
    ["github", ["gitlab.com", "git.example"]],
    ["x", ["xbox.com", "spacex.com"]],
    ["amazon-de", ["deals.example"]],
  ])("%s does not match unrelated senders", (site, domains) => {
    for (const domain of domains) expect(matchesSiteName(site, registrableDomain(domain)), domain).toBe(false);
  });

  it("relates senders: own domains, the site, bulk-mail services and bounces are no evidence", () => {
    const own = ["example.org", "mail.example.org"];
    expect(relationOf("example.org", "bilibili", own)).toBe("own");
    expect(relationOf("mail.example.org", "bilibili", own)).toBe("own");
    expect(relationOf("mail.bilibili.com", "bilibili", own)).toBe("site");
    expect(relationOf("email.amazonses.com", "bilibili", own)).toBe("shared");
    expect(relationOf("sendgrid.net", "bilibili", own)).toBe("shared");
    expect(relationOf("", "bilibili", own)).toBe("shared");
    expect(relationOf("?", "bilibili", own)).toBe("shared");
    expect(relationOf("spam.example", "bilibili", own)).toBe("unrelated");
  });
});
