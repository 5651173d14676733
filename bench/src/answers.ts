/**
 * Asking a target the bench's requests once before it is loaded: the correct answer to each variant, which every
 * measured response must then equal.
 */
import { grantConsent, type ConsentEngine } from "./ndx.ts";
import { requestBody, type Scenario, type Target } from "./scenarios.ts";

/** Where a target answers and what every request to it carries. */
export interface Asked {
  readonly target: Target;
  readonly url: string;
  readonly headers: Record<string, string>;
}

export interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } | undefined;
}

export async function ask(url: string, headers: Record<string, string>, body: string): Promise<Answer> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const text = await response.text();
  let json: Answer["json"];
  try {
    json = JSON.parse(text) as Answer["json"];
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

export interface Variant {
  readonly body: string;
  readonly expect: string;
  readonly data: unknown;
}

/**
 * The correct answer to each variant, which every measured response must equal; for NDX, asked once the citizen's
 * consent is granted (the first ask opens the consent request; the bench grants it as the citizen would).
 */
export async function expectedAnswers(
  running: Asked,
  scenario: Scenario,
  variables: readonly Record<string, unknown>[],
  consentEngine: ConsentEngine,
): Promise<{ variants: Variant[]; granted: number }> {
  const { target } = running;
  const query = target === "direct" ? scenario.directQuery : scenario.query;
  const out: Variant[] = [];
  let granted = 0;
  for (const vars of variables) {
    const body = requestBody(query, vars);
    let answer: Answer | undefined;
    for (let attempt = 0; attempt < 3 && answer === undefined; attempt += 1) {
      const got = await ask(running.url, running.headers, body);
      const first = got.json?.errors?.[0];
      const subject = scenario.subjectVariable === undefined ? undefined : vars[scenario.subjectVariable];
      if (target === "ndx" && first?.extensions?.["code"] === "CONSENT_REQUIRED" && typeof subject === "string") {
        await grantConsent(consentEngine, String(first.extensions["consentRequestId"]), subject);
        granted += 1;
        continue;
      }
      if (got.status !== 200 || got.json === undefined || got.json.errors !== undefined || got.json.data == null) {
        throw new Error(`${target} (${scenario.name}) does not answer ${JSON.stringify(vars)} correctly: HTTP ${got.status} ${got.text.slice(0, 500)}`);
      }
      answer = got;
    }
    if (answer === undefined) throw new Error(`${target} (${scenario.name}) still asks for consent for ${JSON.stringify(vars)} after it was granted`);
    out.push({ body, expect: answer.text, data: answer.json?.data });
  }
  return { variants: out, granted };
}
