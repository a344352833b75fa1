/**
 * The DNS an ACME client sees in the tests, on one loopback address, port 53 (what /etc/resolv.conf and a
 * zone's NS records imply): the resolver it is pointed at and the zone's authoritative server at once. It
 * answers SOA and NS for the zone (lego finds the zone and its nameservers this way), A for the nameserver
 * and for the API hosts given (so `api.cloudflare.com` reaches the loopback stand-in), and passes TXT
 * questions to pebble-challtestsrv, where the Cloudflare stand-in put the challenge records — the same data
 * the ACME server validates against.
 */
import { createSocket, Socket } from "node:dgram";
import dnsPacket from "dns-packet";

export interface ZoneDns {
  close(): Promise<void>;
  /** Questions asked, as `TYPE name`. */
  questions: string[];
}

export async function startZoneDns(opts: {
  address: string;
  zone: string;
  /** Extra A records, e.g. `api.cloudflare.com` → the address of the API stand-in. */
  hosts: Record<string, string>;
  /** pebble-challtestsrv's DNS port on 127.0.0.1. */
  challtestsrvPort: number;
}): Promise<ZoneDns> {
  const zone = opts.zone.toLowerCase();
  const ns = `ns1.${zone}`;
  const hosts: Record<string, string> = { [ns]: opts.address, ...opts.hosts };
  const questions: string[] = [];
  const soa = {
    name: zone,
    type: "SOA" as const,
    ttl: 60,
    data: { mname: ns, rname: `hostmaster.${zone}`, serial: 1, refresh: 60, retry: 60, expire: 600, minimum: 60 },
  };

  const socket: Socket = createSocket("udp4");
  const forward = (msg: Buffer): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const client = createSocket("udp4");
      const timer = setTimeout(() => {
        client.close();
        reject(new Error("challtestsrv did not answer"));
      }, 2000);
      client.once("message", (answer) => {
        clearTimeout(timer);
        client.close();
        resolve(answer);
      });
      client.send(msg, opts.challtestsrvPort, "127.0.0.1");
    });

  socket.on("message", (msg, rinfo) => {
    void (async () => {
      const query = dnsPacket.decode(msg);
      const q = query.questions?.[0];
      if (!q) return;
      const name = q.name.toLowerCase().replace(/\.$/, "");
      questions.push(`${q.type} ${name}`);
      const inZone = name === zone || name.endsWith(`.${zone}`);
      if (q.type === "TXT" && inZone) {
        socket.send(await forward(msg), rinfo.port, rinfo.address);
        return;
      }
      const reply = (
        answers: dnsPacket.Answer[],
        rcode: "NOERROR" | "NXDOMAIN",
        authorities: dnsPacket.Answer[] = [],
      ) =>
        socket.send(
          dnsPacket.encode({
            id: query.id,
            type: "response",
            flags:
              dnsPacket.AUTHORITATIVE_ANSWER |
              dnsPacket.RECURSION_DESIRED |
              dnsPacket.RECURSION_AVAILABLE |
              rcodeFlag(rcode),
            questions: query.questions,
            answers,
            authorities,
          }),
          rinfo.port,
          rinfo.address,
        );
      if (name === zone && q.type === "SOA") return reply([soa], "NOERROR");
      if (name === zone && q.type === "NS") return reply([{ name: zone, type: "NS", ttl: 60, data: ns }], "NOERROR");
      if (hosts[name] && q.type === "A") return reply([{ name, type: "A", ttl: 60, data: hosts[name] }], "NOERROR");
      if (hosts[name] || inZone) return reply([], "NOERROR", inZone ? [soa] : []);
      return reply([], "NXDOMAIN");
    })().catch(() => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(53, opts.address, () => resolve());
  });
  return { questions, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

/** dns-packet takes the RCODE in the low four bits of the flags. */
function rcodeFlag(rcode: "NOERROR" | "NXDOMAIN"): number {
  return rcode === "NXDOMAIN" ? 3 : 0;
}
