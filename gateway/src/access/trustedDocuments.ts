/**
 * Trusted (persisted) documents: a manifest of GraphQL documents, loaded once at start-up, that clients may name by
 * id instead of sending the text — `documentId` (GraphQL-over-HTTP / Hive style, in the POST body or the GET query
 * string) or `extensions.persistedQuery.sha256Hash` (Apollo style). Resolution is
 * `@graphql-yoga/plugin-persisted-operations`; what is resolved is the document's text, so it still goes through
 * every request limit, validation and the access plugin like any other query.
 *
 * A consumer can be held to the manifest (`TRUSTED_DOCUMENTS_REQUIRED`): then only a document of the manifest runs
 * for it — named by id, or sent as its exact text — and anything else is FORBIDDEN before execution. The consumer is
 * known only after authentication, so the holding check is an access `admit` hook (see admission.ts); this
 * module marks each request whose document came from the manifest.
 *
 * Manifest formats (JSON):
 * - Apollo's persisted query manifest: `{"format":"apollo-persisted-query-manifest","version":1,
 *   "operations":[{"id","name","type","body"}]}`;
 * - a plain map `{"<id>": "<document>"}` (Hive, graphql-codegen's client preset, Relay).
 * Ids are taken as given, with one check: an id that looks like a sha256 (64 hex digits) must be the sha256 of its
 * body, or the gateway refuses to start. Every document is also reachable by the sha256 of its body, which is what
 * Apollo clients send as `sha256Hash`. Each body must parse.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ndxError } from "@ndx/platform";
import { parse } from "graphql";
import type { GraphQLError } from "graphql";
import type { GraphQLParams, Plugin, YogaInitialContext } from "graphql-yoga";
import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";

export interface TrustedDocumentsOptions {
  /** The manifest: id → document text, as read by `readTrustedDocumentManifest`. */
  readonly documents: ReadonlyMap<string, string>;
  /**
   * Consumer ids (callers of kind `consumer`) that may send only trusted documents; `"*"` holds every consumer.
   * Signed-in people (staff, citizens) are never held. @default []
   */
  readonly required?: readonly string[];
}

export interface TrustedDocuments {
  /** Documents in the manifest. */
  readonly size: number;
  /** The yoga plugins resolving ids and marking trusted requests; put them before the access plugin. */
  readonly plugins: Plugin[];
  /** Whether this consumer may send only trusted documents. */
  holds(consumerId: string): boolean;
  /** Whether this request's document came from the manifest (by id or as its exact text). */
  isTrusted(request: Request): boolean;
}

const sha256Like = /^[0-9a-f]{64}$/i;
const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** Reads and checks a manifest file; every problem is named, with the file. */
export function readTrustedDocumentManifest(file: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`trusted documents: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`trusted documents: ${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseTrustedDocumentManifest(json, file);
}

/** Either manifest format → id → document text, every id and body checked. */
export function parseTrustedDocumentManifest(json: unknown, source = "manifest"): Map<string, string> {
  const entries: [id: unknown, body: unknown][] = [];
  if (isRecord(json) && json["format"] === "apollo-persisted-query-manifest") {
    if (json["version"] !== 1) throw new Error(`trusted documents: ${source}: only version 1 of the Apollo manifest is known`);
    const operations = json["operations"];
    if (!Array.isArray(operations)) throw new Error(`trusted documents: ${source}: "operations" must be an array`);
    for (const op of operations) entries.push(isRecord(op) ? [op["id"], op["body"]] : [undefined, undefined]);
  } else if (isRecord(json)) {
    entries.push(...Object.entries(json));
  } else {
    throw new Error(`trusted documents: ${source}: expected an Apollo persisted query manifest or an object of id → document`);
  }
  const problems: string[] = [];
  const documents = new Map<string, string>();
  for (const [index, [id, body]] of entries.entries()) {
    if (typeof id !== "string" || id === "" || typeof body !== "string" || body.trim() === "") {
      problems.push(`entry ${index}: needs a non-empty string id and body`);
      continue;
    }
    if (sha256Like.test(id) && id.toLowerCase() !== sha256(body)) {
      problems.push(`${id}: looks like a sha256 but is not the sha256 of its body`);
      continue;
    }
    try {
      parse(body, { noLocation: true });
    } catch (error) {
      problems.push(`${id}: does not parse: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const earlier = documents.get(id);
    if (earlier !== undefined && earlier !== body) {
      problems.push(`${id}: listed twice with different bodies`);
      continue;
    }
    documents.set(id, body);
  }
  if (problems.length > 0) throw new Error(`trusted documents: ${source}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return documents;
}

/** The id a request names, if any: `documentId` (body or GET query string), else Apollo's `sha256Hash`. */
function extractDocumentId(params: GraphQLParams, request: Request): string | null {
  const documentId: unknown = (params as { documentId?: unknown }).documentId;
  if (typeof documentId === "string") return documentId;
  const persisted: unknown = params.extensions?.["persistedQuery"];
  if (isRecord(persisted) && typeof persisted["sha256Hash"] === "string") return persisted["sha256Hash"];
  if (request.method === "GET") return new URL(request.url).searchParams.get("documentId");
  return null;
}

/** An id as shown in an error: never an unbounded echo of what was sent. */
const shown = (id: string): string => JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id);

export function createTrustedDocuments(options: TrustedDocumentsOptions): TrustedDocuments {
  // Built once: by id, by the sha256 of each body, and by exact text (a held consumer may send the text itself).
  const byId = new Map<string, string>();
  const byText = new Set<string>();
  for (const [id, body] of options.documents) {
    byId.set(id, body);
    byId.set(sha256(body), body);
    byText.add(body);
  }
  const required = new Set(options.required ?? []);
  const everyone = required.has("*");
  // One operation per request (yoga batching is off), so a request is the unit marked.
  const trusted = new WeakSet<Request>();

  const markText: Plugin = {
    onParams({ params, request }) {
      if (typeof params.query !== "string") return;
      if ((params as { documentId?: unknown }).documentId != null) {
        throw ndxError("BAD_USER_INPUT", "Send either a query or a documentId, not both");
      }
      if (byText.has(params.query)) trusted.add(request);
    },
  };
  const resolve: Plugin = usePersistedOperations<YogaInitialContext>({
    allowArbitraryOperations: true,
    extractPersistedOperationId: extractDocumentId,
    getPersistedOperation(id, request) {
      const body = byId.get(id);
      if (body === undefined) return null;
      trusted.add(request);
      return body;
    },
    customErrors: {
      notFound: ({ params, request }) => {
        const id = extractDocumentId(params, request) ?? "";
        return ndxError("NOT_FOUND", `No trusted document has the id ${shown(id)}`, { details: { documentId: id.slice(0, 80) } });
      },
      keyNotFound: () =>
        ndxError("BAD_USER_INPUT", "Send a query, or the id of a trusted document (documentId or extensions.persistedQuery.sha256Hash)"),
    },
  });
  return {
    size: options.documents.size,
    plugins: [markText, resolve],
    holds: (consumerId) => everyone || required.has(consumerId),
    isTrusted: (request) => trusted.has(request),
  };
}

/** The refusal of a held consumer's arbitrary document. */
export function untrustedDocument(consumerId: string): GraphQLError {
  return ndxError(
    "FORBIDDEN",
    `Consumer ${consumerId} may send only trusted documents: name one by documentId (or extensions.persistedQuery.sha256Hash)`,
    { details: { reasons: ["trusted documents only"] } },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
