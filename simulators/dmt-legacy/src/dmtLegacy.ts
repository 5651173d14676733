/**
 * The DMT legacy SOAP 1.1 service: vehicles by owner NIC and a vehicle by registration number, document/literal,
 * WS-Security UsernameToken on every call, SOAP Faults for errors (HTTP 500), the WSDL at GET /dmt?wsdl (and /?wsdl).
 * Tests add faults through `faults` (or the /__test endpoints when enabled) and read the calls made from `stats`.
 */
import type { Logger, Tracing } from "@ndx/platform";
import {
  createCallStats,
  createFaultInjector,
  createSimulatorMetrics,
  delay,
  startSimulatorServer,
  type CallStats,
  type FaultInjector,
  type RunningSimulator,
} from "@ndx/simulator-kit";
import { dmtOperations, nicPattern, regNoPattern, type DmtOperation } from "./contract.ts";
import { dmtFaultLabel, parseDmtFault, type DmtFault } from "./dmtFaults.ts";
import type { DmtStore } from "./dmtStore.ts";
import {
  BadSoapRequest,
  faultResponse,
  maxRequestBytes,
  parseSoapRequest,
  text,
  vehicleByRegNoResponse,
  vehiclesByOwnerResponse,
  wrongShapeResponse,
  type FaultSpec,
} from "./soapMessages.ts";
import { buildWsdl } from "./wsdl.ts";
import { createTokenVerifier, type Credentials } from "./wsSecurity.ts";

export interface DmtLegacyOptions {
  readonly store: DmtStore;
  /** The one account allowed to call (WS-Security UsernameToken). */
  readonly credentials: Credentials;
  /** @default 9092 */
  readonly port?: number;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** The endpoint address in the WSDL. @default "<server url>/dmt" */
  readonly publicUrl?: string | undefined;
  /** Serve the /__test control endpoints. @default false */
  readonly testControl?: boolean;
  /** A SERVER span per request, in the adapter's trace. @default undefined: off */
  readonly tracing?: Tracing | undefined;
  readonly logger: Logger;
}

export interface DmtLegacy extends RunningSimulator {
  readonly faults: FaultInjector<DmtFault>;
  readonly stats: CallStats;
}

const xmlHeaders = { "content-type": "text/xml; charset=utf-8" };
const soapEnvNs = "http://schemas.xmlsoap.org/soap/envelope/";
const dmtNs = "urn:farajaland:dmt:vehicles:v1";

/** Internals a careless service leaks in a Fault: an adapter must never pass any of it on. */
export const leakyFaultText = "ORA-01017: invalid username/password; logon denied (dmt_owner/Tr@ffic2009) at dmt.VehicleDao.byOwner(VehicleDao.java:112)";

// Deliberately hostile answers for tests: fixed texts, nothing from input is put into them.
const hostile = {
  "malformed-xml": `<?xml version="1.0"?><soap:Envelope xmlns:soap="${soapEnvNs}"><soap:Body><dmt:GetVehiclesByOwnerResponse xmlns:dmt="${dmtNs}"><dmt:Vehicles>`,
  xxe:
    `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
    `<soap:Envelope xmlns:soap="${soapEnvNs}"><soap:Body><dmt:GetVehiclesByOwnerResponse xmlns:dmt="${dmtNs}">` +
    `<dmt:OwnerNic>&xxe;</dmt:OwnerNic><dmt:Vehicles><dmt:Vehicle><dmt:RegistrationNo>&xxe;</dmt:RegistrationNo>` +
    `<dmt:Make>&xxe;</dmt:Make><dmt:Model>x</dmt:Model><dmt:YearOfManufacture>2000</dmt:YearOfManufacture>` +
    `<dmt:VehicleClass><dmt:Code>B</dmt:Code><dmt:Description>&xxe;</dmt:Description></dmt:VehicleClass></dmt:Vehicle></dmt:Vehicles>` +
    `</dmt:GetVehiclesByOwnerResponse></soap:Body></soap:Envelope>`,
  "entity-bomb":
    `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
    `<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>` +
    `<soap:Envelope xmlns:soap="${soapEnvNs}"><soap:Body><dmt:GetVehiclesByOwnerResponse xmlns:dmt="${dmtNs}">` +
    `<dmt:OwnerNic>&lol2;</dmt:OwnerNic><dmt:Vehicles/></dmt:GetVehiclesByOwnerResponse></soap:Body></soap:Envelope>`,
  "not-soap": `<?xml version="1.0"?><result>ok</result>`,
};

