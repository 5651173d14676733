/**
 * Registering an application (its OAuth client made through the ClientRegistrar, then its row in one transaction; a
 * failed write removes the client again), rotating its secret, suspending and reinstating it.
 */
import { isNdxError, ndxError, type Logger } from "@ndx/platform";
import { badInput, conflict, isUniqueViolation, notFound } from "../errors.ts";
import { recordChange, type AuditEntry, type ChangeDeps } from "../history/changes.ts";
import { limits, text } from "../inputChecks.ts";
import { requireExchangeAdmin, requireMemberAdmin, type Scope } from "../members/scope.ts";
import type { ClientRegistrar, ClientRegistration } from "../clientRegistration.ts";
import type { SecretBox } from "../storage/secretBox.ts";
import { checkJwks, checkPurposes, checkRedirectUris, type PurposeInput } from "./applicationInput.ts";
import { applicationSnapshot, applicationStore, type Application, type AuthMethod } from "./applicationStore.ts";
import { createTranslationSetter } from "./applicationTranslations.ts";
import { checkLanguage, checkTranslations, type Translation } from "./translations.ts";
import { sees, visibleApplications } from "./visibility.ts";

export interface RegisterApplicationInput {
  readonly member: string;
  readonly name: string;
  readonly description: string;
  /** The BCP 47 tag of the language its name, description and purpose texts are in. @default "en" */
  readonly language?: string | null;
  /** The name in other languages. @default [] */
  readonly nameTranslations?: readonly Translation[] | null;
  readonly redirectUris: readonly string[];
  readonly purposes: readonly PurposeInput[];
  readonly authMethod?: AuthMethod | null;
  readonly jwks?: string | null;
}

export interface Credentials {
  readonly application: Application;
  readonly clientId: string;
  readonly clientSecret: string | null;
  readonly tokenEndpoint: string;
}

export interface ApplicationDeps extends ChangeDeps {
  readonly registrar: ClientRegistrar;
  readonly secrets: SecretBox;
  /** http redirect URIs to localhost are accepted only in development. */
  readonly development: boolean;
  readonly logger: Logger;
}

type Request = { readonly scope: Scope; readonly audit: AuditEntry[] };

/** The OAuth error code of a registrar's refusal (RFC 7591 section 3.2.2), when the identity provider gave one. */
const oauthError = (err: unknown): string | undefined =>
  typeof err === "object" && err !== null && "error" in err && typeof err.error === "string" ? err.error : undefined;

const upstream = (logger: Logger, err: unknown, what: string) => {
  if (isNdxError(err)) return err;
  logger.warn({ err }, `the identity provider failed to ${what}`);
  const refusal = oauthError(err);
  // The metadata was refused (e.g. keys it cannot use): the member's input, named by its code only.
  if (refusal === "invalid_client_metadata" || refusal === "invalid_redirect_uri") {
    return badInput(`The identity provider refused the client's metadata (${refusal}); nothing was changed`, { oauthError: refusal });
  }
  return ndxError("UPSTREAM_UNAVAILABLE", `The identity provider did not ${what}; nothing was changed`, { httpStatus: false });
};

