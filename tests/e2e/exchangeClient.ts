/** The exchange's administration API as the end-to-end tests call it: GraphQL through the gateway, over real HTTP. */

export interface Answer {
  readonly status: number;
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions: Record<string, unknown> }[];
  };
}

export async function gql(url: string, token: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

/** One mutation's answer: its root field's data, or the errors. */
export interface Result {
  readonly data: unknown;
  readonly errors: Answer["body"]["errors"];
  readonly body: Answer["body"];
}

export interface GrantView {
  readonly id: string;
  readonly provider: string;
  readonly coordinate: string;
  readonly status: string;
  readonly endsAt: string;
}

const request = `id status parts { provider status reviewedBy } decidedBy`;

export function exchangeOps(url: string) {
  const call = async (token: string, field: string, query: string, variables: Record<string, unknown>): Promise<Result> => {
    const answer = await gql(url, token, query, variables);
    return { data: answer.body.data?.[field] ?? null, errors: answer.body.errors, body: answer.body };
  };
  return {
    registerMember: (token: string, input: Record<string, unknown>) =>
      call(token, "registerMember", `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { code name people { username role } } }`, { input }),
    registerApplication: (token: string, input: Record<string, unknown>) =>
      call(
        token,
        "registerApplication",
        `mutation($input: RegisterApplicationInput!) { registerApplication(input: $input) { clientId clientSecret tokenEndpoint application { id status } } }`,
        { input },
      ),
    requestFieldGrant: (token: string, input: Record<string, unknown>) =>
      call(token, "requestFieldGrant", `mutation($input: RequestFieldGrantInput!) { requestFieldGrant(input: $input) { ${request} } }`, { input }),
    review: (token: string, id: string, provider: string, approve: boolean) =>
      call(
        token,
        "reviewGrantRequest",
        `mutation($id: ID!, $provider: String!, $approve: Boolean!) { reviewGrantRequest(id: $id, provider: $provider, approve: $approve, comment: "Checked") { ${request} } }`,
        { id, provider, approve },
      ),
    decide: (token: string, id: string, approve: boolean) =>
      call(token, "decideGrantRequest", `mutation($id: ID!, $approve: Boolean!) { decideGrantRequest(id: $id, approve: $approve, comment: "Approved") { ${request} } }`, {
        id,
        approve,
      }),
    revoke: (token: string, id: string, reason: string) =>
      call(token, "revokeFieldGrant", `mutation($id: ID!, $reason: String!) { revokeFieldGrant(id: $id, reason: $reason) { id status } }`, { id, reason }),
    suspend: (token: string, id: string, reason: string) =>
      call(token, "suspendApplication", `mutation($id: ID!, $reason: String!) { suspendApplication(id: $id, reason: $reason) { id status } }`, { id, reason }),
    async grants(token: string, application: string): Promise<GrantView[]> {
      const answer = await gql(url, token, `query($app: ID!) { grants(application: $app) { id provider coordinate status endsAt } }`, { app: application });
      if (answer.body.errors !== undefined) throw new Error(`grants: ${JSON.stringify(answer.body.errors)}`);
      return (answer.body.data?.["grants"] ?? []) as GrantView[];
    },
  };
}

/** Asks until `probe` gives an answer or `withinMs` has passed; the deadline is part of what is tested. */
export async function waitFor<T>(withinMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    const answer = await probe();
    if (answer !== undefined) return answer;
    if (performance.now() > deadline) throw new Error(`not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The total of a simulator's served requests, from its Prometheus metrics. */
export async function metricCount(metricsUrl: string, metric = "ndx_simulator_requests_total"): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${metric}{`) || line.startsWith(`${metric} `)) total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}
