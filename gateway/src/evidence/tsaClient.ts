/** Asks an RFC 3161 time-stamping authority over HTTP for a token over a digest, and checks it answers that request. */
import { readTimeStampReply, timeStampRequest, type TokenInfo } from "./timeStampToken.ts";

export interface TimeStamper {
  /** A token over `digest` (SHA-256); rejects with a short reason (never the TSA's body). */
  stamp(digest: ArrayBuffer): Promise<{ token: Uint8Array<ArrayBuffer>; info: TokenInfo }>;
}

export interface TsaClientOptions {
  /** The TSA's URL (POST application/timestamp-query). */
  readonly url: string;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

export function createTsaClient(options: TsaClientOptions): TimeStamper {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async stamp(digest) {
      const nonce = crypto.getRandomValues(new Uint8Array(8));
      nonce[0] = (nonce[0] ?? 0) & 0x7f;
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: "POST",
          headers: { "content-type": "application/timestamp-query", accept: "application/timestamp-reply" },
          body: timeStampRequest(digest, nonce),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const timedOut = (error as { name?: unknown }).name === "TimeoutError";
        throw new Error(timedOut ? `the TSA did not answer within ${timeoutMs} ms` : "the TSA cannot be reached", { cause: error });
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`the TSA answered HTTP ${response.status}`);
      }
      const reply = readTimeStampReply(new Uint8Array(await response.arrayBuffer()));
      if (Buffer.compare(Buffer.from(reply.info.imprint), Buffer.from(digest)) !== 0) throw new Error("the TSA stamped other data");
      // An INTEGER's encoding drops leading zero bytes: compare without them.
      const bare = (h: string | undefined) => h?.replace(/^(00)+(?=.)/, "");
      if (bare(reply.info.nonce) !== bare(Buffer.from(nonce).toString("hex"))) throw new Error("the TSA's answer carries another nonce");
      return reply;
    },
  };
}
