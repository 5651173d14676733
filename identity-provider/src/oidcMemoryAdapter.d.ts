// oidc-provider's own in-memory adapter (with its grant, session and user-code indexes), which the package does not
// export by name; the version is pinned in package.json.
declare module "oidc-provider/lib/adapters/memory_adapter.js" {
  import type { AdapterFactory } from "oidc-provider";

  export function createMemoryAdapter(clockTolerance?: number): AdapterFactory;
}
