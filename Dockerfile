# Quorum API image: compiled TypeScript on Node 24 (LTS), talking to the PostgreSQL in DATABASE_URL.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY ml ./ml
COPY bench ./bench
COPY console ./console
COPY migrations ./migrations
RUN npm run -s build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The console's page shell and styles (its scripts are in dist/console).
COPY console/index.html console/console.css console/favicon.svg ./console/
COPY migrations ./migrations
COPY schema.graphql ./
# The README's CSV mappings and model files, so `quorum import --mapping examples/…` works in the container.
COPY examples ./examples
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The API server's heap, as `npm run bench` measures it: the cap makes V8 collect before the process
# grows (RSS stays under 300 MB under load), larger semi-spaces let a request's objects die young.
# Flags, not NODE_OPTIONS: CLI commands and the training process keep Node's defaults.
CMD ["node", "--max-old-space-size=320", "--max-semi-space-size=32", "dist/src/cli/main.js", "serve"]
