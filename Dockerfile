# syntax=docker/dockerfile:1
# stripe-inbox: `docker build -t stripe-inbox .`, then `docker run -p 4242:4242 stripe-inbox` (PGlite in /data),
# or with DATABASE_URL for Postgres. docker-compose.yml runs it beside Postgres and the Stripe CLI.

# Compiles the TypeScript with the dev dependencies. --ignore-scripts: `prepare` would build before src is copied.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Production dependencies only; none of them needs an install script.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4242 \
    STRIPE_INBOX_DATA_DIR=/data
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# `stripe-inbox` on the PATH, for `docker compose exec app stripe-inbox events list`; /data for PGlite and the
# dev secret, writable by the unprivileged user the server runs as.
RUN chmod +x dist/cli/main.js \
 && ln -s /app/dist/cli/main.js /usr/local/bin/stripe-inbox \
 && mkdir -p /data \
 && chown node:node /data
USER node
EXPOSE 4242
# node, not curl: the slim image has no curl. Any non-2xx or no answer within the timeout is unhealthy.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4242) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["stripe-inbox"]
CMD ["serve"]
