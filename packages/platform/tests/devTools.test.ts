/**
 * The development helpers against real sockets and a stand-in OpenID Provider on real HTTP (the real one, the
 * identity-provider workspace, sits above this package; the gateway's system tests get their tokens through it).
 */
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { clientCredentialsToken, freePort, partEnvironment } from "../src/devTools.ts";
import { listen, type Listening } from "../src/index.ts";

const open: Listening[] = [];
afterEach(async () => {
  for (const l of open.splice(0)) await l.close();
});

describe("freePort", () => {
  it("names a port that can be bound at once", async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});

describe("clientCredentialsToken", () => {
  async function provider() {
    const seen: { authorization?: string | undefined; body?: string }[] = [];
    const op = await listen((req, res) => {
      if (req.url === "/realm/.well-known/openid-configuration") {
        return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token_endpoint: `${op.url}/realm/token` }));
      }
      if (req.url !== "/realm/token") return void res.writeHead(404).end();
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen.push({ authorization: req.headers.authorization, body });
        const ok = req.headers.authorization === `Basic ${Buffer.from("app%20one:s%3Acret").toString("base64")}`;
        res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
        res.end(JSON.stringify(ok ? { access_token: "tok", expires_in: 600, token_type: "Bearer" } : { error: "invalid_client", error_description: "no such client" }));
      });
    }, 0);
    open.push(op);
    return { issuer: `${op.url}/realm/`, seen };
  }

  it("finds the token endpoint by discovery and authenticates the client with form-encoded Basic credentials", async () => {
    const { issuer, seen } = await provider();
    const token = await clientCredentialsToken({ issuer, clientId: "app one", clientSecret: "s:cret", audience: "http://gw/graphql", scope: "" });
    expect(token).toEqual({ accessToken: "tok", expiresIn: 600 });
    expect(Object.fromEntries(new URLSearchParams(seen[0]?.body))).toEqual({ grant_type: "client_credentials", resource: "http://gw/graphql", scope: "" });
    await clientCredentialsToken({ issuer, clientId: "app one", clientSecret: "s:cret" });
    expect(Object.fromEntries(new URLSearchParams(seen[1]?.body))).toEqual({ grant_type: "client_credentials" });
  });

  it("says why there is no token", async () => {
    const { issuer } = await provider();
    await expect(clientCredentialsToken({ issuer, clientId: "app one", clientSecret: "wrong" })).rejects.toThrow("no token for app one: no such client");
    await expect(clientCredentialsToken({ issuer: `${issuer}elsewhere`, clientId: "a", clientSecret: "b" })).rejects.toThrow(/names no token endpoint \(HTTP 404\)/);
  });
});

describe("partEnvironment", () => {
  it("starts a part with the process defaults, and the operator's own value wins", () => {
    expect(partEnvironment({ PORT: "4000" })).toEqual({ PORT: "4000", MALLOC_TRIM_THRESHOLD_: "131072" });
    expect(partEnvironment({ MALLOC_TRIM_THRESHOLD_: "0" })["MALLOC_TRIM_THRESHOLD_"]).toBe("0");
  });
});
