/**
 * Service authentication of the API: `Authorization: Bearer <CONSENT_SERVICE_TOKEN>`. The gateway (and any other
 * NDX service that needs consent) holds the token; citizens and consumers never do.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { unauthenticated } from "./apiError.ts";

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

export function serviceAuthenticator(token: string): (request: Request) => void {
  const expected = digest(token);
  return (request) => {
    const header = request.headers.get("authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (m === null || m[1] === undefined) throw unauthenticated("A service bearer token is required");
    if (!timingSafeEqual(digest(m[1]), expected)) throw unauthenticated("The service token is not valid");
  };
}
