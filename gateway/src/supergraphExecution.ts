/**
 * One more rule around `@envelop/apollo-federation`'s executor (this plugin comes after it): a request runs only
 * against the schema it was validated and decided against. The gateway swaps its supergraph while requests are in
 * flight (a plan already taken finishes on the old one); a request whose schema is no longer the gateway's when it
 * reaches execution is answered CONFLICT (send it again) rather than planned against a schema its access decision did
 * not see. Each response names the supergraph it was served from (`x-ndx-schema`, its hash), which GraphiQL shows with
 * the response headers.
 */
import type { ApolloGateway } from "@apollo/gateway";
import { ndxError, type Logger } from "@ndx/platform";
import type { ExecutionArgs, ExecutionResult, GraphQLSchema } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { SupergraphSnapshots } from "./supergraphSnapshots.ts";

const schemaHeader = "x-ndx-schema";

export function useSupergraphExecution(gateway: ApolloGateway, snapshots: SupergraphSnapshots, logger: Logger): Plugin<{ request: Request }> {
  const servedFrom = new WeakMap<Request, string>();
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const schema = args.schema as GraphQLSchema;
      const hash = snapshots.of(schema)?.hash;
      if (hash !== undefined) servedFrom.set(args.contextValue.request, hash);
      setExecuteFn((execution) => {
        if (gateway.schema !== schema) {
          logger.info({ operation: args.operationName ?? null }, "the supergraph changed while the request was decided; answered CONFLICT");
          return { errors: [ndxError("CONFLICT", "The supergraph changed while this request was being decided; send it again", { headers: { "retry-after": "0" } })] };
        }
        return (executeFn as (args: ExecutionArgs) => Promise<ExecutionResult> | ExecutionResult)(execution);
      });
    },
    onResponse({ request, response }) {
      const hash = servedFrom.get(request);
      if (hash !== undefined) response.headers.set(schemaHeader, hash);
    },
  };
}
