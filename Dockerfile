# livecall: the application (control plane, calls, media engines), run as compiled JavaScript.
# Stage 1 installs every dependency from the lock file (npm ci: lock drift fails the build),
# builds the native RTP I/O addon (native/rtp_io.c, node-gyp: python3, make, g++) and
# compiles src/ to dist/ (tsconfig.build.json); then drops the dev dependencies.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json binding.gyp tsconfig.json tsconfig.build.json ./
COPY scripts/build-native.mjs ./scripts/
COPY native ./native
RUN npm ci --no-audit --no-fund
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Stage 2: Node, the production node_modules, the addon, dist/ and the console's static files.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build/Release ./build/Release
COPY --from=build /app/dist ./dist
COPY console ./console
ENV HTTP_HOST=0.0.0.0
EXPOSE 3000
RUN mkdir -p /app/recordings && chown node:node /app/recordings
USER node
CMD ["node", "dist/main.js"]
