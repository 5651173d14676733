/**
 * For tests of subgraphs: a stand-in for the gateway's signing side (its key, the trust options a subgraph is given,
 * the headers of a genuine call) and every credential an attacker could present instead, each of which a subgraph
 * must refuse with 401.
 */
import { SignJWT, UnsecuredJWT } from "jose";
import { assertionType, createCallerAssertionSigner, type CallerAssertionSigner } from "./callerAssertion.ts";
import { generateGatewaySigningKey } from "./gatewayKeys.ts";
import type { ForwardedCaller, SubgraphTrustOptions } from "./gatewayTrust.ts";

export interface TestGateway {
  readonly signer: CallerAssertionSigner;
  /** What a subgraph is given to trust this gateway (its JWKS, no HTTP). */
  readonly trust: SubgraphTrustOptions;
  /** The headers of a genuine call to `audience` naming `caller`. */
  headers(audience: string, caller: ForwardedCaller | undefined): Promise<Record<string, string>>;
  /** Named credentials that must all be refused by the subgraph `audience`. */
  forgeries(audience: string, caller: ForwardedCaller): Promise<Readonly<Record<string, Record<string, string>>>>;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export function createTestGateway(): TestGateway {
  const key = generateGatewaySigningKey();
  const signer = createCallerAssertionSigner({ key });
  return {
    signer,
    trust: { jwks: signer.jwks },
    headers: async (audience, caller) => bearer(await signer.sign(audience, caller)),
    async forgeries(audience, caller) {
      const claims = { sub: caller.id, kind: caller.kind, roles: [...caller.roles], jti: crypto.randomUUID() };
      const unsecured = new UnsecuredJWT(claims).setIssuer(signer.issuer).setAudience(audience).setIssuedAt().setExpirationTime("1m").encode();
      const hs256 = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", kid: signer.jwks.keys[0]?.kid ?? "", typ: assertionType })
        .setIssuer(signer.issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime("1m")
        .sign(new TextEncoder().encode(JSON.stringify(signer.jwks)));
      const stranger = createCallerAssertionSigner({ key: generateGatewaySigningKey() });
      const past = createCallerAssertionSigner({ key: generateGatewaySigningKey(), now: () => Date.now() - 120_000 });
      const pastSameKey = createCallerAssertionSigner({ key, now: () => Date.now() - 120_000 });
      const otherIssuer = createCallerAssertionSigner({ key, issuer: "not-the-gateway" });
      return {
        "no credential": {},
        "the old shared bearer with caller headers": {
          ...bearer("dev-subgraph-token"),
          "x-ndx-caller-kind": caller.kind,
          "x-ndx-caller-id": caller.id,
          "x-ndx-caller-roles": caller.roles.join(","),
        },
        "an assertion signed by another key": bearer(await stranger.sign(audience, caller)),
        "an assertion for another subgraph": bearer(await signer.sign(audience === "dmt" ? "registry" : "dmt", caller)),
        "an expired assertion": bearer(await pastSameKey.sign(audience, caller)),
        "an expired assertion by another key": bearer(await past.sign(audience, caller)),
        "an assertion from another issuer": bearer(await otherIssuer.sign(audience, caller)),
        "alg none": bearer(unsecured),
        "HS256 keyed with the public JWKS": bearer(hs256),
      };
    },
  };
}

