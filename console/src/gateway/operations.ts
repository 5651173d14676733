/** The GraphQL operations the console sends (schema/subgraphs/exchange.graphql), with the shapes it reads back. */

export interface PurposeView {
  readonly code: string;
  readonly text: string;
  readonly legalBasis: string;
  readonly maxConsentDays: number;
  readonly maxGrantDays: number;
  readonly translations: readonly TranslationView[];
}

/** A registered text in another language (a BCP 47 tag). */
export interface TranslationView {
  readonly language: string;
  readonly text: string;
}

export interface GrantView {
  readonly id: string;
  readonly application: { readonly id: string; readonly name: string };
  readonly purpose: string;
  readonly provider: string;
  readonly coordinate: string;
  readonly endsAt: string;
  readonly status: "ACTIVE" | "ENDED" | "REVOKED";
  readonly grantedAt: string;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
  readonly revokeReason: string | null;
}

export interface ApplicationView {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** The BCP 47 tag of the language its name and texts are registered in. */
  readonly language: string;
  readonly nameTranslations: readonly TranslationView[];
  readonly member: { readonly code: string; readonly name: string };
  readonly redirectUris: readonly string[];
  readonly purposes: readonly PurposeView[];
  readonly authMethod: "CLIENT_SECRET_BASIC" | "PRIVATE_KEY_JWT";
  readonly clientRegistration: string;
  readonly status: "ACTIVE" | "SUSPENDED";
  readonly suspendedReason: string | null;
  readonly createdAt: string;
  readonly secretIssuedAt: string | null;
}

export interface MemberView {
  readonly code: string;
  readonly name: string;
  readonly contactEmail: string;
  readonly providers: readonly string[];
  readonly people: readonly { readonly username: string; readonly role: "MEMBER_ADMIN" | "PROVIDER_DATA_OWNER" }[];
  readonly createdAt: string;
}

export interface FieldView {
  readonly provider: string;
  readonly coordinate: string;
  readonly dataClass: string;
  readonly description: string | null;
}

export interface GrantRequestView {
  readonly id: string;
  readonly application: { readonly id: string; readonly name: string; readonly member: { readonly code: string } };
  readonly purpose: string;
  readonly justification: string;
  readonly endsAt: string;
  readonly status: "PROVIDER_REVIEW" | "EXCHANGE_REVIEW" | "APPROVED" | "REJECTED" | "WITHDRAWN";
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly parts: readonly {
    readonly provider: string;
    readonly fields: readonly FieldView[];
    readonly status: "PENDING" | "APPROVED" | "REJECTED";
    readonly reviewedBy: string | null;
    readonly reviewedAt: string | null;
    readonly comment: string | null;
  }[];
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly comment: string | null;
}

export interface CredentialsView {
  readonly application: ApplicationView;
  readonly clientId: string;
  readonly clientSecret: string | null;
  readonly tokenEndpoint: string;
}

const member = `code name contactEmail providers people { username role } createdAt`;
const application = `id name description language nameTranslations { language text } member { code name } redirectUris
  purposes { code text legalBasis maxConsentDays maxGrantDays translations { language text } } authMethod clientRegistration status suspendedReason
  createdAt secretIssuedAt`;
const grant = `id application { id name } purpose provider coordinate endsAt status grantedAt revokedAt revokedBy revokeReason`;
const grantRequest = `id application { id name member { code } } purpose justification endsAt status requestedBy requestedAt
  parts { provider fields { provider coordinate dataClass description } status reviewedBy reviewedAt comment }
  decidedBy decidedAt comment`;
const credentials = `application { ${application} } clientId clientSecret tokenEndpoint`;

export const operations = {
  members: `query ConsoleMembers { members { ${member} } }`,
  member: `query ConsoleMember($code: String!) { member(code: $code) { ${member} applications { ${application} } } }`,
  registerMember: `mutation ConsoleRegisterMember($input: RegisterMemberInput!) { registerMember(input: $input) { code } }`,
  applicationNames: `query ConsoleApplicationNames { applications { id name } }`,
  applications: `query ConsoleApplications($member: String) { applications(member: $member) { ${application} } }`,
  application: `query ConsoleApplication($id: ID!) { application(id: $id) { ${application} grants { ${grant} } } }`,
  registerApplication: `mutation ConsoleRegisterApplication($input: RegisterApplicationInput!) { registerApplication(input: $input) { ${credentials} } }`,
  rotateSecret: `mutation ConsoleRotateSecret($id: ID!) { rotateApplicationSecret(id: $id) { ${credentials} } }`,
  setTranslations: `mutation ConsoleSetTranslations($id: ID!, $nameTranslations: [TranslationInput!], $purposes: [PurposeTranslationsInput!]) {
    setApplicationTranslations(id: $id, nameTranslations: $nameTranslations, purposes: $purposes) { id } }`,
  suspend: `mutation ConsoleSuspend($id: ID!, $reason: String!) { suspendApplication(id: $id, reason: $reason) { id status } }`,
  reinstate: `mutation ConsoleReinstate($id: ID!) { reinstateApplication(id: $id) { id status } }`,
  exchangeFields: `query ConsoleFields { exchangeFields { provider coordinate dataClass description } }`,
  requestGrant: `mutation ConsoleRequestGrant($input: RequestFieldGrantInput!) { requestFieldGrant(input: $input) { id } }`,
  grantRequests: `query ConsoleGrantRequests($status: GrantRequestStatus) { grantRequests(status: $status) { ${grantRequest} } }`,
  grantRequest: `query ConsoleGrantRequest($id: ID!) { grantRequest(id: $id) { ${grantRequest} } }`,
  review: `mutation ConsoleReview($id: ID!, $provider: String!, $approve: Boolean!, $comment: String) {
    reviewGrantRequest(id: $id, provider: $provider, approve: $approve, comment: $comment) { id status } }`,
  decide: `mutation ConsoleDecide($id: ID!, $approve: Boolean!, $comment: String) {
    decideGrantRequest(id: $id, approve: $approve, comment: $comment) { id status } }`,
  withdraw: `mutation ConsoleWithdraw($id: ID!) { withdrawGrantRequest(id: $id) { id status } }`,
  grants: `query ConsoleGrants($application: ID, $includeEnded: Boolean) { grants(application: $application, includeEnded: $includeEnded) { ${grant} } }`,
  /** Who acts for which member: to offer a data owner the review of their own providers' parts only. */
  people: `query ConsolePeople { members { code providers people { username role } } }`,
  revoke: `mutation ConsoleRevoke($id: ID!, $reason: String!) { revokeFieldGrant(id: $id, reason: $reason) { id status } }`,
} as const;
