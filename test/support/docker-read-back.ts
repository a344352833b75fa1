/**
 * What terraform-provider-docker v4.5.0 (the provider @pulumi/docker 5.x bridges) stores after it reads a
 * `docker_container` back from the engine. Its create ends with `resourceDockerContainerRead`, so this is the
 * state every later `pulumi up` diffs our inputs against: an input whose read-back form differs from what we
 * wrote shows a diff on every run, and a ForceNew field (or one under `replaceOnChanges`) replaces the mail
 * container each time.
 *
 * Sources (git -C /work/.mirror/kreuzwerker+terraform-provider-docker/repo show v4.5.0:<path>):
 * - internal/provider/resource_docker_container_funcs.go, resourceDockerContainerRead: what is set from
 *   `ContainerInspect`, and what is left as configured ("We decided not to set the environment variables and
 *   labels", "// volumes", "upload can't be imported", networks_advanced only when empty);
 * - internal/provider/resource_docker_container_structures.go, flattenContainerPorts: ports sorted by internal
 *   port, one entry per host binding, `ip` = the binding's HostIP;
 * - internal/provider/resource_docker_container.go: the schema defaults (healthcheck durations "0s", port ip
 *   "0.0.0.0", protocol "tcp", restart "no", network_mode "bridge").
 * Moby keeps `HostConfig.CapAdd/CapDrop`, `RestartPolicy`, `Hostname`, `Healthcheck.Test` as sent
 * (daemon/container.go validateCapabilities only validates), so those read back verbatim.
 */

// --- Go's time.Duration: ParseDuration and String (src/time/format.go, src/time/time.go) --------------------