export async function startDmtLegacy(options: DmtLegacyOptions): Promise<DmtLegacy> {
  const { store, logger } = options;
  const faults = createFaultInjector<DmtFault>();
  const stats = createCallStats();
  const metrics = createSimulatorMetrics("dmt-legacy", ["/dmt", "/"]);
  const verify = createTokenVerifier(options.credentials);
  let wsdl: string | undefined;

  const soap = (status: number, body: string) => new Response(body, { status, headers: xmlHeaders });
  const fault = (spec: FaultSpec) => soap(500, faultResponse(spec));
  const clientFault = (dmtCode: string, message: string) => fault({ code: "soap:Client", message, dmtCode });

  async function handle(request: Request, stopping: AbortSignal): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== "/dmt" && url.pathname !== "/") return new Response("Not Found", { status: 404 });
    if (request.method === "GET" && url.searchParams.has("wsdl")) {
      wsdl ??= buildWsdl(options.publicUrl ?? `${server.url}/dmt`);
      return soap(200, wsdl);
    }
    if (request.method !== "POST" || url.pathname !== "/dmt") {
      return new Response("Method Not Allowed: POST SOAP requests to /dmt; GET /dmt?wsdl for the WSDL", {
        status: 405,
        headers: { allow: url.pathname === "/dmt" ? "GET, POST" : "GET" },
      });
    }
    const action = (request.headers.get("soapaction") ?? "").replace(/^"|"$/g, "");
    const named = Object.entries(dmtOperations).find(([, op]) => op.soapAction === action)?.[0] as DmtOperation | undefined;
    const end = stats.begin(named ?? "unknown");
    try {
      const injected = named === undefined ? undefined : faults.take(named);
      metrics.served(named ?? "unknown", dmtFaultLabel(injected));
      if (injected?.latencyMs !== undefined) await delay(injected.latencyMs, stopping);
      if (injected !== undefined) {
        const acted = actOut(injected);
        if (acted !== undefined) return acted;
      }
      return await answer(request, named);
    } finally {
      end();
    }
  }

  async function answer(request: Request, named: DmtOperation | undefined): Promise<Response> {
    if (!/^text\/xml\b/i.test(request.headers.get("content-type") ?? "")) {
      return new Response("Unsupported Media Type: SOAP 1.1 requests are text/xml", { status: 415 });
    }
    if (Number(request.headers.get("content-length") ?? "0") > maxRequestBytes) {
      return new Response("Payload Too Large", { status: 413 });
    }
    const body = await request.text();
    if (Buffer.byteLength(body) > maxRequestBytes) return new Response("Payload Too Large", { status: 413 });
    let parsed;
    try {
      parsed = parseSoapRequest(body);
    } catch (error) {
      if (error instanceof BadSoapRequest) return clientFault("INVALID_REQUEST", error.message);
      throw error;
    }
    const verdict = verify(parsed.header);
    if (verdict === "missing") return fault({ code: "wsse:InvalidSecurity", message: "A wsse:Security header with a UsernameToken is required" });
    if (verdict === "failed") return fault({ code: "wsse:FailedAuthentication", message: "The security token could not be authenticated or authorized" });
    const operation = Object.entries(dmtOperations).find(([, op]) => op.request === parsed.operationElement)?.[0] as DmtOperation | undefined;
    if (operation === undefined) return clientFault("INVALID_REQUEST", "Unknown operation");
    if (named !== undefined && named !== operation) return clientFault("INVALID_REQUEST", "SOAPAction does not match the Body");
    if (operation === "GetVehiclesByOwner") {
      const nic = text(parsed.payload["OwnerNic"]);
      if (nic === undefined || !nicPattern.test(nic)) return clientFault("INVALID_NIC", "OwnerNic must be 12 digits");
      return soap(200, vehiclesByOwnerResponse(nic, store.byOwner(nic)));
    }
    const regNo = text(parsed.payload["RegistrationNo"]);
    if (regNo === undefined || !regNoPattern.test(regNo)) return clientFault("INVALID_REG_NO", "RegistrationNo must look like FJ-1234-AB");
    const vehicle = store.byRegNo(regNo);
    if (vehicle === undefined) return clientFault("VEHICLE_NOT_FOUND", "No vehicle with this registration number");
    return soap(200, vehicleByRegNoResponse(vehicle));
  }

  function actOut(f: DmtFault): Response | undefined {
    if (f.status !== undefined) {
      return new Response(`<html><body><h1>${f.status}</h1>upstream dmt-app-01:8080 failed</body></html>`, {
        status: f.status,
        headers: { "content-type": "text/html" },
      });
    }
    if (f.soapFault === "server") {
      return fault({ code: "soap:Server", message: leakyFaultText, dmtCode: "INTERNAL", detailMessage: leakyFaultText });
    }
    if (f.soapFault === "client") return fault({ code: "soap:Client", message: leakyFaultText, dmtCode: "INVALID_REQUEST" });
    switch (f.body) {
      case "malformed-xml":
      case "xxe":
      case "entity-bomb":
      case "not-soap":
        return soap(200, hostile[f.body]);
      case "oversized":
        return soap(200, vehiclesByOwnerResponse("199012345678", [
          { regNo: "FJ-0000-XX", make: "x".repeat(2 * 1024 * 1024), model: "x", year: 2000, class: { className: "x", classCode: "B" } },
        ]));
      case "wrong-shape":
        return soap(200, wrongShapeResponse());
      case undefined:
        return undefined;
    }
  }

  const server = await startSimulatorServer<DmtFault>({
    name: "dmt-legacy",
    handler: handle,
    port: options.port ?? 9092,
    host: options.host ?? "127.0.0.1",
    logger,
    metrics,
    tracing: options.tracing,
    testControl: options.testControl === true ? { faults, stats, parseFault: parseDmtFault } : undefined,
  });
  return { ...server, faults, stats };
}
