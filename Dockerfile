# Build stage: install every dependency from the lockfile and compile TypeScript.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY schemas ./schemas
RUN npm ci --no-audit --no-fund

# Runtime stage: production dependencies and the compiled CLI only, as a non-root user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY schemas ./schemas
RUN ln -s /app/dist/cli/main.js /usr/local/bin/dss-gitops && chmod +x /app/dist/cli/main.js
USER node
WORKDIR /workspace
ENTRYPOINT ["dss-gitops"]
CMD ["--help"]
