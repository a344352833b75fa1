/**
 * Shared helpers for the client-setup tests: a strict XML parser (xmldom, stopping at the first warning), the
 * text of a document's elements, and the Worker as Cloudflare would run it — the rendered module written to a
 * file and imported, so the tests run exactly the bytes `pulumi up` uploads.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DOMParser, onWarningStopParsing } from "@xmldom/xmldom";
import { ClientSetupConfig } from "../../lib/config-types";
import { WorkerSite } from "../../lib/well-known/plan";
import { renderWorkerModule } from "../../lib/well-known/worker";

/** Parses XML, throwing at anything the parser so much as warns about. */
export function parseXml(text: string) {
  return new DOMParser({ onError: onWarningStopParsing }).parseFromString(text, "application/xml");
}

type Node = ReturnType<typeof parseXml>["documentElement"];

/** The direct children of `parent` named `name`. */
export const children = (parent: Node, name: string): Node[] =>
  Array.from(parent!.childNodes).filter((n) => n.nodeType === 1 && (n as Node)!.localName === name) as Node[];

/** The text of the one direct child `name` of `parent`. */
export function childText(parent: Node, name: string): string {
  const found = children(parent, name);
  if (found.length !== 1) throw new Error(`expected one <${name}> in <${parent!.localName}>, found ${found.length}`);
  return found[0]!.textContent ?? "";
}

/** A whole client setup, every part on, served by the Worker. */
export const FULL_SETUP: ClientSetupConfig = {
  worker: { accountId: "0123456789abcdef0123456789abcdef" },
  mtaSts: { mode: "testing", maxAge: 604800 },
  tlsRpt: { rua: ["mailto:postmaster@example.com"] },
  autoconfig: true,
  autodiscover: true,
  apex: true,
  srv: true,
};

export interface LoadedWorker {
  fetch(request: Request): Promise<Response>;
  /** The script text, as uploaded. */
  source: string;
}

/** Imports rendered Worker modules from a temporary directory; `close` removes it. */
export function workerLoader() {
  const dir = mkdtempSync(join(tmpdir(), "mailstack-worker-"));
  let n = 0;
  return {
    load(site: WorkerSite): Promise<LoadedWorker> {
      return this.loadSource(renderWorkerModule(site));
    },
    /** A script as uploaded (the WorkersScript's `content`). */
    async loadSource(source: string): Promise<LoadedWorker> {
      const file = join(dir, `worker-${n++}.mjs`);
      writeFileSync(file, source);
      const module = (await import(pathToFileURL(file).href)) as { default: { fetch(r: Request): Promise<Response> } };
      return { fetch: (request) => module.default.fetch(request), source };
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
