/**
 * What the passport office asks NDX about an applicant, in one GraphQL query across three agencies (the civil
 * registry, the residents' register and the motor transport register), and how it reads the answer:
 * - the applicant's data;
 * - `CONSENT_REQUIRED`: the citizen has not agreed yet, and `consentUrl` is where to send them;
 * - the data with some fields null when an agency did not answer (the codes say why);
 * - anything else: an error code to show, never the upstream's own text.
 */
export interface Applicant {
  readonly fullName: string;
  readonly dateOfBirth: string;
  readonly permanentAddress: string | null;
  readonly vehicles: readonly { readonly regNo: string }[] | null;
}

export type Answer =
  /** `problems`: codes of the parts that did not answer (their fields are null), e.g. UPSTREAM_UNAVAILABLE. */
  | { readonly kind: "applicant"; readonly applicant: Applicant; readonly problems: readonly string[] }
  | { readonly kind: "consent-required"; readonly consentUrl: string; readonly consentRequestId: string }
  | { readonly kind: "not-found" }
  | { readonly kind: "refused"; readonly code: string };

const applicantQuery = `query Applicant($nic: String!) {
  person(nic: $nic) { fullName dateOfBirth permanentAddress vehicles { regNo } }
}`;

export interface AskOptions {
  /** The gateway's GraphQL URL. */
  readonly endpoint: string;
  readonly token: string;
  readonly purpose: string;
}

interface GraphQLBody {
  readonly data?: { readonly person?: Applicant | null } | null;
  readonly errors?: readonly { readonly extensions?: Record<string, unknown> }[];
}

export async function askForApplicant(nic: string, options: AskOptions): Promise<Answer> {
  let body: GraphQLBody;
  try {
    const response = await fetch(options.endpoint, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${options.token}`, "x-purpose": options.purpose },
      body: JSON.stringify({ query: applicantQuery, variables: { nic } }),
      signal: AbortSignal.timeout(15_000),
    });
    body = (await response.json()) as GraphQLBody;
  } catch {
    return { kind: "refused", code: "UPSTREAM_UNAVAILABLE" };
  }
  const codes = (body.errors ?? []).map((e) => (typeof e.extensions?.["code"] === "string" ? e.extensions["code"] : "ERROR"));
  const consent = body.errors?.find((e) => e.extensions?.["code"] === "CONSENT_REQUIRED")?.extensions;
  if (typeof consent?.["consentUrl"] === "string" && typeof consent["consentRequestId"] === "string") {
    return { kind: "consent-required", consentUrl: consent["consentUrl"], consentRequestId: consent["consentRequestId"] };
  }
  const person = body.data?.person;
  if (person !== undefined && person !== null) return { kind: "applicant", applicant: person, problems: [...new Set(codes)] };
  if (codes[0] !== undefined) return { kind: "refused", code: codes[0] };
  return { kind: "not-found" };
}
