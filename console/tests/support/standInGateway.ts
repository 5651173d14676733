/**
 * A stand-in of the gateway for the console's page tests, on real HTTP: GraphQL over the exchange subgraph's own SDL
 * (schema/subgraphs/exchange.graphql, so every operation the console sends is parsed and validated against it) with
 * resolvers over a little in-memory exchange, and GET /audit/summary with a fixed answer. It records what it was
 * sent, and verifies every bearer token as the gateway does (the identity provider's keys, issuer, audience): it
 * records who called, and refuses any other token. The real gateway and exchange are in the browser test.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { GraphQLError } from "graphql";
import { createSchema, createYoga } from "graphql-yoga";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { listen, repoRoot, type Listening } from "@ndx/platform";

export interface Call {
  readonly operationName: string | undefined;
  readonly variables: Record<string, unknown>;
  /** The verified token's claims. */
  readonly caller: { readonly sub: string; readonly kind: unknown; readonly roles: unknown; readonly clientId: unknown };
}

export interface StandInGateway {
  readonly url: string;
  readonly calls: Call[];
  /** Turns it off (every request 503) or on again. */
  down: boolean;
  /** Secrets it handed out, in order. */
  readonly secrets: string[];
  readonly summary: unknown;
  close(): Promise<void>;
}

const sdl = readFileSync(resolve(repoRoot, "schema/subgraphs/exchange.graphql"), "utf8")
  // The federation @link block is the composer's; the type definitions are what matter here.
  .replace(/extend schema[\s\S]*?\n\n/, "");

const ndx = (code: string, message: string, extra: Record<string, unknown> = {}) => new GraphQLError(message, { extensions: { code, ...extra } });

export const standInSummary = {
  days: 3,
  dates: ["2026-12-04", "2026-12-05", "2026-12-06"],
  requests: [
    { application: "passport-app", counts: [4, 7, 2] },
    { application: "benefits-app", counts: [0, 3, 1] },
  ],
  decisions: { permit: [3, 8, 2], consent_required: [1, 1, 0], forbidden: [0, 1, 1], unauthenticated: [0, 0, 2], bad_request: [0, 0, 0], unavailable: [0, 0, 0] },
  consent: { available: true, answers: { granted: [1, 2, 0], denied: [0, 1, 0], revoked: [0, 0, 1], expired: [0, 0, 0] } },
  generatedAt: "2026-12-06T10:30:00.000Z",
};

