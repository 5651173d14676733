import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildEnvelope, parseXml, type XmlTree } from "@ndx/adapter-kit";
import { generateCitizens, loadFarajaland } from "@ndx/fixtures";
import { createLogger, defaultFixturesFile } from "@ndx/platform";
import { createDmtStore, dmtNamespace, dmtOperations, startDmtLegacy, type DmtLegacy } from "../src/index.ts";

const credentials = { username: "svc", password: "test-pass" };
const canonical = loadFarajaland(defaultFixturesFile).citizens;
let dmt: DmtLegacy;

beforeAll(async () => {
  dmt = await startDmtLegacy({
    store: createDmtStore([...canonical, ...generateCitizens({ count: 50, reserved: canonical })]),
    credentials,
    port: 0,
    logger: createLogger("test", "silent"),
  });
});
afterAll(() => dmt?.close());
beforeEach(() => {
  dmt.faults.clear();
  dmt.stats.reset();
});

type Op = keyof typeof dmtOperations;

const payload = (op: Op, fields: Record<string, string>): XmlTree => ({
  [`d:${dmtOperations[op].request}`]: {
    "@_xmlns:d": dmtNamespace,
    ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [`d:${k}`, v])),
  },
});

async function call(op: Op, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${dmt.url}/dmt`, {
    method: "POST",
    headers: { "content-type": "text/xml; charset=utf-8", soapaction: `"${dmtOperations[op].soapAction}"`, ...headers },
    body,
  });
  const text = await response.text();
  const tree = response.headers.get("content-type")?.startsWith("text/xml") === true ? parseXml(text) : {};
  const envelope = tree["Envelope"] as { Body?: Record<string, unknown> } | undefined;
  return { status: response.status, text, body: envelope?.Body ?? {} };
}

const signed = (op: Op, fields: Record<string, string>, security = credentials) => call(op, buildEnvelope(payload(op, fields), { security }));

function faultOf(body: Record<string, unknown>) {
  const fault = body["Fault"] as { faultcode: string; faultstring: string; detail?: { DmtFault?: { Code?: string } } } | undefined;
  return { code: fault?.faultcode, dmtCode: fault?.detail?.DmtFault?.Code, message: fault?.faultstring };
}

describe("operations", () => {
  it("returns a canonical citizen's vehicles by owner NIC", async () => {
    const { status, body } = await signed("GetVehiclesByOwner", { OwnerNic: "199012345678" });
    expect(status).toBe(200);
    expect(body).toEqual({
      GetVehiclesByOwnerResponse: {
        OwnerNic: "199012345678",
        Vehicles: {
          Vehicle: [
            { RegistrationNo: "FJ-1107-CE", Make: "Isuzu", Model: "D-Max", YearOfManufacture: "2019", VehicleClass: { Code: "C1", Description: "Light goods vehicle" } },
            { RegistrationNo: "FJ-0093-MC", Make: "Honda", Model: "CG125", YearOfManufacture: "2012", VehicleClass: { Code: "A", Description: "Motorcycle" } },
          ],
        },
      },
    });
  });

  it("answers an empty list for an owner with no vehicles", async () => {
    const { body } = await signed("GetVehiclesByOwner", { OwnerNic: "200101010011" });
    expect(body).toEqual({ GetVehiclesByOwnerResponse: { OwnerNic: "200101010011", Vehicles: "" } });
  });

  it("returns a vehicle by registration number, and a VEHICLE_NOT_FOUND Fault for an unknown one", async () => {
    const found = await signed("GetVehicleByRegNo", { RegistrationNo: "FJ-7740-TR" });
    expect(found.body).toMatchObject({ GetVehicleByRegNoResponse: { Vehicle: { Make: "Massey Ferguson", YearOfManufacture: "2008" } } });
    const missing = await signed("GetVehicleByRegNo", { RegistrationNo: "FJ-0000-ZZ" });
    expect(missing.status).toBe(500);
    expect(faultOf(missing.body)).toMatchObject({ code: "soap:Client", dmtCode: "VEHICLE_NOT_FOUND" });
  });

  it.each([
    ["GetVehiclesByOwner", { OwnerNic: "12345" }, "INVALID_NIC"],
    ["GetVehicleByRegNo", { RegistrationNo: "fj-1-x" }, "INVALID_REG_NO"],
    ["GetVehicleByRegNo", {}, "INVALID_REG_NO"],
  ] as const)("refuses bad input to %s with a Client Fault (%j)", async (op, fields, dmtCode) => {
    const { status, body } = await signed(op, fields);
    expect(status).toBe(500);
    expect(faultOf(body)).toMatchObject({ code: "soap:Client", dmtCode });
  });
});

describe("WS-Security UsernameToken", () => {
  const textToken = (password: string) =>
    `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>` +
    `<w:Security xmlns:w="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><w:UsernameToken>` +
    `<w:Username>svc</w:Username><w:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">${password}</w:Password>` +
    `</w:UsernameToken></w:Security></s:Header><s:Body><d:GetVehiclesByOwnerRequest xmlns:d="${dmtNamespace}"><d:OwnerNic>199012345678</d:OwnerNic></d:GetVehiclesByOwnerRequest></s:Body></s:Envelope>`;

  it("accepts a PasswordText token too", async () => {
    expect((await call("GetVehiclesByOwner", textToken("test-pass"))).status).toBe(200);
  });

  it("is an InvalidSecurity Fault without a token and FailedAuthentication with a wrong password", async () => {
    const none = await call("GetVehiclesByOwner", buildEnvelope(payload("GetVehiclesByOwner", { OwnerNic: "199012345678" })));
    expect(faultOf(none.body).code).toBe("wsse:InvalidSecurity");
    const wrong = await signed("GetVehiclesByOwner", { OwnerNic: "199012345678" }, { username: "svc", password: "nope" });
    expect(faultOf(wrong.body).code).toBe("wsse:FailedAuthentication");
    expect((await call("GetVehiclesByOwner", textToken("nope"))).status).toBe(500);
  });

  it("refuses a replayed digest token (same nonce) and a stale one", async () => {
    const nonce = randomBytes(16);
    const envelope = buildEnvelope(payload("GetVehiclesByOwner", { OwnerNic: "199012345678" }), { security: credentials, nonce });
    expect((await call("GetVehiclesByOwner", envelope)).status).toBe(200);
    expect(faultOf((await call("GetVehiclesByOwner", envelope)).body).code).toBe("wsse:FailedAuthentication");
    const stale = buildEnvelope(payload("GetVehiclesByOwner", { OwnerNic: "199012345678" }), {
      security: credentials,
      now: new Date(Date.now() - 10 * 60 * 1000),
    });
    expect(faultOf((await call("GetVehiclesByOwner", stale)).body).code).toBe("wsse:FailedAuthentication");
  });
});