export function createApplications(deps: ApplicationDeps) {
  const { db, registrar, secrets, logger } = deps;
  const seal = (client: Omit<ClientRegistration, "clientSecret">) =>
    secrets.seal(JSON.stringify({ token: client.registrationAccessToken, uri: client.registrationClientUri }), client.clientId);

  /** The application, if the caller may see it; NOT_FOUND otherwise (another member's id reads as no id at all). */
  async function visible(scope: Scope, id: string): Promise<Application> {
    const app = await applicationStore.get(db, id);
    if (app === undefined || !sees(await visibleApplications(db, scope), id)) throw notFound(`There is no application ${id}`, { application: id });
    return app;
  }

  async function register(request: Request, input: RegisterApplicationInput): Promise<Credentials> {
    requireMemberAdmin(request.scope, input.member, "register an application");
    const name = text(input.name, "name", limits.name);
    const description = text(input.description, "description", limits.description);
    const language = checkLanguage(input.language ?? "en", "language");
    const nameTranslations = checkTranslations(input.nameTranslations, "nameTranslations", limits.name, language);
    const redirectUris = checkRedirectUris(input.redirectUris, deps.development);
    const purposes = checkPurposes(input.purposes, language);
    const authMethod = input.authMethod ?? "CLIENT_SECRET_BASIC";
    if (authMethod === "CLIENT_SECRET_BASIC" && input.jwks !== null && input.jwks !== undefined) {
      throw badInput("jwks is for PRIVATE_KEY_JWT; a CLIENT_SECRET_BASIC application gets a secret", { field: "jwks" });
    }
    const jwks = authMethod === "PRIVATE_KEY_JWT" ? await checkJwks(input.jwks) : undefined;
    const taken = await applicationStore.takenPurposeCodes(db, purposes.map((p) => p.code));
    if (taken.length > 0) throw conflict(`Purpose codes already registered: ${taken.join(", ")}`, { purposes: taken });

    const client = await registrar
      .register({ name, authMethod: authMethod === "PRIVATE_KEY_JWT" ? "private_key_jwt" : "client_secret_basic", ...(jwks === undefined ? {} : { jwks }) })
      .catch((err: unknown) => {
        throw upstream(logger, err, "register the application's client");
      });
    try {
      const application = await recordChange(deps, request, "registerApplication", async (tx) => {
        await applicationStore.insert(tx, {
          id: client.clientId,
          member: input.member,
          name,
          description,
          language,
          nameTranslations,
          redirectUris,
          authMethod,
          clientRegistration: "DYNAMIC",
          registrationSealed: seal(client),
          purposes,
          secretIssued: authMethod === "CLIENT_SECRET_BASIC",
        });
        const after = await applicationSnapshot(tx, client.clientId);
        const app = await applicationStore.get(tx, client.clientId);
        if (app === undefined) throw new Error("the application just written is not there");
        return { result: app, target: `application:${client.clientId}`, before: null, after };
      });
      return { application, clientId: client.clientId, clientSecret: client.clientSecret ?? null, tokenEndpoint: registrar.tokenEndpoint };
    } catch (err) {
      // No orphan: the client goes as the row failed to come.
      await registrar.remove(client).catch((removeErr: unknown) => {
        logger.error({ err: removeErr, clientId: client.clientId }, "an OAuth client whose application was not stored could not be removed");
      });
      if (isUniqueViolation(err)) throw conflict("A purpose code or the client id is registered already", { application: client.clientId });
      throw err;
    }
  }

  async function rotateSecret(request: Request, id: string): Promise<Credentials> {
    const app = await visible(request.scope, id);
    requireMemberAdmin(request.scope, app.member, "rotate an application's secret");
    if (app.clientRegistration === "STATIC") {
      throw badInput(`${id} is registered statically at the identity provider: its secret is rotated there`, { application: id });
    }
    if (app.authMethod !== "CLIENT_SECRET_BASIC") throw badInput(`${id} authenticates with PRIVATE_KEY_JWT: it has no secret`, { application: id });
    const sealed = await applicationStore.sealedRegistration(db, id);
    if (sealed === null) throw new Error(`application ${id} is DYNAMIC but holds no registration`);
    const held = JSON.parse(secrets.open(sealed, id)) as { token: string; uri: string };
    const current = { clientId: id, registrationAccessToken: held.token, registrationClientUri: held.uri };
    const rotated = await registrar.rotateSecret(current).catch((err: unknown) => {
      throw upstream(logger, err, "issue a new secret");
    });
    const application = await recordChange(deps, request, "rotateApplicationSecret", async (tx) => {
      const before = await applicationSnapshot(tx, id);
      // RFC 7592 lets the server issue a new registration access token with the new secret.
      await applicationStore.secretIssued(tx, id, seal({ ...current, ...rotated, clientId: id }));
      const after = await applicationSnapshot(tx, id);
      const app = await applicationStore.get(tx, id);
      if (app === undefined) throw new Error("the application just written is not there");
      return { result: app, target: `application:${id}`, before, after };
    });
    return { application, clientId: id, clientSecret: rotated.clientSecret ?? null, tokenEndpoint: registrar.tokenEndpoint };
  }

  async function setStatus(request: Request, id: string, suspend: boolean, reasonInput: string | null): Promise<Application> {
    requireExchangeAdmin(request.scope, suspend ? "suspend an application" : "reinstate an application");
    const reason = suspend ? text(reasonInput ?? "", "reason", limits.reason) : null;
    return recordChange(deps, request, suspend ? "suspendApplication" : "reinstateApplication", async (tx) => {
      const app = await applicationStore.get(tx, id, { lock: true });
      if (app === undefined) throw notFound(`There is no application ${id}`, { application: id });
      if (suspend === (app.status === "SUSPENDED")) throw conflict(`${id} is ${app.status} already`, { application: id, status: app.status });
      const before = await applicationSnapshot(tx, id);
      await applicationStore.setStatus(tx, id, suspend ? "SUSPENDED" : "ACTIVE", reason);
      const after = await applicationSnapshot(tx, id);
      const changed = await applicationStore.get(tx, id);
      if (changed === undefined) throw new Error("the application just written is not there");
      // A suspension answers once every follower of the register holds it (its next request is refused); a reinstatement at once.
      return { result: changed, target: `application:${id}`, before, after, tightening: suspend };
    });
  }

  return {
    visible,
    register,
    setTranslations: createTranslationSetter(deps, visible),
    rotateSecret,
    suspend: (request: Request, id: string, reason: string) => setStatus(request, id, true, reason),
    reinstate: (request: Request, id: string) => setStatus(request, id, false, null),
  };
}

export type Applications = ReturnType<typeof createApplications>;