export async function startStandInGateway(auth: { issuer: string; audience: string }): Promise<StandInGateway> {
  const calls: Call[] = [];
  const keys = createRemoteJWKSet(new URL(`${auth.issuer}/jwks`));
  const callers = new WeakMap<Request, Call["caller"]>();
  const secrets: string[] = [];
  const members = [
    { code: "DIE", name: "Department of Immigration and Emigration", contactEmail: "exchange@die.example", providers: [], people: [{ username: "immigration.admin", role: "MEMBER_ADMIN" }], createdAt: "2026-12-01T08:00:00.000Z" },
  ];
  const purposes = [{ code: "passport-application", text: "To process your passport application", legalBasis: "Passports Act", maxConsentDays: 30, maxGrantDays: 365, translations: [] }];
  const applications: Record<string, unknown>[] = [];
  const member = (code: string) => ({ ...members.find((m) => m.code === code), applications: applications.filter((a) => (a["member"] as { code: string }).code === code) });
  const credentials = (application: Record<string, unknown>) => {
    const secret = `secret-${secrets.length + 1}-Zq8xY2w`;
    secrets.push(secret);
    return { application, clientId: application["id"], clientSecret: secret, tokenEndpoint: "http://localhost:9000/token" };
  };

  const schema = createSchema({
    typeDefs: sdl,
    resolvers: {
      Query: {
        members: () => members.map((m) => member(m.code)),
        member: (_: unknown, { code }: { code: string }) => (members.some((m) => m.code === code) ? member(code) : null),
        applications: () => applications,
        application: (_: unknown, { id }: { id: string }) => applications.find((a) => a["id"] === id) ?? null,
        exchangeFields: () => [
          { provider: "drp", coordinate: "Person.permanentAddress", dataClass: "PERSONAL", description: "Where the person lives" },
          { provider: "dmt", coordinate: "Person.vehicles", dataClass: "PERSONAL", description: null },
        ],
        grantRequests: () => [],
        grants: () => [],
      },
      Mutation: {
        registerMember: (_: unknown, { input }: { input: { code: string; name: string; contactEmail: string; providers: string[]; people: { username: string; role: string }[] } }) => {
          if (input.code.includes("<")) throw ndx("BAD_USER_INPUT", `The code "${input.code}" is not upper-case letters, digits and hyphens`);
          if (members.some((m) => m.code === input.code)) throw ndx("CONFLICT", `A member with code ${input.code} exists already`);
          members.push({ ...input, providers: [], createdAt: new Date().toISOString() });
          return member(input.code);
        },
        registerApplication: (_: unknown, { input }: { input: { member: string; name: string; description: string; redirectUris: string[]; language?: string; nameTranslations?: unknown[] } }) => {
          if (input.redirectUris.some((u) => u.includes("#"))) {
            const i = input.redirectUris.findIndex((u) => u.includes("#"));
            throw ndx("BAD_USER_INPUT", `redirectUris[${i}] has a fragment, which a redirect URI may not have`, { field: `redirectUris[${i}]` });
          }
          const application = {
            ...input,
            language: input.language ?? "en",
            nameTranslations: input.nameTranslations ?? [],
            id: `app-${applications.length + 1}`,
            member: { code: input.member, name: members.find((m) => m.code === input.member)?.name ?? input.member },
            purposes,
            authMethod: "CLIENT_SECRET_BASIC",
            clientRegistration: "DYNAMIC",
            status: "ACTIVE",
            suspendedReason: null,
            grants: [],
            createdAt: new Date().toISOString(),
            secretIssuedAt: new Date().toISOString(),
          };
          applications.push(application);
          return credentials(application);
        },
        setApplicationTranslations: (_: unknown, { id, nameTranslations }: { id: string; nameTranslations?: unknown[] | null }) => {
          const application = applications.find((a) => a["id"] === id);
          if (application === undefined) throw ndx("NOT_FOUND", `There is no application ${id}`);
          if (nameTranslations !== null && nameTranslations !== undefined) application["nameTranslations"] = nameTranslations;
          return application;
        },
        rotateApplicationSecret: (_: unknown, { id }: { id: string }) => credentials(applications.find((a) => a["id"] === id) ?? {}),
        suspendApplication: () => {
          throw ndx("FORBIDDEN", "Access denied by policy: suspendApplication is for exchange administrators", { reasons: ["suspendApplication is for exchange administrators"] });
        },
      },
    },
  });
  const yoga = createYoga({
    schema,
    maskedErrors: false,
    plugins: [
      {
        async onRequest({ request, url, endResponse }: { request: Request; url: URL; endResponse: (r: Response) => void }) {
          const bearer = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
          try {
            const { payload } = await jwtVerify(bearer, keys, { issuer: auth.issuer, audience: auth.audience });
            callers.set(request, { sub: payload.sub ?? "", kind: payload["kind"], roles: payload["roles"], clientId: payload["client_id"] });
          } catch {
            endResponse(Response.json({ errors: [{ message: "the token is not a valid access token", extensions: { code: "UNAUTHENTICATED" } }] }, { status: 401 }));
            return;
          }
          if (url.pathname !== "/audit/summary") return;
          const roles = callers.get(request)?.roles;
          endResponse(
            Array.isArray(roles) && roles.includes("exchange_admin")
              ? Response.json(standInSummary)
              : Response.json({ error: { code: "FORBIDDEN", message: "the audit summary is for exchange administrators (role exchange_admin)" } }, { status: 403 }),
          );
        },
        onParams({ params, request }: { params: { query?: string; operationName?: string | null; variables?: Record<string, unknown> | null }; request: Request }) {
          const operationName = params.operationName ?? /(?:query|mutation)\s+(\w+)/.exec(params.query ?? "")?.[1];
          const caller = callers.get(request) ?? { sub: "", kind: undefined, roles: undefined, clientId: undefined };
          calls.push({ operationName, variables: params.variables ?? {}, caller });
        },
      },
    ],
  });
  const state = { down: false };
  const http: Listening = await listen((req, res) => {
    if (state.down) return void res.writeHead(503).end();
    if (req.url === "/health") return void res.writeHead(200, { "content-type": "application/json" }).end("{}");
    void yoga(req, res);
  }, 0);
  return Object.assign(state, { url: http.url, calls, secrets, summary: standInSummary, close: () => http.close() });
}
