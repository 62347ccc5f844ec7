# syntax=docker/dockerfile:1.7
#
# One image per service from one Dockerfile:
#   docker build --build-arg APP=booking -t storage-rental/booking:dev .
# APP is one of: gateway, booking, payment, storage-assign, mypage.
#
# Stages: `deps` installs production dependencies only, `build` compiles the whole monorepo with
# the dev toolchain, `runtime` gets the production node_modules plus the compiled code of one app
# and the shared libs. The two install stages depend only on package*.json, so editing code
# reuses both npm layers.

# Node 22 LTS (20 left support in April 2026); CI also tests 24.
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# Production dependencies. --ignore-scripts: no runtime dependency needs an install script (the
# only one that has one, @scarf/scarf, is usage telemetry and is denied in package.json too).
FROM base AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts

# Compile the whole monorepo. It does not depend on APP, so the five image builds share this stage
# (and its cache) instead of compiling five times. The build is plain tsc + tsc-alias: dev
# dependencies with install steps (swc for jest, esbuild for tsx, embedded-postgres) need not run
# them here either.
FROM base AS build
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY libs ./libs
COPY apps ./apps
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# tini as PID 1: Node as PID 1 gets no default signal dispositions from the kernel, so a SIGTERM
# that arrives before the service installs its handler (during start-up) would be ignored and the
# pod would wait out its whole grace period. tini forwards SIGTERM to node, which then drains
# (readiness turns 503, in-flight requests and Kafka messages finish, connections close) within
# SHUTDOWN_TIMEOUT_MS, and it reaps zombies. Kubernetes has no `docker run --init`, hence the
# binary in the image. npm, npx, corepack and yarn are removed: nothing runs them at runtime.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/* \
    && rm -rf /usr/local/lib/node_modules /opt/yarn-* \
        /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg
WORKDIR /app
ENV NODE_ENV=production
# A service's live heap is about 40-45 MB; without a limit V8 lets garbage pile up in old space and a
# service sits at 200-250 MB after a few thousand bookings. Override NODE_OPTIONS to change it.
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=8"
# Two malloc arenas instead of one per allocating thread (up to 8 per core): 4-8 MB less resident
# memory per service, no change in CPU (docs/scaling.md).
ENV MALLOC_ARENA_MAX=2
# Everything stays owned by root and read-only to the service user: the process cannot modify
# its own code, and the root filesystem can be mounted read-only (only /tmp needs to be writable).
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/libs ./dist/libs

# Only from here on does the image depend on APP, so the layers above are shared by all five.
ARG APP
RUN --mount=type=bind,from=build,source=/app/dist/apps,target=/tmp/apps \
    test -n "${APP}" && test -f "/tmp/apps/${APP}/src/main.js" \
    || { echo "Build with --build-arg APP=<name of a folder in apps/>; got '${APP}'" >&2; exit 1; }
COPY --from=build /app/dist/apps/${APP} ./dist/apps/${APP}
ENV APP=${APP}
LABEL org.opencontainers.image.title="storage-rental-${APP}" \
      org.opencontainers.image.description="Storage rental platform: the ${APP} service" \
      org.opencontainers.image.licenses="MIT"
# The numeric uid of the image's `node` user, so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# Documentation only: the service listens on PORT (gateway 8080, booking 8081, payment 8082,
# storage-assign 8083, mypage 8084); the gateway serves its metrics on METRICS_PORT (9464).
EXPOSE 8080-8084 9464
# No HEALTHCHECK: Kubernetes ignores it (the chart declares liveness, readiness and startup
# probes) and docker-compose.yml declares a readiness check per service.
ENTRYPOINT ["/usr/bin/tini", "--"]
# Exec form cannot expand ${APP}, so a shell resolves the path and `exec`s node in its own place:
# node, not sh, is the process tini signals.
CMD ["/bin/sh", "-c", "exec node dist/apps/${APP}/src/main.js"]