const NS = 1n;
const UNITS: Record<string, bigint> = {
  ns: NS,
  us: 1000n,
  µs: 1000n, // U+00B5
  μs: 1000n, // U+03BC
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go's `time.ParseDuration`, in nanoseconds; throws where Go returns an error. */
export function parseGoDuration(input: string): bigint {
  let s = input;
  let neg = false;
  if (s[0] === "-" || s[0] === "+") {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw new Error(`time: invalid duration ${JSON.stringify(input)}`);
  let total = 0n;
  while (s !== "") {
    const m = /^(\d*)(?:\.(\d*))?([^\d.]+)/.exec(s);
    if (!m || (m[1] === "" && (m[2] ?? "") === "")) throw new Error(`time: invalid duration ${JSON.stringify(input)}`);
    const unit = UNITS[m[3]];
    if (unit === undefined) throw new Error(`time: unknown unit ${JSON.stringify(m[3])} in duration ${input}`);
    let v = BigInt(m[1] || "0") * unit;
    const frac = m[2] ?? "";
    // Go adds the fraction as float64(f) * (float64(unit) / scale), truncated.
    if (frac !== "") v += BigInt(Math.trunc(Number(frac) * (Number(unit) / 10 ** frac.length)));
    total += v;
    s = s.slice(m[0].length);
  }
  return neg ? -total : total;
}

/** Go's `time.Duration.String()` for a duration in nanoseconds: "1m30s", "1h0m0s", "1.5s", "100ms", "0s". */
export function goDurationString(d: bigint): string {
  const neg = d < 0n;
  let u = neg ? -d : d;
  const sign = neg ? "-" : "";
  // fmtFrac: the fraction of v/10**prec without trailing zeros, and without the point when it is zero.
  const frac = (v: bigint, prec: number): [string, bigint] => {
    const scale = 10n ** BigInt(prec);
    const digits = (v % scale).toString().padStart(prec, "0").replace(/0+$/, "");
    return [digits ? `.${digits}` : "", v / scale];
  };
  if (u < UNITS.s) {
    if (u === 0n) return "0s";
    const [unit, prec] = u < UNITS.us ? ["ns", 0] : u < UNITS.ms ? ["µs", 3] : ["ms", 6];
    const [f, whole] = frac(u, prec);
    return `${sign}${whole}${f}${unit}`;
  }
  const [f, secs] = frac(u, 9);
  u = secs;
  let out = `${u % 60n}${f}s`;
  u /= 60n;
  if (u > 0n) {
    out = `${u % 60n}m${out}`;
    u /= 60n;
    if (u > 0n) out = `${u}h${out}`;
  }
  return sign + out;
}

/** The form Docker hands back for a duration we send: `ParseDuration` on the way in, `String()` on the way out. */
export const durationReadBack = (d: string | undefined) => goDurationString(parseGoDuration(d ?? "0s"));

// --- docker_container read --------------------------------------------------------------------------------

type Inputs = Record<string, any>;

/** Inputs the read leaves as configured (not read at all, or only when empty in state). */
const KEPT_AS_CONFIGURED = [
  "envs",
  "labels",
  "volumes",
  "uploads",
  "networksAdvanced",
  "destroyGraceSeconds",
  "mustRun",
  "start",
  "wait",
  "waitTimeout",
  "rm",
  "attach",
  "logs",
  "removeVolumes",
  "containerReadRefreshTimeoutMilliseconds",
];

/** Inputs read back exactly as Docker stores them, which is as sent. */
const READ_VERBATIM = [
  "name",
  "image",
  "hostname",
  "domainname",
  "restart",
  "maxRetryCount",
  "stopTimeout",
  "stopSignal",
  "networkMode",
  "logDriver",
  "logOpts",
  "dns",
  "dnsOpts",
  "dnsSearch",
  "sysctls",
  "tmpfs",
  "privileged",
  "init",
  "user",
  "workingDir",
  // Config.Entrypoint and Config.Cmd ("entrypoint", "command": TypeList, Optional+Computed, ForceNew).
  "entrypoints",
  "command",
];

/** The schema's defaults for a port, as the provider fills them in before create. */
const withPortDefaults = (p: Inputs): Inputs => ({ ip: "0.0.0.0", protocol: "tcp", ...p });

/**
 * The read-back form of each container input we set. Throws on an input this model has not been checked
 * against the provider's read: add it here (with the line of resource_docker_container_funcs.go that reads it)
 * before the program starts setting it.
 */
export function containerReadBack(inputs: Inputs): Inputs {
  const out: Inputs = {};
  for (const [key, value] of Object.entries(inputs)) {
    if (value === undefined) continue;
    if (KEPT_AS_CONFIGURED.includes(key) || READ_VERBATIM.includes(key)) {
      out[key] = value;
    } else if (key === "healthcheck") {
      // "interval": Healthcheck.Interval.String(), … — Go's Duration.String(), no diff suppression.
      out[key] = {
        ...value,
        interval: durationReadBack(value.interval),
        timeout: durationReadBack(value.timeout),
        startPeriod: durationReadBack(value.startPeriod),
        startInterval: durationReadBack(value.startInterval),
      };
    } else if (key === "ports") {
      // flattenContainerPorts: "port/protocol" keys sorted by port number alone (sort.Sort, not stable), then
      // each key's host bindings in the order they were sent.
      const ports = (value as Inputs[]).map(withPortDefaults);
      for (const p of ports) {
        if (ports.some((q) => q.internal === p.internal && q.protocol !== p.protocol))
          throw new Error(`ports: ${p.internal}/tcp and ${p.internal}/udp read back in an unspecified order`);
      }
      out[key] = [...ports].sort((a, b) => a.internal - b.internal); // Array.prototype.sort is stable
    } else if (key === "capabilities") {
      // Set as {add: CapAdd, drop: CapDrop}, both sets (order-free), only when either is non-empty.
      const sorted = (xs?: string[]) => [...(xs ?? [])].sort();
      out[key] = { adds: sorted(value.adds), drops: sorted(value.drops) };
    } else {
      throw new Error(
        `container input "${key}" is not modelled: read resourceDockerContainerRead (terraform-provider-docker v4.5.0) for how it is read back, then add it to test/support/docker-read-back.ts`,
      );
    }
  }
  return out;
}

/** The inputs in the form the model compares (sets as sorted lists, defaults filled in). */
export function containerAsWritten(inputs: Inputs): Inputs {
  const out: Inputs = { ...inputs };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  if (out.ports) out.ports = (out.ports as Inputs[]).map(withPortDefaults);
  if (out.capabilities) {
    out.capabilities = {
      adds: [...(out.capabilities.adds ?? [])].sort(),
      drops: [...(out.capabilities.drops ?? [])].sort(),
    };
  }
  if (out.healthcheck) out.healthcheck = { startInterval: "0s", ...out.healthcheck };
  return out;
}
