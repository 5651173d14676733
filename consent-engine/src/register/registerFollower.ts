/**
 * The consent engine's view of the exchange's register: the shared follower (@ndx/platform registerFollower.ts: the
 * revision stream, fetches, acknowledgements, fail closed) holding the applications in memory, so no request of the
 * engine waits for the exchange. What the engine does when the register is not current is its own: `current` refuses
 * with 503 `UPSTREAM_UNAVAILABLE` (applicationRegister.ts), `lastKnown` still labels what exists.
 */
import type { RegisterApplication } from "@ndx/contracts";
import { createRegisterFollower, type RegisterFollowerOptions as FollowerOptions } from "@ndx/platform";
import { indexApplications, registerUnavailable, type ApplicationRegister } from "./applicationRegister.ts";

/** The shared follower's options; the engine takes each register itself. */
export type RegisterFollowerOptions = Omit<FollowerOptions, "onRegister">;

export function followExchangeRegister(options: RegisterFollowerOptions): ApplicationRegister {
  let byId: ReadonlyMap<string, RegisterApplication> = new Map();
  const follower = createRegisterFollower({
    ...options,
    onRegister: (register) => {
      byId = indexApplications(register);
      options.logger.info({ revision: register.revision, applications: register.applications.length }, "exchange register applied");
    },
  });
  return {
    fresh: () => follower.current(),
    current(id) {
      if (!follower.current()) throw registerUnavailable();
      return byId.get(id);
    },
    lastKnown: (id) => byId.get(id),
    get revision() {
      return follower.revision;
    },
    ready: () => follower.ready(),
    close: () => follower.close(),
  };
}
