# syntax=docker/dockerfile:1
#
# One image for the portal, the console, the worker and the migration
# command. The first argument selects what runs:
#
#   docker run IMAGE portal                       (port 3000)
#   docker run IMAGE console                      (port 3001)
#   docker run IMAGE worker                       (port 3002, health only)
#   docker run IMAGE migrate                      (applies pending migrations, then exits)
#   docker run IMAGE tenants apply /manifests/x   (provisions one tenant manifest)
#
# Configuration comes from environment variables only; README.md lists them.

# The tag pins Node and Debian. Pin the digest as well (NODE_IMAGE=node:…@sha256:…)
# when the registry that builds the image allows it.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# Build: every dependency, TypeScript compiled to dist/ with its templates
# and static files.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV PUPPETEER_SKIP_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY libs ./libs
COPY apps ./apps
RUN npm run build

# Production dependencies only, from the same lock file.
FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
ENV PUPPETEER_SKIP_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
  && npm cache clean --force

# Runtime: Node, Debian's Chromium and fonts for PDFs, tini as PID 1 so
# Chromium processes left behind by a crashed browser are reaped, and an
# unprivileged user. No compiler, no TypeScript, no dev dependencies.
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends \
    chromium \
    fonts-dejavu-core \
    fonts-liberation \
    tini \
  && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 portal \
  && useradd --system --uid 10001 --gid portal --home-dir /home/portal --create-home --shell /usr/sbin/nologin portal

WORKDIR /app
# LISTEN_HOST: the apps listen on 127.0.0.1 by default, which nothing
# outside a container can reach.
ENV NODE_ENV=production \
  LISTEN_HOST=0.0.0.0 \
  PUPPETEER_SKIP_DOWNLOAD=1 \
  CHROMIUM_PATH=/usr/bin/chromium \
  HOME=/home/portal

COPY --from=production-dependencies --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist/apps ./dist/apps
COPY --from=build --chown=root:root /app/dist/libs ./dist/libs
COPY --chown=root:root package.json ./
COPY --chown=root:root --chmod=0755 scripts/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh

# The application files stay owned by root, so the app user cannot change them.
USER 10001:10001
EXPOSE 3000 3001 3002

# No HEALTHCHECK: the port to check depends on the command (the migration
# has none), and Kubernetes ignores it in favour of the chart's probes on
# /health/live and /health/ready. Compose users can add one per service.
HEALTHCHECK NONE

ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/docker-entrypoint.sh"]
CMD ["portal"]
