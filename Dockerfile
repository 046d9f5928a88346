# syntax=docker/dockerfile:1
# DJP Workflow server: the hosted web build (API + built React UI) in one container.
# Config comes only from the environment (see docs/DEPLOYMENT.md); no secrets are baked in.

ARG NODE_VERSION=24.22.3

# --- build: compile TypeScript to dist/ and the renderer to dist/renderer (plain JS: built once on the
# build platform, copied into every target platform's image) ---------------------------------------
FROM --platform=$BUILDPLATFORM node:${NODE_VERSION}-slim AS build
WORKDIR /app
# Electron's binary is for the desktop build only; never download it here.
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
COPY package.json package-lock.json ./
# --ignore-scripts: no Electron binary download and no native keytar build (neither is part of the server);
# tsc and Vite need no install scripts.
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build

# --- runtime: production dependencies only, non-root ------------------------------------------------
FROM node:${NODE_VERSION}-slim AS runtime
# The commit the image was built from, recorded in every run's provenance (CI passes it).
ARG GIT_SHA=""
ENV NODE_ENV=production \
    GIT_SHA=${GIT_SHA} \
    HOST=0.0.0.0 \
    PORT=8080 \
    RUNS_DIR=/data/runs \
    DJP_OUTBOX_DIR=/data/outbox \
    DJP_FALLBACK_DIR=/data/unsaved \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/prune-node-modules.mjs ./scripts/
# keytar (desktop keychain) is optional and would need a native build: leave it out. Source maps and
# type declarations are never run: pruned (bench/install-size.ts measures this same payload).
RUN npm ci --omit=dev --omit=optional --ignore-scripts \
 && node scripts/prune-node-modules.mjs node_modules \
 && npm cache clean --force \
 && mkdir -p /data/runs /data/outbox /data/unsaved \
 && chown -R node:node /data
COPY --from=build /app/dist ./dist
# Node 22+ V8 compile cache, filled once here for the target platform: faster cold starts.
ENV NODE_COMPILE_CACHE=/app/.node-compile-cache
RUN node dist/server/cli.js --version >/dev/null
USER node
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/server/cli.js", "serve"]
