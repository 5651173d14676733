/**
 * `npm run example` (with `npm start` running): the passport office at http://localhost:5173. Settings in config.ts.
 */
import { listen } from "@ndx/platform";
import { createTokenSource } from "./accessToken.ts";
import { loadConfig, type PassportAppConfig } from "./config.ts";
import { createPendingConsents } from "./pendingConsents.ts";
import { createPassportApp } from "./server.ts";

async function start(config: PassportAppConfig): Promise<void> {
  const tokens = createTokenSource({ issuer: config.issuer, clientId: config.clientId, clientSecret: config.clientSecret, audience: `${config.gatewayUrl}/graphql` });
  const app = createPassportApp(config, { tokens, pending: createPendingConsents() });
  const http = await listen(app.nodeHandler, config.port, "127.0.0.1");
  process.stdout.write(
    `The passport office (an example NDX application) is at ${config.publicUrl}/ (listening on ${http.url}); it asks the gateway at ${config.gatewayUrl} as ${config.clientId}.\n`,
  );
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void http.close());
}

try {
  await start(loadConfig(process.env));
} catch (error) {
  const code = (error as { code?: unknown }).code;
  const why = code === "EADDRINUSE" ? `port ${process.env["PORT"] ?? "5173"} is in use (set PORT)` : error instanceof Error ? error.message : String(error);
  process.stderr.write(`The example cannot start: ${why}\n`);
  process.exitCode = 1;
}
