import { describe, expect, it } from "vitest";
import { compareDkimRecord } from "../../../doctor/lib/dkim";
import { makeDkimPublicKey } from "../../support/certificates";

describe("DKIM key comparison", () => {
  const key = makeDkimPublicKey();
  it("matches the planned key whatever the whitespace, and reports its size", () => {
    expect(compareDkimRecord(`v=DKIM1; k=rsa; p=${key.slice(0, 100)} ${key.slice(100)}`, key)).toEqual({
      status: "match",
      bits: 2048,
    });
  });
  it("spots a key cut after the first string", () => {
    const published = `v=DKIM1; k=rsa; p=${key}`.slice(0, 255);
    expect(compareDkimRecord(published, key)).toMatchObject({
      status: "truncated",
      publishedLength: 255 - "v=DKIM1; k=rsa; p=".length,
      plannedLength: key.length,
    });
  });
  it("tells a different valid key from garbage, and revoked from missing", () => {
    expect(compareDkimRecord(`v=DKIM1; p=${makeDkimPublicKey()}`, key)).toEqual({
      status: "different",
      reason: "a different 2048-bit key is published",
    });
    expect(compareDkimRecord("v=DKIM1; p=AAAA", key)).toMatchObject({
      status: "different",
      reason: expect.stringContaining("not a valid public key"),
    });
    expect(compareDkimRecord("v=DKIM1; p=", key)).toMatchObject({
      status: "invalid",
      reason: expect.stringContaining("revoked"),
    });
    expect(compareDkimRecord("v=DKIM1; k=rsa", key)).toMatchObject({ status: "invalid", reason: "no p= tag" });
    expect(compareDkimRecord(`v=DKIM2; p=${key}`, key)).toMatchObject({ status: "invalid" });
  });
});
