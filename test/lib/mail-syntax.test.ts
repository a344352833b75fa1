import { describe, expect, it } from "vitest";
import { addressProblem, domainProblem, localPartProblem } from "../../lib/mail-syntax";

describe("localPartProblem", () => {
  it("names what each character means in the files it would land in", () => {
    const cases: [string, RegExp][] = [
      ["a|b", /postfix-accounts\.cf/],
      ["a:b", /passwd-file/],
      ["a,b", /targets of an alias/],
      ["#a", /comment/],
      ["a b", /whitespace/],
      ["a\tb", /whitespace/],
      ["a\rb", /line break/],
      ["a/b", /path parts/],
      ["a%b", /user%domain/],
      ["a!b", /host!user/],
      ["a$b", /shell syntax/],
      ['a"b', /shell syntax/],
      ["a<b", /address syntax/],
      ["a;b", /address syntax/],
      ["-a", /starts with "-"/],
      ["a..b", /twice in a row/],
      [".a", /at the start/],
      ["a".repeat(65), /longer than 64/],
      ["ü", /may only use/],
    ];
    for (const [local, meaning] of cases) expect(localPartProblem(local, "outside"), local).toMatch(meaning);
  });

  it("allows a +tag where Postfix resolves it, never in a mailbox name", () => {
    expect(localPartProblem("hi+shop", "tagged")).toBeUndefined();
    expect(localPartProblem("hi+shop", "mailbox")).toMatch(/recipient delimiter/);
    expect(localPartProblem("o'brien", "outside")).toBeUndefined();
    expect(localPartProblem("o'brien", "mailbox")).toMatch(/may only use/);
  });
});

describe("addressProblem and domainProblem", () => {
  it("needs an @ and a domain, and gives the punycode form of an internationalised one", () => {
    expect(addressProblem("hi", "outside")).toMatch(/no @/);
    expect(addressProblem("hi@localhost", "outside")).toMatch(/domain name/);
    expect(addressProblem("hi@bücher.de", "outside")).toMatch(/xn--bcher-kva\.de/);
    expect(domainProblem("例子.测试")).toMatch(/xn--fsqu00a\.xn--0zwm56d/);
    expect(addressProblem("hi@example.com", "mailbox")).toBeUndefined();
  });
});
