/**
 * Who is on the console and what every staff page gets: the signed-in person from the sealed session (a page without
 * one starts the sign-in and comes back), their GraphQL calls with their own token, form tokens, and the plain
 * showing of what the gateway refused (its code, message and reasons; never anything else). A POST is refused unless
 * its form token was issued to this session for this very path.
 */
import { html, type Logger } from "@ndx/platform";
import type { OidcLogin } from "./auth/oidcLogin.ts";
import type { AuditSummary } from "./gateway/auditSummary.ts";
import { GatewayError, type GatewayClient } from "./gateway/gatewayClient.ts";
import { FormTokenError, type FormTokens } from "./http/formTokens.ts";
import { BodyError, readForm } from "./http/requestBody.ts";
import type { PageResponses } from "./http/responses.ts";
import type { Handler, Params } from "./http/router.ts";
import type { Session, SessionCookies, StaffUser } from "./http/sessions.ts";
import { layout, messagePage, type Shell } from "./pages/layout.ts";
import { problemBox } from "./pages/problem.ts";

export interface StaffRequest {
  readonly request: Request;
  readonly params: Params;
  readonly url: URL;
  readonly user: StaffUser;
  readonly session: Session;
  /** The submitted form (POST only; its token already checked). */
  readonly form: URLSearchParams;
  /** The page shell for this person and page. */
  readonly shell: Shell;
  /** A form token for a form posting to `action`. */
  token(action: string): string;
  /** One GraphQL operation at the gateway, as this person. */
  call<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** The gateway's audit summary over the last `days` days, as this person. */
  auditSummary(days: number): Promise<AuditSummary>;
}

export type StaffHandler = (r: StaffRequest) => Promise<Response>;

export interface StaffOptions {
  readonly sessions: SessionCookies;
  readonly formTokens: FormTokens;
  readonly login: OidcLogin;
  readonly gateway: GatewayClient;
  readonly responses: PageResponses;
  readonly logger: Logger;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface Staff {
  /** A page or form of signed-in staff; `back` is where a failed form's page links back to (a local path). */
  page(handler: StaffHandler, back?: (params: Params) => string): Handler;
  /** Sends the browser to the provider's sign-in, coming back to `returnTo` (a local path). */
  startLogin(returnTo: string): Promise<Response>;
}

const titles: Readonly<Record<string, string>> = {
  FORBIDDEN: "Not allowed",
  BAD_USER_INPUT: "Something is wrong with what was sent",
  CONFLICT: "Nothing was changed",
  NOT_FOUND: "Not found",
  UNAUTHENTICATED: "Your sign-in has ended",
  UPSTREAM_UNAVAILABLE: "A part of the exchange is not answering",
  UPSTREAM_TIMEOUT: "A part of the exchange is not answering",
};
const statuses: Readonly<Record<string, number>> = { FORBIDDEN: 403, BAD_USER_INPUT: 400, CONFLICT: 409, NOT_FOUND: 404, UNAUTHENTICATED: 401 };

/** What the gateway refused, shown plainly: the code, its message and the policy's reasons. */
function gatewayErrorPage(error: GatewayError, shell: Shell | undefined, back?: string): string {
  const title = titles[error.code] ?? "Something went wrong";
  return layout(
    title,
    html`<h1>${title}</h1>
${problemBox(error)}
${back === undefined ? "" : html`<p><a href="${back}">Back</a></p>`}`,
    shell,
  );
}

export function createStaff(options: StaffOptions): Staff {
  const { sessions, formTokens, login, gateway, responses, logger } = options;
  const now = options.now ?? Date.now;

  async function startLogin(returnTo: string): Promise<Response> {
    const { url, pending } = await login.begin(returnTo);
    return responses.redirect(url, [sessions.cookie(sessions.start({ login: pending }))]);
  }

  return {
    startLogin,
    page: (handler, backTo) => async (request, params, url) => {
      const session = sessions.read(request);
      const user = session?.user;
      const post = request.method === "POST";
      const here = url.pathname + url.search;
      if (session === undefined || user === undefined || user.accessTokenExpiresAt <= now()) {
        if (!post) return startLogin(here);
        return responses.page(401, messagePage("Your sign-in has ended", "Nothing was changed. Sign in again, then send the form again.", undefined, { href: `/login?return_to=${encodeURIComponent(url.pathname)}`, text: "Sign in" }));
      }
      const token = (action: string) => formTokens.issue(session.id, action);
      const shell: Shell = { user, logoutToken: token("/logout"), current: url.pathname };
      const back = post ? (backTo?.(params) ?? (url.pathname.replace(/\/[^/]*$/, "") || "/")) : undefined;
      let form = new URLSearchParams();
      try {
        if (post) {
          form = await readForm(request);
          formTokens.consume(form.get("token") ?? "", session.id, url.pathname);
        }
        return await handler({
          request,
          params,
          url,
          user,
          session,
          form,
          shell,
          token,
          call: (query, variables) => gateway.graphql(user.accessToken, query, variables),
          auditSummary: (days) => gateway.auditSummary(user.accessToken, days),
        });
      } catch (error) {
        if (error instanceof GatewayError) {
          if (error.code === "UNAUTHENTICATED" && !post) return startLogin(here);
          return responses.page(statuses[error.code] ?? 502, gatewayErrorPage(error, shell, back));
        }
        if (error instanceof FormTokenError) return responses.page(error.reason === "used" ? 409 : 403, messagePage(error.reason === "used" ? "Already sent" : "Not allowed", error.message, shell, back === undefined ? undefined : { href: back, text: "Back" }));
        if (error instanceof BodyError) return responses.page(error.status, messagePage("Something is wrong with what was sent", error.message, shell));
        logger.error({ err: error, route: url.pathname }, "console request failed");
        return responses.page(500, messagePage("Something went wrong", "Please try again in a moment.", shell));
      }
    },
  };
}
