import { describe, expect, it } from "vitest";
import { quoteTxt, unquoteTxt } from "../../lib/render/txt";

describe("quoteTxt", () => {
  it("quotes a short value as one character-string", () => {
    expect(quoteTxt("v=spf1 mx -all")).toBe('"v=spf1 mx -all"');
  });

  it("splits long values into 255-byte strings separated by one space, and round-trips", () => {
    const value = "p=" + "A".repeat(600);
    const quoted = quoteTxt(value);
    const parts = quoted.match(/"[^"]*"/g)!;
    expect(parts.map((p) => p.length - 2)).toEqual([255, 255, 92]);
    expect(quoted.split('" "').length).toBe(3);
    expect(unquoteTxt(quoted)).toBe(value);
  });

  it("never cuts a UTF-8 sequence and escapes quotes and backslashes", () => {
    const value = "é".repeat(200) + '"\\';
    const quoted = quoteTxt(value);
    for (const part of quoted.match(/"((?:[^"\\]|\\.)*)"/g)!)
      expect(Buffer.byteLength(part.slice(1, -1).replace(/\\(.)/g, "$1"))).toBeLessThanOrEqual(255);
    expect(unquoteTxt(quoted)).toBe(value);
  });
});