describe("malformed requests", () => {
  it("refuses a DOCTYPE (XXE) request with a Client Fault, resolving nothing", async () => {
    const xxe =
      `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">` +
      `<s:Body><d:GetVehiclesByOwnerRequest xmlns:d="${dmtNamespace}"><d:OwnerNic>&xxe;</d:OwnerNic></d:GetVehiclesByOwnerRequest></s:Body></s:Envelope>`;
    const { status, body, text } = await call("GetVehiclesByOwner", xxe);
    expect(status).toBe(500);
    expect(faultOf(body)).toMatchObject({ code: "soap:Client", dmtCode: "INVALID_REQUEST" });
    expect(text).not.toMatch(/root:/);
  });

  it.each([
    ["ill-formed XML", "<s:Envelope><s:Body>"],
    ["XML that is not SOAP", "<request/>"],
    ["an unknown operation", buildEnvelope({ "d:Launch": { "@_xmlns:d": dmtNamespace } }, { security: credentials })],
  ])("refuses %s with a Client Fault", async (_, body) => {
    const { status, body: parsed } = await call("GetVehiclesByOwner", body);
    expect(status).toBe(500);
    expect(faultOf(parsed).code).toBe("soap:Client");
  });

  it("refuses a SOAPAction that does not match the Body", async () => {
    const envelope = buildEnvelope(payload("GetVehicleByRegNo", { RegistrationNo: "FJ-7740-TR" }), { security: credentials });
    expect(faultOf((await call("GetVehiclesByOwner", envelope)).body).dmtCode).toBe("INVALID_REQUEST");
  });

  it("is 415 for a body that is not text/xml, 413 over 64 KiB, 405 for GET without ?wsdl", async () => {
    expect((await call("GetVehiclesByOwner", "{}", { "content-type": "application/json" })).status).toBe(415);
    expect((await call("GetVehiclesByOwner", `<a>${"x".repeat(70_000)}</a>`)).status).toBe(413);
    expect((await fetch(`${dmt.url}/dmt`)).status).toBe(405);
  });
});

describe("WSDL", () => {
  it.each(["/dmt?wsdl", "/?wsdl"])("is served at %s with both operations, their SOAPActions and the endpoint", async (path) => {
    const response = await fetch(`${dmt.url}${path}`);
    expect(response.status).toBe(200);
    const wsdl = parseXml(await response.text()) as { definitions: Record<string, Record<string, unknown>> };
    const binding = wsdl.definitions["binding"] as { operation: { "@_name": string; operation: { "@_soapAction": string } }[] };
    expect(binding.operation.map((o) => [o["@_name"], o.operation["@_soapAction"]])).toEqual(
      Object.entries(dmtOperations).map(([name, op]) => [name, op.soapAction]),
    );
    const service = wsdl.definitions["service"] as { port: { address: { "@_location": string } } };
    expect(service.port.address["@_location"]).toBe(`${dmt.url}/dmt`);
  });
});

describe("test-only faults", () => {
  it("acts out a Server Fault and counts the calls per operation", async () => {
    dmt.faults.inject({ operation: "GetVehiclesByOwner", soapFault: "server", times: 1 });
    expect(faultOf((await signed("GetVehiclesByOwner", { OwnerNic: "199012345678" })).body).code).toBe("soap:Server");
    expect((await signed("GetVehiclesByOwner", { OwnerNic: "199012345678" })).status).toBe(200);
    expect(dmt.stats.snapshot().byOperation).toEqual({ GetVehiclesByOwner: 2 });
  });
});
