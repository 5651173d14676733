# syntax=docker/dockerfile:1
#
# One image per NDX part: `docker build --target <part> .`, where <part> is a name from scripts/services.ts
# (registry, drp-legacy, dmt-legacy, drp-rest, dmt-soap, identity-provider, time-stamping-authority, exchange,
# consent-engine, gateway, console).
# docker-compose.yml builds them all. TypeScript runs as is (Node's type stripping): no build step, the image holds
# the workspaces' sources and their production dependencies only. tests/e2e/compose.test.ts keeps this file, the
# compose file and scripts/services.ts in step.

# The Node of package.json's pinned `node` devDependency; the compose test fails when they differ.
ARG NODE_VERSION=24.21.0
# policy/src/opaCli.ts `opaVersion`; it needs Go 1.26 (its go.mod).
ARG OPA_VERSION=v1.22.2
ARG GO_IMAGE=golang:1.26.8

# --- The opa CLI, as the project installs it: a Go module at a pinned version. ---
FROM ${GO_IMAGE} AS opa
ARG OPA_VERSION
RUN CGO_ENABLED=0 GOBIN=/out GOFLAGS=-mod=mod go install github.com/open-policy-agent/opa@${OPA_VERSION} \
  && /out/opa version

FROM node:${NODE_VERSION}-slim AS base
WORKDIR /app

# --- The access policy, compiled to its wasm bundle exactly as `npm run policy:build` does (same revision). ---
FROM base AS policy
COPY --from=opa /out/opa /app/.tools/bin/opa
COPY policy/package.json policy/
COPY policy/src/ policy/src/
COPY policy/rego/ policy/rego/
RUN node policy/src/cli.ts build

# --- Every package.json of the workspaces, and nothing else, so the install below is cached until they change. ---
FROM base AS manifests
COPY . /context
RUN cd /context \
  && find . -maxdepth 3 \( -name package.json -o -name package-lock.json -o -name .npmrc \) -type f \
     -exec cp --parents {} /app/ \;

# --- Production dependencies only (the pinned `node` devDependency is not needed: this image is Node). ---
FROM base AS deps
COPY --from=manifests /app/ ./
RUN --mount=type=cache,target=/root/.npm \
  npm ci --omit=dev --no-audit --no-fund

# --- Sources over the dependencies; owned by root, so the service (user node) cannot change its own code. ---
FROM base AS app
COPY --from=deps /app/ ./
COPY . .
# The only writable place: the default data dir (the identity provider's keys; PGlite when no DATABASE_URL).
RUN mkdir -p /app/.data && chown node:node /app/.data
# MALLOC_TRIM_THRESHOLD_: as npm start sets it (packages/platform/src/partEnvironment.ts): freed memory goes back.
ENV HOST=0.0.0.0 MALLOC_TRIM_THRESHOLD_=131072
# The image's `node` user (uid 1000): numeric, so that a runAsNonRoot check can see it.
USER 1000:1000
# Alive = GET /health answers 200 (node:*-slim has no curl). /ready, which also checks dependencies, is for load balancers.
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --start-interval=2s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# --- One target per part: its port and entry file, as in scripts/services.ts. ---
FROM app AS registry
ENV PORT=4001
EXPOSE 4001
CMD ["node", "subgraphs/registry/src/main.ts"]

FROM app AS drp-legacy
ENV PORT=9091
EXPOSE 9091
CMD ["node", "simulators/drp-legacy/src/main.ts"]

FROM app AS dmt-legacy
ENV PORT=9092
EXPOSE 9092
CMD ["node", "simulators/dmt-legacy/src/main.ts"]

FROM app AS drp-rest
ENV PORT=4002
EXPOSE 4002
CMD ["node", "adapters/drp-rest/src/main.ts"]

FROM app AS dmt-soap
ENV PORT=4003
EXPOSE 4003
CMD ["node", "adapters/dmt-soap/src/main.ts"]

FROM app AS identity-provider
ENV PORT=9000
EXPOSE 9000
CMD ["node", "identity-provider/src/main.ts"]

FROM app AS time-stamping-authority
ENV PORT=9093
EXPOSE 9093
CMD ["node", "time-stamping-authority/src/main.ts"]

FROM app AS exchange
ENV PORT=4004
EXPOSE 4004
CMD ["node", "subgraphs/exchange/src/main.ts"]

FROM app AS consent-engine
ENV PORT=8081
EXPOSE 8081
CMD ["node", "consent-engine/src/main.ts"]

FROM app AS gateway
COPY --from=policy /app/policy/dist/ /app/policy/dist/
ENV PORT=4000 POLICY_DIR=/app/policy/dist
EXPOSE 4000
CMD ["node", "gateway/src/main.ts"]

FROM app AS console
ENV PORT=8082
EXPOSE 8082
CMD ["node", "console/src/main.ts"]
