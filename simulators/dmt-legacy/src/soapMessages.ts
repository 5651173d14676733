/**
 * The DMT service's own SOAP handling: requests are read with fast-xml-parser after refusing DTDs, oversized and
 * ill-formed documents; responses and Faults are built as object trees, never by concatenating values into XML.
 */
import type { DmtVehicle } from "@ndx/contracts";
import { readPlainXml } from "@ndx/adapter-kit";
import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import { dmtNamespace } from "./contract.ts";

export const soapNs = "http://schemas.xmlsoap.org/soap/envelope/";
export const maxRequestBytes = 64 * 1024;

export interface SoapRequest {
  readonly header: Record<string, unknown>;
  /** The Body's first element: local name and content. */
  readonly operationElement: string;
  readonly payload: Record<string, unknown>;
}

export class BadSoapRequest extends Error {
  override name = "BadSoapRequest";
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
  maxNestedTags: 32,
});

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", suppressEmptyNode: true });

export function parseSoapRequest(text: string): SoapRequest {
  if (/<!\s*(?:DOCTYPE|ENTITY)/i.test(text)) throw new BadSoapRequest("DTDs and entity declarations are not accepted");
  if (XMLValidator.validate(text) !== true) throw new BadSoapRequest("the request is not well-formed XML");
  let tree: Record<string, unknown>;
  try {
    // A plain envelope (what SOAP clients send) is read by the kit's fast path, which gives this parser's tree (tested
    // with these options in adapter-kit/tests/xmlReader.test.ts); anything else, character references included, by it.
    tree = readPlainXml(text, 32, false) ?? (parser.parse(text) as Record<string, unknown>);
  } catch {
    throw new BadSoapRequest("the request could not be read");
  }
  const envelope = record(tree["Envelope"]);
  const body = record(envelope?.["Body"]);
  if (envelope === undefined || body === undefined) throw new BadSoapRequest("the request is not a SOAP envelope");
  const elements = Object.keys(body).filter((k) => !k.startsWith("@_"));
  const first = elements[0];
  if (elements.length !== 1 || first === undefined) throw new BadSoapRequest("the Body must hold exactly one element");
  return { header: record(envelope["Header"]) ?? {}, operationElement: first, payload: record(body[first]) ?? {} };
}

export function text(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  const r = record(value);
  return typeof r?.["#text"] === "string" ? r["#text"] : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function envelope(body: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${
    builder.build({ "soap:Envelope": { "@_xmlns:soap": soapNs, "soap:Body": body } })
  }`;
}

const vehicleTree = (v: DmtVehicle) => ({
  "dmt:RegistrationNo": v.regNo,
  "dmt:Make": v.make,
  "dmt:Model": v.model,
  "dmt:YearOfManufacture": String(v.year),
  "dmt:VehicleClass": { "dmt:Code": v.class.classCode, "dmt:Description": v.class.className },
});

export function vehiclesByOwnerResponse(nic: string, vehicles: readonly DmtVehicle[]): string {
  return envelope({
    "dmt:GetVehiclesByOwnerResponse": {
      "@_xmlns:dmt": dmtNamespace,
      "dmt:OwnerNic": nic,
      "dmt:Vehicles": vehicles.length === 0 ? "" : { "dmt:Vehicle": vehicles.map(vehicleTree) },
    },
  });
}

/** A well-formed answer of the wrong shape: a vehicle with no Make and a year that is not a number. */
export function wrongShapeResponse(): string {
  return envelope({
    "dmt:GetVehiclesByOwnerResponse": {
      "@_xmlns:dmt": dmtNamespace,
      "dmt:OwnerNic": "199012345678",
      "dmt:Vehicles": {
        "dmt:Vehicle": {
          "dmt:RegistrationNo": "FJ-0000-XX",
          "dmt:Model": "x",
          "dmt:YearOfManufacture": "two thousand",
          "dmt:VehicleClass": { "dmt:Code": "B", "dmt:Description": "x" },
        },
      },
    },
  });
}

export function vehicleByRegNoResponse(vehicle: DmtVehicle): string {
  return envelope({ "dmt:GetVehicleByRegNoResponse": { "@_xmlns:dmt": dmtNamespace, "dmt:Vehicle": vehicleTree(vehicle) } });
}

export interface FaultSpec {
  /** Qualified faultcode, e.g. `soap:Client`, `soap:Server`, `wsse:FailedAuthentication`. */
  readonly code: string;
  readonly message: string;
  /** DMT's own code, in a tns:DmtFault detail. */
  readonly dmtCode?: string;
  /** Free text in the detail (what a careless service leaks). */
  readonly detailMessage?: string;
}

export function faultResponse(fault: FaultSpec): string {
  const detail =
    fault.dmtCode === undefined
      ? {}
      : {
          detail: {
            "dmt:DmtFault": {
              "@_xmlns:dmt": dmtNamespace,
              "dmt:Code": fault.dmtCode,
              ...(fault.detailMessage === undefined ? {} : { "dmt:Message": fault.detailMessage }),
            },
          },
        };
  return envelope({
    "soap:Fault": {
      ...(fault.code.startsWith("wsse:")
        ? { "@_xmlns:wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" }
        : {}),
      faultcode: fault.code,
      faultstring: fault.message,
      ...detail,
    },
  });
}
