# One image for both scale-out processes: `node dist/src/api.js` and `node dist/src/worker.js`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The web pages are static files read from src/web/public (tsc does not copy them into dist/).
COPY --from=build /app/src/web/public ./src/web/public
COPY package.json ./
USER node
CMD ["node", "dist/src/api.js"]
