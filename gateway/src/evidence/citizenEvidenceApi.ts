/**
 * GET /audit/citizens/{nic}/evidence?from=&to= — the citizen's own evidence package (citizenPackage.ts) as a zip,
 * for the consent portal's "who saw my data" download: service-authenticated with AUDIT_READ_TOKEN like the accesses
 * list, and the portal asks only for the signed-in citizen. The window defaults to the last 30 days (the hot trail).
 * List it before useAuditApi, which answers every other /audit/ path.
 */
import { bearerRequired, endpointError, methodNotAllowed, serviceTokenCheck, type Queryable } from "@ndx/platform";
import { CitizenPackageUnavailable, exportCitizenPackage } from "./citizenPackage.ts";
import type { PackageTrustFiles } from "./packageBuild.ts";

const path = /^\/audit\/citizens\/(\d{12})\/evidence$/;

export function useCitizenEvidence(options: { readonly db: Queryable; readonly readToken: string; readonly trust: () => Promise<PackageTrustFiles> }) {
  const holdsToken = serviceTokenCheck(options.readToken);
  return {
    onRequest({ request, endResponse }: { request: Request; endResponse: (r: Response) => void }): Promise<void> | undefined {
      if (!request.url.includes("/evidence")) return undefined;
      const url = new URL(request.url);
      const nic = path.exec(url.pathname)?.[1];
      if (nic === undefined) return undefined;
      return (async () => {
        if (request.method !== "GET") return endResponse(methodNotAllowed("GET"));
        if (!holdsToken(request)) return endResponse(bearerRequired("A valid service token is required"));
        const to = Date.parse(url.searchParams.get("to") ?? new Date().toISOString());
        const from = Date.parse(url.searchParams.get("from") ?? new Date(to - 30 * 86_400_000).toISOString());
        if (Number.isNaN(from) || Number.isNaN(to) || from > to) return endResponse(endpointError("BAD_USER_INPUT", "from and to must be ISO 8601 times, from before to"));
        try {
          const { zip } = await exportCitizenPackage(options.db, { from: new Date(from).toISOString(), to: new Date(to).toISOString(), citizen: nic }, await options.trust());
          endResponse(
            new Response(new Uint8Array(zip), {
              headers: {
                "content-type": "application/zip",
                "content-disposition": `attachment; filename="ndx-evidence-${nic}-${new Date(to).toISOString().slice(0, 10)}.zip"`,
                "cache-control": "no-store",
              },
            }),
          );
        } catch (error) {
          if (error instanceof CitizenPackageUnavailable) return endResponse(endpointError("CONFLICT", error.message));
          throw error;
        }
      })();
    },
  };
}
