# gokv node image. Build: `docker build -t gokv:local .` (docker-compose.yml does it for you).
# Stage 1 compiles the TypeScript; stage 2 holds only production dependencies, the compiled
# JavaScript, the .proto files and the default config.yml, and runs as the unprivileged `node` user.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY proto ./proto
COPY cmd ./cmd
COPY internal ./internal
COPY scripts/finish-build.mjs ./scripts/
RUN npm run build

FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY proto ./proto
COPY config.yml ./
# data/ holds snapshots (GOKV_PERSISTENCE_PATH defaults to data/<node id>.snapshot);
# certificates are mounted read-only at /app/certs, never baked into the image.
RUN mkdir -p /app/data /app/certs && chown node:node /app/data
USER node
# 7946 internal gRPC (node to node), 50051 external gRPC, 8080 REST, 6379 Redis protocol (RESP).
EXPOSE 7946 50051 8080 6379
CMD ["node", "dist/cmd/gokv/main.js"]
