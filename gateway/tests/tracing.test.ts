/**
 * OpenTelemetry end to end, every part real and on real HTTP: each part traces into one in-memory exporter under its
 * own service name, and one permitted query yields one trace from the gateway through the adapter to the legacy
 * service, with the parent/child links an operator expects to see in Jaeger or Tempo. With tracing off nothing is
 * registered: no span is made, no traceparent is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemorySpanExporter, SpanKind, startTracing, type ReadableSpan, type Tracing } from "@ndx/platform";
import type { Gateway } from "../src/index.ts";
import { startGateway } from "./harness.ts";
import { startSystem, type System } from "./system.ts";

const exporter = createMemorySpanExporter();
const tracings: Tracing[] = [];
let system: System;
let passport: string;
let untraced: Gateway | undefined;

const nic = "199012345678";
const as = (token: string) => ({ authorization: `Bearer ${token}`, "x-purpose": "passport-application" });

beforeAll(async () => {
  system = await startSystem({
    tracing: (part) => {
      const tracing = startTracing({ serviceName: part, exporter: { kind: "memory", exporter } });
      tracings.push(tracing);
      return tracing;
    },
  });
  passport = await system.token("passport-app");
  // One consent covering what the tests read: the DMT's vehicles and the DRP's address.
  const asked = await system.query({ query: `{ person(nic: "${nic}") { permanentAddress vehicles { regNo } } }` }, as(passport));
  const id = asked.body["errors"][0].extensions.consentRequestId;
  await system.consentApi(`/v1/consent-requests/${id}/grant`, { citizenId: nic, durationDays: 1 });
});
afterAll(async () => {
  await untraced?.close();
  await system?.close();
  await Promise.all(tracings.map((t) => t.shutdown()));
});

const service = (span: ReadableSpan) => span.resource.attributes["service.name"];
/** Spans of requests: the gateways' acknowledgements of consent revisions run in the background, in traces of their own. */
const requestSpans = () => exporter.getFinishedSpans().filter((s) => s.name !== "POST /v1/revision/ack");

