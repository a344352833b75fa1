import { describe, expect, it } from "vitest";
import { didYouMean, Problems, Scope, show, suggest } from "../../lib/config-reader";
import { CONFIG_KEYS } from "../../lib/config";
import { rawConfig } from "../support/raw-config";
import { PROD_CERT } from "../support/fixtures";

describe("suggest", () => {
  it("finds the key probably meant: another case, a typo, a name cut short or run on", () => {
    expect(suggest("catchall", CONFIG_KEYS)).toBe("catchAll");
    expect(suggest("block", CONFIG_KEYS)).toBe("blocked");
    expect(suggest("acounts", CONFIG_KEYS)).toBe("accounts");
    expect(suggest("aliasses", CONFIG_KEYS)).toBe("aliases");
    expect(suggest("relaypassword", CONFIG_KEYS)).toBe("relayPassword");
    expect(suggest("serverIP", CONFIG_KEYS)).toBe("serverIp");
    expect(suggest("spamFilter", CONFIG_KEYS)).toBe("spam");
    expect(suggest("webmail", CONFIG_KEYS)).toBeUndefined();
    expect(didYouMean("x", CONFIG_KEYS)).toBe("");
  });
});

describe("show", () => {
  it("never shows a private key and cuts long values", () => {
    expect(show(`x${PROD_CERT.keyPem}`)).toBe("(a value holding a private key, not shown)");
    expect(show("a".repeat(300))).toHaveLength(100);
    expect(show("hi")).toBe('"hi"');
  });
});

describe("Scope", () => {
  it("reads Pulumi's text at the top level and decoded values inside objects, naming the full key", () => {
    const r = new Problems();
    const top = Scope.top(r, rawConfig({ relay: { port: "2525", username: 5 }, accounts: ["hi"], dns: "none" }, []));
    expect(top.value("accounts")).toEqual(["hi"]);
    expect(top.string("dns")).toBe("none");
    const relay = top.object("relay")!;
    expect(relay.number("port")).toBe(2525);
    expect(relay.string("username")).toBeUndefined();
    expect(top.object("dns")).toBeUndefined();
    expect(r.problems).toEqual([
      "mailstack:relay.username must be a string (got 5)",
      expect.stringMatching(/^mailstack:dns must be a mapping \(got "none"\)/),
    ]);
  });
});
