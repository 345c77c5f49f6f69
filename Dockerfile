# livecall: the application (control plane, calls, embedded media engine).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm install --no-save --no-audit --no-fund tsx
COPY src ./src
COPY tsconfig.json ./
ENV HTTP_HOST=0.0.0.0
EXPOSE 3000
CMD ["npx", "tsx", "src/main.ts"]
