/** The WSDL 1.1 the DMT service serves at GET /dmt?wsdl, built as an object tree (the address is configuration). */
import { XMLBuilder } from "fast-xml-parser";
import { dmtNamespace, dmtOperations } from "./contract.ts";

const xs = (name: string, type: string, extra: Record<string, string> = {}) => ({ "@_name": name, "@_type": type, ...extra });

export function buildWsdl(endpointUrl: string): string {
  const operations = Object.entries(dmtOperations);
  const tree = {
    "wsdl:definitions": {
      "@_xmlns:wsdl": "http://schemas.xmlsoap.org/wsdl/",
      "@_xmlns:soap": "http://schemas.xmlsoap.org/wsdl/soap/",
      "@_xmlns:xs": "http://www.w3.org/2001/XMLSchema",
      "@_xmlns:tns": dmtNamespace,
      "@_name": "DmtVehicleService",
      "@_targetNamespace": dmtNamespace,
      "wsdl:documentation":
        "Department of Motor Traffic vehicle register (legacy). Every request carries a WS-Security UsernameToken " +
        "(PasswordDigest or PasswordText) in a wsse:Security header. Errors are SOAP 1.1 Faults; Client faults carry a " +
        "tns:DmtFault detail with a code: INVALID_REQUEST, INVALID_NIC, INVALID_REG_NO, VEHICLE_NOT_FOUND.",
      "wsdl:types": {
        "xs:schema": {
          "@_targetNamespace": dmtNamespace,
          "@_elementFormDefault": "qualified",
          "xs:complexType": [
            {
              "@_name": "VehicleClass",
              "xs:sequence": { "xs:element": [xs("Code", "xs:string"), xs("Description", "xs:string")] },
            },
            {
              "@_name": "Vehicle",
              "xs:sequence": {
                "xs:element": [
                  xs("RegistrationNo", "xs:string"),
                  xs("Make", "xs:string"),
                  xs("Model", "xs:string"),
                  xs("YearOfManufacture", "xs:int"),
                  xs("VehicleClass", "tns:VehicleClass"),
                ],
              },
            },
            {
              "@_name": "VehicleList",
              "xs:sequence": { "xs:element": xs("Vehicle", "tns:Vehicle", { "@_minOccurs": "0", "@_maxOccurs": "unbounded" }) },
            },
          ],
          "xs:element": [
            { "@_name": "GetVehiclesByOwnerRequest", "xs:complexType": { "xs:sequence": { "xs:element": xs("OwnerNic", "xs:string") } } },
            {
              "@_name": "GetVehiclesByOwnerResponse",
              "xs:complexType": { "xs:sequence": { "xs:element": [xs("OwnerNic", "xs:string"), xs("Vehicles", "tns:VehicleList")] } },
            },
            { "@_name": "GetVehicleByRegNoRequest", "xs:complexType": { "xs:sequence": { "xs:element": xs("RegistrationNo", "xs:string") } } },
            { "@_name": "GetVehicleByRegNoResponse", "xs:complexType": { "xs:sequence": { "xs:element": xs("Vehicle", "tns:Vehicle") } } },
            {
              "@_name": "DmtFault",
              "xs:complexType": { "xs:sequence": { "xs:element": [xs("Code", "xs:string"), xs("Message", "xs:string")] } },
            },
          ],
        },
      },
      "wsdl:message": operations.flatMap(([name, op]) => [
        { "@_name": `${name}Input`, "wsdl:part": { "@_name": "parameters", "@_element": `tns:${op.request}` } },
        { "@_name": `${name}Output`, "wsdl:part": { "@_name": "parameters", "@_element": `tns:${op.response}` } },
      ]),
      "wsdl:portType": {
        "@_name": "DmtVehiclePort",
        "wsdl:operation": operations.map(([name]) => ({
          "@_name": name,
          "wsdl:input": { "@_message": `tns:${name}Input` },
          "wsdl:output": { "@_message": `tns:${name}Output` },
        })),
      },
      "wsdl:binding": {
        "@_name": "DmtVehicleBinding",
        "@_type": "tns:DmtVehiclePort",
        "soap:binding": { "@_style": "document", "@_transport": "http://schemas.xmlsoap.org/soap/http" },
        "wsdl:operation": operations.map(([name, op]) => ({
          "@_name": name,
          "soap:operation": { "@_soapAction": op.soapAction, "@_style": "document" },
          "wsdl:input": { "soap:body": { "@_use": "literal" } },
          "wsdl:output": { "soap:body": { "@_use": "literal" } },
        })),
      },
      "wsdl:service": {
        "@_name": "DmtVehicleService",
        "wsdl:port": {
          "@_name": "DmtVehiclePort",
          "@_binding": "tns:DmtVehicleBinding",
          "soap:address": { "@_location": endpointUrl },
        },
      },
    },
  };
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", format: true, suppressEmptyNode: true });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(tree)}`;
}
