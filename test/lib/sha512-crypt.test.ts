import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { dovecotPasswordHash, sha512Crypt, stableSalt } from "../../lib/sha512-crypt";

describe("sha512Crypt", () => {
  it("matches the test vectors of Drepper's specification", () => {
    // From https://www.akkadia.org/drepper/SHA-crypt.txt (rounds=5000 is the default, so no rounds= field).
    expect(sha512Crypt("Hello world!", "saltstring")).toBe(
      "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
    );
  });

  it("agrees with openssl passwd -6 on long, short and non-ASCII passwords", () => {
    for (const [pw, salt] of [
      ["x", "a"],
      ["correct horse battery staple", "abcdefghijklmnop"],
      ["pässwörd-ünïcode-" + "z".repeat(80), "./09AZaz"],
    ]) {
      const expected = execFileSync("openssl", ["passwd", "-6", "-salt", salt, pw], { encoding: "utf8" }).trim();
      expect(sha512Crypt(pw, salt)).toBe(expected);
    }
  });

  it("refuses salts outside the crypt alphabet", () => {
    expect(() => sha512Crypt("pw", "bad$salt")).toThrow(/salt/);
  });
});

describe("dovecotPasswordHash", () => {
  it("is stable for the same address and password, and changes with either", () => {
    const a = dovecotPasswordHash("hi@example.com", "secret-one");
    expect(a).toMatch(/^\{SHA512-CRYPT\}\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    expect(dovecotPasswordHash("hi@example.com", "secret-one")).toBe(a);
    expect(dovecotPasswordHash("hi@example.com", "secret-two")).not.toBe(a);
    expect(dovecotPasswordHash("info@example.com", "secret-one")).not.toBe(a);
  });

  it("derives a salt that does not contain the password", () => {
    expect(stableSalt("hi@example.com", "abcdefghijklmnop")).not.toContain("abcdefgh");
  });
});
