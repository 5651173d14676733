/**
 * The one place that maps each part of NDX to its port and URL for `npm start`, `npm run token` and the e2e tests:
 * the default port of services.ts unless `<NAME>_PORT` overrides it. Before anything starts, every port is checked —
 * a number from 1 to 65535, not on the fetch standard's list of bad ports (which `fetch` refuses to connect to, so a
 * part there could never be reached), not given to two parts, and free to bind — and every problem is named at once.
 */
import { createServer } from "node:net";
import type { ServiceSpec } from "./services.ts";

/**
 * Ports `fetch` refuses to connect to ("bad ports", https://fetch.spec.whatwg.org/#port-blocking, as in undici's
 * lib/web/fetch/constants.js): a part there would never answer its readiness check or the gateway.
 */
export const badPorts: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
  540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
  6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

type Part = Pick<ServiceSpec, "name" | "port">;

/** The variable that overrides a part's port: `drp-rest` → `DRP_REST_PORT`. */
export function portVariable(name: string): string {
  return `${name.toUpperCase().replaceAll("-", "_")}_PORT`;
}

export interface PortSettings {
  /** Each part's port, by name (only when `problems` is empty is every one usable). */
  readonly ports: Readonly<Record<string, number>>;
  /** One line per unusable setting, naming the variable, its value and why. */
  readonly problems: readonly string[];
}

/** Each part's port from `<NAME>_PORT` in `env` or its default, with what is wrong with any of them (no I/O). */
export function readPorts(parts: readonly Part[], env: Readonly<Record<string, string | undefined>>): PortSettings {
  const ports: Record<string, number> = {};
  const problems: string[] = [];
  const owner = new Map<number, string>();
  for (const part of parts) {
    const variable = portVariable(part.name);
    const raw = env[variable];
    const given = raw !== undefined && raw !== "";
    const setting = given ? `${variable}=${raw}` : `${variable} (default ${part.port})`;
    const port = given ? Number(raw) : part.port;
    ports[part.name] = port;
    if (given && (!/^\d+$/.test(raw) || port < 1 || port > 65535)) {
      problems.push(`${setting}: not a TCP port (a whole number from 1 to 65535)`);
      continue;
    }
    if (badPorts.has(port)) {
      problems.push(`${setting}: port ${port} is on the fetch standard's list of bad ports; fetch refuses to connect to it, so ${part.name} could not be reached. Choose another port`);
      continue;
    }
    const other = owner.get(port);
    if (other !== undefined) problems.push(`${setting}: port ${port} is already ${other}'s (${portVariable(other)}); each part needs its own`);
    else owner.set(port, part.name);
  }
  return { ports, problems };
}

/** Why `port` cannot be listened on at `host`, or undefined when it can (it is bound and released at once). */
async function bindProblem(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolveProblem) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") resolveProblem(`port ${port} is already in use on ${host} (EADDRINUSE: another program, or NDX already running)`);
      else if (error.code === "EACCES") resolveProblem(`port ${port} may not be bound by this user on ${host} (EACCES; ports below 1024 need privileges)`);
      else resolveProblem(`port ${port} cannot be bound on ${host} (${error.code ?? error.message})`);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolveProblem(undefined)));
  });
}

/** readPorts, then a bind of every port that is otherwise fine: all problems, each naming its variable. */
export async function checkPorts(parts: readonly Part[], env: Readonly<Record<string, string | undefined>>, host: string): Promise<PortSettings> {
  const settings = readPorts(parts, env);
  if (settings.problems.length > 0) return settings;
  const problems: string[] = [];
  for (const part of parts) {
    const port = settings.ports[part.name] ?? part.port;
    const problem = await bindProblem(port, host);
    if (problem !== undefined) {
      const raw = env[portVariable(part.name)];
      problems.push(`${portVariable(part.name)}${raw === undefined || raw === "" ? ` (default ${part.port})` : `=${raw}`}: ${problem}`);
    }
  }
  return { ports: settings.ports, problems };
}

/** Each part's base URL, as the others and the user reach it. */
export function urlsOf(ports: Readonly<Record<string, number>>, host = "localhost"): Record<string, string> {
  return Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, `http://${host}:${port}`]));
}
