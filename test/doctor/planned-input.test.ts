import { describe, expect, it } from "vitest";
import { InputError, validatePlanned } from "../../doctor/planned-input";
import { plannedDeployment } from "./fixtures/scenario";

/** The doctor's input is the stack's outputs, checked against the contract's schema (lib/planned.ts). */
const { planned } = plannedDeployment("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", 2525);
const problems = (value: unknown) => {
  try {
    validatePlanned(value, "f.json");
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message.split("\n").slice(1);
  }
  throw new Error("accepted");
};

describe("validatePlanned", () => {
  it("accepts the stack outputs, ignoring outputs it does not read (the secret passwords)", () => {
    const read = validatePlanned({ ...JSON.parse(JSON.stringify(planned)), passwords: "[secret]" }, "f.json");
    expect(read).toEqual(planned);
  });

  it("reads absent relay, ports, PTR request and accounts as none", () => {
    const { relay: _r, ports: _p, ptrRequest: _q, accounts: _a, ...rest } = planned;
    expect(validatePlanned(rest, "f.json")).toMatchObject({
      relay: { provider: "none", host: "", port: 0, username: "" },
      ports: [],
      ptrRequest: [],
      accounts: [],
    });
  });

  it("names every bad field, nested ones with their path", () => {
    expect(
      problems({
        ...planned,
        domain: undefined,
        hostname: "Mail.Example.test.",
        serverIp: "300.1.1.1",
        dnsRecords: [
          planned.dnsRecords[0],
          { ...planned.dnsRecords[1], type: "NS" },
          { ...planned.dnsRecords[2], content: "v=spf1 -all" },
        ],
        dkim: { selector: "mail", publicKey: 42 },
        relay: { ...planned.relay, port: 70000 },
        clientSettings: { ...planned.clientSettings, username: "your full address, e.g. alice@example.test" },
        accounts: ["alice"],
      }),
    ).toEqual([
      "  - domain: is missing",
      "  - hostname: is not a host name in lower case without the trailing dot",
      "  - serverIp: is not an IPv4 address",
      '  - dnsRecords[1].type: must be "A" or "AAAA" or "MX" or "TXT" or "CNAME" or "CAA" or "SRV"',
      '  - dnsRecords[2].content: is not quoted character-strings ("…" "…")',
      "  - dkim.publicKey: must be a string",
      "  - relay.port: is not a port (1–65535, or 0 without a relay)",
      '  - clientSettings.username: must be "%EMAILADDRESS%"',
      "  - accounts[0]: is not an email address",
    ]);
  });

  it("says what the input should be when it is not an object at all", () => {
    expect(() => validatePlanned([], "stdin")).toThrow("stdin: expected a JSON object (the stack outputs)");
    expect(() => validatePlanned(null, "stdin")).toThrow(InputError);
  });
});
