/** The OpenAPI 3 document the DRP legacy service serves at GET /openapi.json: the contract the DRP adapter is built on. */

const error = {
  type: "object",
  required: ["error", "message"],
  properties: { error: { type: "string" }, message: { type: "string" } },
} as const;

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

const retryAfter = {
  "Retry-After": { description: "Seconds to wait before trying again", schema: { type: "integer", minimum: 0 } },
} as const;

export function drpOpenApi(maxBatch: number) {
  return {
    openapi: "3.0.3",
    info: {
      title: "DRP Person Registry API (legacy)",
      version: "1.4.0",
      description:
        "Department of Registration of Persons: person, address and profession by National Identity Card number (NIC). " +
        "Every call needs an API key in the X-API-Key header and is rate limited per key.",
    },
    servers: [{ url: "/" }],
    security: [{ ApiKeyAuth: [] }],
    paths: {
      "/api/v1/persons/{nic}": {
        get: {
          operationId: "getPerson",
          summary: "One person by NIC",
          parameters: [
            { name: "nic", in: "path", required: true, schema: { type: "string", pattern: "^[0-9]{12}$" } },
          ],
          responses: {
            "200": {
              description: "The person's record",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Person" } } },
            },
            "400": errorResponse("The NIC is not 12 digits"),
            "401": errorResponse("No or unknown API key"),
            "404": errorResponse("No person with this NIC"),
            "429": { ...errorResponse("Rate limit exceeded"), headers: retryAfter },
            "500": errorResponse("Internal error"),
            "503": { ...errorResponse("Temporarily unavailable"), headers: retryAfter },
          },
        },
      },
      "/api/v1/persons/batch-lookup": {
        post: {
          operationId: "batchLookup",
          summary: `Many persons by NIC in one call (at most ${maxBatch})`,
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: "#/components/schemas/BatchLookupRequest" } } },
          },
          responses: {
            "200": {
              description: "The records found, and the NICs not found",
              content: { "application/json": { schema: { $ref: "#/components/schemas/BatchLookupResponse" } } },
            },
            "400": errorResponse("Malformed request: not JSON, no nics, a NIC that is not 12 digits, too many NICs"),
            "401": errorResponse("No or unknown API key"),
            "413": errorResponse("Request body too large"),
            "415": errorResponse("Content type is not application/json"),
            "429": { ...errorResponse("Rate limit exceeded"), headers: retryAfter },
            "500": errorResponse("Internal error"),
            "503": { ...errorResponse("Temporarily unavailable"), headers: retryAfter },
          },
        },
      },
    },
    components: {
      securitySchemes: { ApiKeyAuth: { type: "apiKey", in: "header", name: "X-API-Key" } },
      schemas: {
        Person: {
          type: "object",
          required: ["nic", "person", "address", "recordStatus"],
          properties: {
            nic: { type: "string", pattern: "^[0-9]{12}$" },
            person: {
              type: "object",
              required: ["fullName", "otherNames", "profession"],
              properties: {
                fullName: { type: "string" },
                otherNames: { type: "array", items: { type: "string" } },
                profession: { type: "string", nullable: true },
              },
            },
            address: {
              type: "object",
              required: ["permanent"],
              properties: { permanent: { type: "string" } },
            },
            recordStatus: { type: "string", enum: ["ACTIVE"] },
          },
        },
        BatchLookupRequest: {
          type: "object",
          required: ["nics"],
          properties: {
            nics: {
              type: "array",
              minItems: 1,
              maxItems: maxBatch,
              items: { type: "string", pattern: "^[0-9]{12}$" },
            },
          },
        },
        BatchLookupResponse: {
          type: "object",
          required: ["results", "notFound"],
          properties: {
            results: { type: "array", items: { $ref: "#/components/schemas/Person" } },
            notFound: { type: "array", items: { type: "string" } },
          },
        },
        Error: error,
      },
    },
  };
}
