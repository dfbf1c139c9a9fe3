# Build stage: install every dependency from the lockfile and bundle the CLI.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# esbuild reads tsconfig.json (class fields follow its target).
COPY tsconfig.json ./
COPY src ./src
COPY schemas ./schemas
COPY scripts/build.ts scripts/cached-program.ts scripts/simulator-process.ts scripts/precompile-schemas.mjs scripts/undici-no-h2.cjs ./scripts/
# The build runs the CLI on the example to make V8's cached data of its code (scripts/build.ts --code-cache).
COPY manifests-example ./manifests-example
# npm ci runs the `prepare` script, which bundles src/ into dist/ and precompiles the schemas' validators.
RUN npm ci --no-audit --no-fund && test -f dist/cli/main.js

# Runtime stage: production dependencies and the compiled CLI only, as a non-root user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# tini runs as PID 1: it forwards SIGTERM to node (which then finishes its run and exits 0) and reaps the git
# processes node starts, as `docker run --init` would; openssh-client lets git clone over SSH with a mounted key.
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates tini openssh-client \
  && rm -rf /var/lib/apt/lists/*
# Users bind-mount their checkout (`-v "$PWD:/workspace"`), owned by their uid, not by node: git then refuses it
# ("dubious ownership"), the repository root is not found, and runs in Docker record another source and no commit
# where npx records the checkout's. The image runs only this CLI on what the user mounted, so trust any directory.
RUN git config --system --add safe.directory '*'
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY schemas ./schemas
# `dss-gitops demo` reads the example manifests beside dist/ (src/cli/demo.ts).
COPY manifests-example ./manifests-example
COPY manifests-example-deployer ./manifests-example-deployer
COPY manifests-example-platform ./manifests-example-platform
# /workspace is where users mount their manifests and where the git cache and sim state go; the node user owns it.
RUN ln -s /app/dist/cli/main.js /usr/local/bin/dss-gitops && chmod +x /app/dist/cli/main.js \
  && mkdir -p /workspace && chown node:node /workspace
# HOME outside the image and outside the mounted checkout: git and ssh may write there (known hosts), and Kubernetes
# mounts /tmp writable while the root filesystem stays read-only. Any uid works: git trusts every directory (above).
ENV HOME=/tmp
USER node
WORKDIR /workspace
ENTRYPOINT ["/usr/bin/tini", "--", "dss-gitops"]
CMD ["--help"]
