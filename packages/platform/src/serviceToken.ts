/**
 * The service credential of an endpoint beside GraphQL (the audit API, the register, the events feed …):
 * `Authorization: Bearer <token>`, compared in constant time (both sides hashed first, so their lengths match).
 * A refusal is `bearerRequired` (endpointErrors.ts).
 */
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (value: string): Buffer => createHash("sha256").update(value).digest();

/** Whether a request holds `token` as its bearer token. */
export function serviceTokenCheck(token: string): (request: Request) => boolean {
  const expected = digest(token);
  return (request) => {
    const given = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    return given !== undefined && timingSafeEqual(digest(given), expected);
  };
}
