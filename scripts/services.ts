/**
 * What `npm start` runs: every part on its default port (DESIGN.md), in start-up order. A part added to NDX adds
 * one entry here (and docker-compose.yml gets the same service).
 */

export interface ServiceSpec {
  /** Short name, used in logs and as the `<NAME>_PORT` override (e.g. REGISTRY_PORT). */
  readonly name: string;
  /** Entry file, relative to the repository root. */
  readonly entry: string;
  /** Default port from DESIGN.md. */
  readonly port: number;
  /** Runs on embedded PGlite: gets PGLITE_DIR=<data dir>/<name>. */
  readonly pglite?: boolean;
  /** Names of services that must be ready first. */
  readonly after?: readonly string[];
  /** Environment this service needs to find the others, given every service's base URL. */
  readonly links?: (urls: Readonly<Record<string, string>>) => Record<string, string>;
  /** Printed after start-up. */
  readonly show?: { readonly label: string; readonly path: string };
}

export const services: readonly ServiceSpec[] = [
  {
    name: "registry",
    entry: "subgraphs/registry/src/main.ts",
    port: 4001,
    pglite: true,
    show: { label: "Registry subgraph", path: "/graphql" },
  },
  {
    name: "gateway",
    entry: "gateway/src/main.ts",
    port: 4000,
    after: ["registry"],
    links: (urls) => ({ REGISTRY_URL: `${urls["registry"]}/graphql` }),
    show: { label: "Gateway (GraphiQL in a browser)", path: "/graphql" },
  },
];
