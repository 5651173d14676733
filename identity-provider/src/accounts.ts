/**
 * The development accounts of the Farajaland fixtures: every citizen logs in with their NIC (the fixtures' citizen
 * user stands for all of them), staff with their usernames. Claims: `sub` is the NIC or the username; `kind` and
 * `roles` say who it is; `name` is the citizen's registered name or the staff username.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Citizen, DevUser } from "@ndx/contracts";

export interface Account {
  /** The `sub` claim: a citizen's NIC, a staff member's username. */
  readonly id: string;
  readonly kind: "citizen" | "staff";
  readonly roles: readonly string[];
  readonly name: string;
}

interface Entry {
  readonly account: Account;
  readonly passwordHash: Buffer;
}

export interface AccountDirectory {
  find(id: string): Account | undefined;
  /** The account when the password is right, otherwise undefined (the same time either way). */
  authenticate(username: string, password: string): Account | undefined;
  readonly size: number;
}

/**
 * The development sign-ins: the fixtures' users and the exchange's staff accounts (from its seed) together. A username
 * in both is a mistake in the fixtures, refused rather than one silently shadowing the other.
 */
export function developmentUsers(fixtureUsers: readonly DevUser[], exchangeUsers: readonly DevUser[]): DevUser[] {
  const taken = new Set(fixtureUsers.map((u) => u.username));
  const clash = exchangeUsers.find((u) => taken.has(u.username));
  if (clash !== undefined) throw new Error(`the exchange seed's user ${clash.username} is also a fixtures user`);
  return [...fixtureUsers, ...exchangeUsers];
}

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

export function createAccountDirectory(data: { readonly citizens: readonly Citizen[]; readonly users: readonly DevUser[] }): AccountDirectory {
  const entries = new Map<string, Entry>();
  const citizenLogin = data.users.find((u) => u.kind === "citizen");
  if (citizenLogin !== undefined) {
    for (const citizen of data.citizens) {
      entries.set(citizen.nic, {
        account: { id: citizen.nic, kind: "citizen", roles: ["citizen"], name: citizen.registry.fullName },
        passwordHash: digest(citizenLogin.password),
      });
    }
  }
  for (const user of data.users) {
    if (user.kind !== "staff") continue;
    entries.set(user.username, {
      account: { id: user.username, kind: "staff", roles: [...(user.roles ?? [])], name: user.username },
      passwordHash: digest(user.password),
    });
  }
  // Compared against when the username is unknown, so that a wrong username costs as much as a wrong password.
  const decoy = digest("decoy");
  return {
    find: (id) => entries.get(id)?.account,
    authenticate(username, password) {
      const entry = entries.get(username.trim());
      const matches = timingSafeEqual(entry?.passwordHash ?? decoy, digest(password));
      return entry !== undefined && matches ? entry.account : undefined;
    },
    size: entries.size,
  };
}
