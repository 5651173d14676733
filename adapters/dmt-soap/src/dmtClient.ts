/**
 * The DMT legacy SOAP service as the adapter uses it: its operations (as its WSDL publishes them; a test checks
 * they agree), called through the kit's SOAP client with a UsernameToken, under the upstream's timeout, retries and
 * circuit breaker. Records come back raw (tns:Vehicle trees): the mapping turns them into GraphQL objects.
 */
import { legacyKey, UpstreamError, type LegacyCache, type SoapFault, type SoapOperation, type SoapUpstream, type Upstream, type UpstreamFailure, type XmlTree } from "@ndx/adapter-kit";

export const dmtNamespace = "urn:farajaland:dmt:vehicles:v1";
export const dmtEndpointPath = "/dmt";

export const dmtOperations = {
  GetVehiclesByOwner: {
    name: "GetVehiclesByOwner",
    soapAction: `${dmtNamespace}#GetVehiclesByOwner`,
    requestElement: "GetVehiclesByOwnerRequest",
    responseElement: "GetVehiclesByOwnerResponse",
  },
  GetVehicleByRegNo: {
    name: "GetVehicleByRegNo",
    soapAction: `${dmtNamespace}#GetVehicleByRegNo`,
    requestElement: "GetVehicleByRegNoRequest",
    responseElement: "GetVehicleByRegNoResponse",
  },
} as const satisfies Record<string, SoapOperation & { requestElement: string }>;

/** Which DMT Faults mean what: a missing vehicle is NOT_FOUND; Server faults may pass; the rest is our request refused. */
export function dmtFaultKind(fault: SoapFault): UpstreamFailure {
  if (fault.code === "Server") return "unavailable";
  const detail = fault.detail;
  const dmtFault = isRecord(detail) ? detail["DmtFault"] : undefined;
  const code = isRecord(dmtFault) ? dmtFault["Code"] : undefined;
  return code === "VEHICLE_NOT_FOUND" ? "not_found" : "rejected";
}

export type VehicleRecord = XmlTree;

export interface DmtClient {
  vehiclesByOwner(nic: string): Promise<VehicleRecord[]>;
  /** Throws UpstreamError("not_found") for an unknown registration number. */
  vehicleByRegNo(regNo: string): Promise<VehicleRecord>;
}

/**
 * Both reads go through the cache (kept answers, identical calls in flight merged): a person's vehicles keyed by
 * their NIC and purged when the registry changes them; a vehicle by its registration number, ended by the TTL alone
 * (the answer names no owner). "No vehicles" is an empty answer; an unknown registration number is an error, never kept.
 */
export function createDmtClient(options: { readonly soap: SoapUpstream; readonly upstream: Upstream; readonly cache: LegacyCache }): DmtClient {
  const { soap, upstream, cache } = options;
  const provider = upstream.provider;
  const request = (element: string, fields: Record<string, string>) => ({
    [`dmt:${element}`]: {
      "@_xmlns:dmt": dmtNamespace,
      ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [`dmt:${k}`, v])),
    },
  });

  return {
    vehiclesByOwner: (nic) =>
      cache.get({ key: legacyKey("GetVehiclesByOwner", nic), subject: nic, isEmpty: (vehicles) => vehicles.length === 0, load: () => vehiclesByOwner(nic) }),
    vehicleByRegNo: (regNo) => cache.get({ key: legacyKey("GetVehicleByRegNo", regNo), load: () => vehicleByRegNo(regNo) }),
  };

  function vehiclesByOwner(nic: string): Promise<VehicleRecord[]> {
    return upstream.call(
        "GetVehiclesByOwner",
        async (signal) => {
          const op = dmtOperations.GetVehiclesByOwner;
          const response = await soap.invoke(op, request(op.requestElement, { OwnerNic: nic }), signal);
          const vehicles = isRecord(response) ? response["Vehicles"] : undefined;
          // <Vehicles/> is an empty list; one <Vehicle> arrives as a record, several as a list.
          if (vehicles === "") return [];
          const list = isRecord(vehicles) ? vehicles["Vehicle"] : undefined;
          const items = Array.isArray(list) ? list : list === undefined ? undefined : [list];
          if (items === undefined || !items.every(isRecord)) {
            throw new UpstreamError("malformed", provider, "GetVehiclesByOwner: no Vehicles list in the response");
          }
          return items;
        },
        { idempotent: true },
      );
  }

  function vehicleByRegNo(regNo: string): Promise<VehicleRecord> {
    return upstream.call(
        "GetVehicleByRegNo",
        async (signal) => {
          const op = dmtOperations.GetVehicleByRegNo;
          const response = await soap.invoke(op, request(op.requestElement, { RegistrationNo: regNo }), signal);
          const vehicle = isRecord(response) ? response["Vehicle"] : undefined;
          if (!isRecord(vehicle)) throw new UpstreamError("malformed", provider, "GetVehicleByRegNo: no Vehicle in the response");
          return vehicle;
        },
        { idempotent: true },
      );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
