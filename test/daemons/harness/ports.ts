import { createServer, Socket } from "node:net";

/** Distinct free TCP ports on 127.0.0.1, chosen by the kernel (listen on 0, read, close). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import("node:net").Server>((resolve, reject) => {
          const s = createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    sock.setTimeout(500);
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
    sock.once("timeout", () => {
      sock.destroy();
      resolve(false);
    });
    sock.connect(port, "127.0.0.1");
  });
}

/** Resolves once every port accepts a connection; `describe` explains a timeout (e.g. the tail of a log). */
export async function waitForPorts(ports: number[], timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    while (!(await canConnect(port))) {
      if (Date.now() > deadline)
        throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms\n${describe()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
