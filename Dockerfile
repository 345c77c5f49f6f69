# livecall: the application (control plane, calls, embedded media engine).
# Stage 1 builds the native RTP I/O (native/rtp_io.c) with node-gyp, which needs a compiler.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json binding.gyp ./
COPY scripts/build-native.mjs ./scripts/
COPY native ./native
RUN npm ci --omit=dev --no-audit --no-fund && npm install --no-save --no-audit --no-fund tsx

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
COPY package.json tsconfig.json ./
COPY src ./src
ENV HTTP_HOST=0.0.0.0
EXPOSE 3000
CMD ["npx", "tsx", "src/main.ts"]
