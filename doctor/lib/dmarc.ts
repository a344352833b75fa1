import { parseTagList } from "./tags";

/** Verdict on one DMARC record's syntax and policy (RFC 7489). */
export interface DmarcVerdict {
  status: "pass" | "warn" | "fail";
  detail: string;
  fix?: string;
}

const POLICIES = ["none", "quarantine", "reject"];

export function findDmarcRecords(txtValues: string[]): string[] {
  return txtValues.filter((value) => /^v\s*=\s*DMARC1\s*(;|$)/i.test(value.trim()));
}

export function assessDmarc(record: string, domain: string): DmarcVerdict {
  if (!/^v=DMARC1\s*(;|$)/.test(record.trim())) {
    return {
      status: "fail",
      detail: `must start with "v=DMARC1;": ${record}`,
      fix: `Publish "v=DMARC1; p=quarantine" at _dmarc.${domain}.`,
    };
  }
  const tags = parseTagList(record);
  const policy = tags.get("p");
  if (policy === undefined || !POLICIES.includes(policy.toLowerCase())) {
    return {
      status: "fail",
      detail: policy === undefined ? "no p= policy tag" : `unknown policy p=${policy}`,
      fix: `Set p=quarantine or p=reject in the DMARC record at _dmarc.${domain}.`,
    };
  }
  const problems: string[] = [];
  const sp = tags.get("sp");
  if (sp !== undefined && !POLICIES.includes(sp.toLowerCase())) problems.push(`unknown sp=${sp}`);
  for (const alignment of ["adkim", "aspf"]) {
    const value = tags.get(alignment);
    if (value !== undefined && !["r", "s"].includes(value.toLowerCase()))
      problems.push(`${alignment}=${value} (must be r or s)`);
  }
  const pct = tags.get("pct");
  if (pct !== undefined && !(/^\d+$/.test(pct) && Number(pct) <= 100)) problems.push(`pct=${pct} (must be 0-100)`);
  for (const report of ["rua", "ruf"]) {
    const value = tags.get(report);
    if (value === undefined) continue;
    const bad = value
      .split(",")
      .map((uri) => uri.trim())
      .filter((uri) => !/^mailto:[^@\s]+@[^@\s]+$/i.test(uri.replace(/!\d+[kmgt]?$/i, "")));
    if (bad.length) problems.push(`${report} must be mailto: addresses (${bad.join(", ")})`);
  }
  if (problems.length)
    return { status: "fail", detail: problems.join("; "), fix: `Correct the DMARC record at _dmarc.${domain}.` };
  if (policy.toLowerCase() === "none") {
    return {
      status: "warn",
      detail: `p=none: receivers only report, they do not act on spoofed mail`,
      fix: `Once reports look clean, raise the policy to p=quarantine (then p=reject) at _dmarc.${domain}.`,
    };
  }
  return {
    status: "pass",
    detail: `p=${policy.toLowerCase()}${tags.has("rua") ? `, reports to ${tags.get("rua")}` : ""}`,
  };
}
