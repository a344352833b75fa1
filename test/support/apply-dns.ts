/**
 * Applies a run's Cloudflare records to a fake Cloudflare the way the Cloudflare provider would
 * (terraform-provider-cloudflare v5 internal/services/dns_record/resource.go): a new record is POSTed; one with
 * the `import` option is read (GET) and then updated to the planned inputs (PUT) — the engine's import-then-
 * update (pulumi/pulumi #19339). Returns Cloudflare's error for each record it refused.
 */
import type { FakeCloudflare } from "../fakes/cloudflare-api";
import type { ProgramRun } from "./run-program";

export async function applyDnsRecords(fake: FakeCloudflare, run: ProgramRun, token = "cf-test-token") {
  const errors: string[] = [];
  for (const r of run.resources.filter((x) => x.type === "cloudflare:index/dnsRecord:DnsRecord")) {
    const { zoneId, ...body } = r.inputs;
    const call = async (method: string, path: string, payload?: object) => {
      const res = await fetch(`${fake.url}zones/${zoneId}/${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: payload && JSON.stringify(payload),
      });
      const json = (await res.json()) as { success: boolean; errors: { code: number; message: string }[] };
      if (!json.success)
        errors.push(`${r.inputs.type} ${r.inputs.name}: ${json.errors[0].code} ${json.errors[0].message}`);
      return json.success;
    };
    if (r.importId) {
      const [zone, id] = r.importId.split("/");
      if (zone !== zoneId) errors.push(`${r.name}: import ID ${r.importId} is not in zone ${zoneId}`);
      else if (await call("GET", `dns_records/${id}`)) await call("PUT", `dns_records/${id}`, body);
    } else {
      await call("POST", "dns_records", body);
    }
  }
  return errors;
}
