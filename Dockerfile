# The API and the built admin app in one image; PostgreSQL comes from docker-compose.yml.
FROM node:22-bookworm-slim
WORKDIR /app

# Manifests first, so the `npm ci` layer is reused until a dependency changes.
# A new workspace package needs its package.json listed here too.
COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/
COPY apps/admin/package.json apps/admin/
COPY packages/contracts/package.json packages/contracts/
COPY packages/db/package.json packages/db/
COPY packages/domain/package.json packages/domain/
# Dev dependencies included: the build needs vite, and the server runs TypeScript through tsx.
RUN npm ci --no-audit --no-fund

COPY . .
RUN npm run build

# Set after the build on purpose: `npm ci` under production would skip the dev dependencies above. In production
# the config refuses to start without a real JWT_SECRET, so the image is safe to run outside compose too.
ENV NODE_ENV=production
# Without DATABASE_URL the server keeps an embedded database under .data/, which the node user must own.
RUN mkdir -p .data && chown node:node .data
USER node
EXPOSE 3000
CMD ["npx", "tsx", "apps/api/src/server.ts"]
