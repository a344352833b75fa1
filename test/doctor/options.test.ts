import { describe, expect, it } from "vitest";
import { parseOptions, parsePortOverrides, UsageError } from "../../doctor/options";

describe("options", () => {
  it("parses port overrides and rejects bad ones", () => {
    expect([...parsePortOverrides(["25=2525", "587=2587,993=2993"])]).toEqual([
      [25, 2525],
      [587, 2587],
      [993, 2993],
    ]);
    expect(() => parsePortOverrides(["25:2525"])).toThrow(UsageError);
    expect(() => parsePortOverrides(["25=70000"])).toThrow(UsageError);
  });
  it("has documented defaults", () => {
    const options = parseOptions([]);
    expect(options).toMatchObject({ timeoutMs: 5000, dnsbl: "zen.spamhaus.org", json: false, resolver: undefined });
    expect(parseOptions(["--dnsbl", "none"]).dnsbl).toBeUndefined();
    expect(() => parseOptions(["--timeout", "0"])).toThrow(UsageError);
    expect(() => parseOptions(["--password", "x"])).toThrow(UsageError); // secrets never come from flags
  });
});