/** The spans of the trace once the last of `expected` services' SERVER spans has ended (the legacy one ends last). */
async function traceOf(traceId: () => string | undefined, expected: string): Promise<ReadableSpan[]> {
  // Up to 10 s (was 100 tries 20 ms apart, about 2 s): the last span may end late on a loaded 2-core CI machine.
  for (const end = Date.now() + 10_000; Date.now() < end; ) {
    await Promise.all(tracings.map((t) => t.flush()));
    const id = traceId();
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === id);
    if (spans.some((s) => service(s) === expected && s.kind === SpanKind.SERVER)) return spans;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no ${expected} SERVER span arrived`);
}

function one(spans: readonly ReadableSpan[], part: string, kind: SpanKind, where: (s: ReadableSpan) => boolean = () => true): ReadableSpan {
  const found = spans.filter((s) => service(s) === part && s.kind === kind && where(s));
  expect(found, `${part} ${SpanKind[kind]} spans`).toHaveLength(1);
  return found[0] as ReadableSpan;
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

describe("one trace from the gateway to the legacy service", () => {
  it("links gateway SERVER → gateway CLIENT → adapter SERVER → adapter CLIENT → legacy SERVER, in one trace", async () => {
    exporter.reset();
    const response = await system.query(
      { query: `query Vehicles($nic: String!) { person(nic: $nic) { vehicles { regNo } } }`, variables: { nic } },
      as(passport),
    );
    expect(response.body).toEqual({ data: { person: { vehicles: [{ regNo: "FJ-1107-CE" }, { regNo: "FJ-0093-MC" }] } } });

    const gatewayServer = () => exporter.getFinishedSpans().find((s) => service(s) === "gateway" && s.kind === SpanKind.SERVER);
    const spans = await traceOf(() => gatewayServer()?.spanContext().traceId, "dmt-legacy");
    expect(new Set(requestSpans().map((s) => s.spanContext().traceId)).size, "every span of the request in one trace").toBe(1);

    const server = one(spans, "gateway", SpanKind.SERVER);
    expect(server.name).toBe("POST /graphql");
    expect(parentOf(server), "no traceparent came in: the gateway starts the trace").toBeUndefined();
    expect(server.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.route": "/graphql",
      "http.response.status_code": 200,
      "graphql.operation.name": "Vehicles",
      "graphql.operation.type": "query",
    });
    // The consent check is in the trace too: the gateway's call and the engine's answer.
    const toConsent = one(spans, "gateway", SpanKind.CLIENT, (s) => s.attributes["ndx.provider"] === "consent-engine");
    expect(parentOf(toConsent)).toBe(idOf(server));
    const consent = one(spans, "consent-engine", SpanKind.SERVER);
    expect(consent.name).toBe("POST /v1/consents/check");
    expect(parentOf(consent)).toBe(idOf(toConsent));
    const toDmt = one(spans, "gateway", SpanKind.CLIENT, (s) => s.attributes["subgraph.name"] === "dmt");
    expect(parentOf(toDmt)).toBe(idOf(server));
    const adapter = one(spans, "dmt-soap", SpanKind.SERVER);
    expect(parentOf(adapter)).toBe(idOf(toDmt));
    const toLegacy = one(spans, "dmt-soap", SpanKind.CLIENT);
    expect(parentOf(toLegacy)).toBe(idOf(adapter));
    expect(toLegacy.attributes).toMatchObject({ "http.request.method": "POST", "http.response.status_code": 200 });
    const legacy = one(spans, "dmt-legacy", SpanKind.SERVER);
    expect(legacy.name).toBe("POST /dmt");
    expect(parentOf(legacy)).toBe(idOf(toLegacy));

    // No variable values, citizen identifiers or credentials on any span.
    const recorded = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })));
    expect(recorded).not.toContain(nic);
    expect(recorded).not.toMatch(/bearer|x-api-key|password/i);
  });

  it("continues the caller's traceparent, and the audit event carries that trace id", async () => {
    exporter.reset();
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const callerSpan = "b7ad6b7169203331";
    const response = await system.query(
      { query: `query Address($nic: String!) { person(nic: $nic) { permanentAddress } }`, variables: { nic } },
      { ...as(passport), traceparent: `00-${traceId}-${callerSpan}-01` },
    );
    expect(response.body).toEqual({ data: { person: { permanentAddress: "Plot 7, Zobwe Avenue, Ilanga" } } });

    const spans = await traceOf(() => traceId, "drp-legacy");
    expect(requestSpans().every((s) => s.spanContext().traceId === traceId)).toBe(true);
    const server = one(spans, "gateway", SpanKind.SERVER);
    expect(parentOf(server)).toBe(callerSpan);
    const toDrp = one(spans, "gateway", SpanKind.CLIENT, (s) => s.attributes["subgraph.name"] === "drp");
    const adapter = one(spans, "drp-rest", SpanKind.SERVER);
    expect(parentOf(adapter)).toBe(idOf(toDrp));
    const toLegacy = one(spans, "drp-rest", SpanKind.CLIENT);
    expect(toLegacy.name, "named by the method alone: the DRP path holds the NIC").toBe("GET");
    const legacy = one(spans, "drp-legacy", SpanKind.SERVER);
    expect(legacy.name).toBe("GET /api/v1/persons/{id}");
    expect(parentOf(legacy)).toBe(idOf(toLegacy));
    expect(JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes })))).not.toContain(nic);

    const audited = await system.gatewayDb.query<{ kind: string }>("SELECT kind FROM audit_event WHERE trace_id = $1", [traceId]);
    expect(audited.rows.map((r) => r.kind)).toContain("decision");
  });
});

describe("tracing off", () => {
  it("registers nothing: no span, and no traceparent sent on to the subgraphs", async () => {
    const registryUrl = system.gateway.routes.find((r) => r.name === "registry")?.url ?? "";
    untraced = await startGateway(registryUrl);
    exporter.reset();
    const traceId = "5b8aa5a2d2c872e8321cf37308d69df2";
    const response = await untraced.yoga.fetch("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: `00-${traceId}-0102030405060708-01` },
      body: JSON.stringify({ query: `{ person(nic: "${nic}") { fullName } }` }),
    });
    expect(((await response.json()) as { data?: unknown }).data).toEqual({ person: { fullName: "Chikondi Emmanuel Mulenga" } });

    const registry = () => exporter.getFinishedSpans().find((s) => service(s) === "registry");
    const spans = await traceOf(() => registry()?.spanContext().traceId, "registry");
    expect(requestSpans().map(service), "only the (traced) registry made a span").toEqual(["registry"]);
    expect(parentOf(spans[0] as ReadableSpan), "the untraced gateway sent no traceparent").toBeUndefined();
    expect(spans[0]?.spanContext().traceId).not.toBe(traceId);
  });
});
