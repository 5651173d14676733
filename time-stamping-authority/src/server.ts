/**
 * The TSA over HTTP (RFC 3161 §3.4): `POST /` with `application/timestamp-query` answers
 * `application/timestamp-reply`; `GET /ca.pem` the CA certificate a verifier trusts; `GET /chain.pem` the TSA
 * certificate then the CA's; /health, /ready (the signing key signs) and /metrics.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { healthResponse, listen, type Logger, type ServiceMetrics } from "@ndx/platform";
import type { Authority } from "./authority.ts";
import { answerTimeStampRequest } from "./timeStamp.ts";
import { createTsaMetrics } from "./tsaMetrics.ts";

export interface TimeStampingAuthorityOptions {
  readonly authority: Authority;
  readonly logger: Logger;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** The registry GET /metrics serves. @default a registry of its own, labelled time-stamping-authority */
  readonly metrics?: ServiceMetrics;
  /** The largest request body accepted, in bytes (a TimeStampReq is ~100 bytes). @default 16384 */
  readonly maxRequestBytes?: number;
}

export interface RunningTimeStampingAuthority {
  readonly url: string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

export async function startTimeStampingAuthority(options: TimeStampingAuthorityOptions): Promise<RunningTimeStampingAuthority> {
  const { authority, logger } = options;
  const metrics = createTsaMetrics(options.metrics);
  const limit = options.maxRequestBytes ?? 16_384;
  const text = (res: ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8") => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" }).end(body);
  };
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://tsa");
    const health = await healthResponse(new Request(url, { method: req.method ?? "GET" }), {
      signing: async () => {
        await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, authority.signingKey, new Uint8Array(1));
      },
    });
    if (health !== undefined) return text(res, health.status, await health.text(), "application/json");
    if (req.method === "GET" && url.pathname === "/ca.pem") return text(res, 200, authority.caPem, "application/x-pem-file");
    if (req.method === "GET" && url.pathname === "/chain.pem") return text(res, 200, authority.chainPem, "application/x-pem-file");
    if (url.pathname !== "/") return text(res, 404, "not found\n");
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return text(res, 405, "POST an application/timestamp-query\n");
    }
    if ((req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() !== "application/timestamp-query") {
      return text(res, 415, "expected application/timestamp-query\n");
    }
    const body = await readBody(req, limit);
    if (body === undefined) return text(res, 413, "request too large\n");
    const answer = await answerTimeStampRequest(authority, body);
    metrics.answered(answer.outcome);
    if (answer.outcome !== "granted") logger.warn({ outcome: answer.outcome }, "time-stamp request rejected");
    res.writeHead(200, { "content-type": "application/timestamp-reply", "cache-control": "no-store" }).end(Buffer.from(answer.der));
  }
  const http = await listen(metrics.http.node((req, res) => void route(req, res).catch((error: unknown) => {
    logger.error({ err: error }, "time-stamp request failed");
    if (!res.headersSent) text(res, 500, "internal error\n");
    else res.end();
  })), options.port ?? 0, options.host ?? "127.0.0.1");
  return { url: http.url, close: () => http.close() };
}
