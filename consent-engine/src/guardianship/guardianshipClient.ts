/**
 * Asks the registry who answers for whom: `GET {REGISTRY_URL}/v1/guardianship/{nic}` with the registry's guardianship
 * credential (`Authorization: Bearer <REGISTRY_GUARDIANSHIP_TOKEN>`), over HTTP, on every question — nothing is cached,
 * so a guardianship removed in the households register stops counting on the next page or action. The answer is
 * checked for its shape and that it is about the person asked; a timeout, an error status or anything unexpected is a
 * `GuardianshipUnavailableError` whose message never carries the registry's body. Callers fail closed on it.
 */
import type { GuardianLink, Guardianship, WardLink } from "@ndx/contracts";

export type { Guardianship, WardLink };

export interface GuardianshipSource {
  lookup(nic: string): Promise<Guardianship>;
}

export class GuardianshipUnavailableError extends Error {
  override name = "GuardianshipUnavailableError";
}

export interface GuardianshipClientOptions {
  /** The registry's base URL, e.g. http://localhost:4001. */
  readonly registryUrl: string;
  /** The registry's REGISTRY_GUARDIANSHIP_TOKEN. */
  readonly token: string;
  /** @default 2000 */
  readonly timeoutMs?: number;
}

const nicPattern = /^[0-9]{12}$/;
const isText = (v: unknown): v is string => typeof v === "string";
const isTextOrNull = (v: unknown): v is string | null => v === null || typeof v === "string";
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The registry's answer about `nic`, or an error when it is not exactly that. */
export function parseGuardianship(body: unknown, nic: string): Guardianship {
  const bad = (why: string) => new GuardianshipUnavailableError(`the registry's guardianship answer is malformed (${why})`);
  if (!isRecord(body)) throw bad("not an object");
  if (body["nic"] !== nic) throw bad("about another person");
  const { fullName, dateOfBirth, guardians, wards } = body;
  if (!isTextOrNull(fullName) || !isTextOrNull(dateOfBirth)) throw bad("name or date of birth");
  if (dateOfBirth !== null && !/^\d{4}-\d{2}-\d{2}$/.test(dateOfBirth)) throw bad("date of birth");
  if (!Array.isArray(guardians) || !Array.isArray(wards)) throw bad("guardians or wards");
  const guardianLinks = guardians.map((g: unknown): GuardianLink => {
    if (!isRecord(g) || !isText(g["nic"]) || !nicPattern.test(g["nic"]) || !isText(g["householdNumber"])) throw bad("a guardian");
    return { nic: g["nic"], householdNumber: g["householdNumber"] };
  });
  const wardLinks = wards.map((w: unknown): WardLink => {
    if (!isRecord(w) || !isText(w["nic"]) || !nicPattern.test(w["nic"]) || !isText(w["householdNumber"])) throw bad("a ward");
    const name = w["fullName"];
    const born = w["dateOfBirth"];
    if (!isTextOrNull(name) || !isTextOrNull(born)) throw bad("a ward");
    return { nic: w["nic"], fullName: name, dateOfBirth: born, householdNumber: w["householdNumber"] };
  });
  return { nic, fullName, dateOfBirth, guardians: guardianLinks, wards: wardLinks };
}

export function createGuardianshipClient(options: GuardianshipClientOptions): GuardianshipSource {
  const base = options.registryUrl.endsWith("/") ? options.registryUrl : `${options.registryUrl}/`;
  const timeoutMs = options.timeoutMs ?? 2000;
  return {
    async lookup(nic) {
      if (!nicPattern.test(nic)) throw new GuardianshipUnavailableError("not a NIC");
      let response: Response;
      try {
        response = await fetch(new URL(`v1/guardianship/${nic}`, base), {
          headers: { authorization: `Bearer ${options.token}`, accept: "application/json" },
          signal: AbortSignal.timeout(timeoutMs),
          redirect: "error",
        });
      } catch (error) {
        const why = error instanceof Error && error.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : "not reachable";
        throw new GuardianshipUnavailableError(`the registry's guardianship route is ${why}`);
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new GuardianshipUnavailableError(`the registry's guardianship route answered HTTP ${response.status}`);
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw new GuardianshipUnavailableError("the registry's guardianship route did not send readable JSON");
      }
      return parseGuardianship(body, nic);
    },
  };
}
