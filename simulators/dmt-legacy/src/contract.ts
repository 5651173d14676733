/** The DMT vehicle service's contract: namespace, operations and their SOAPActions, as the WSDL publishes them. */

export const dmtNamespace = "urn:farajaland:dmt:vehicles:v1";

export const dmtOperations = {
  GetVehiclesByOwner: {
    soapAction: `${dmtNamespace}#GetVehiclesByOwner`,
    request: "GetVehiclesByOwnerRequest",
    response: "GetVehiclesByOwnerResponse",
  },
  GetVehicleByRegNo: {
    soapAction: `${dmtNamespace}#GetVehicleByRegNo`,
    request: "GetVehicleByRegNoRequest",
    response: "GetVehicleByRegNoResponse",
  },
} as const;

export type DmtOperation = keyof typeof dmtOperations;

export const nicPattern = /^\d{12}$/;
/** Farajaland plates: FJ-1234-AB. */
export const regNoPattern = /^[A-Z]{2}-\d{4}-[A-Z]{2}$/;
