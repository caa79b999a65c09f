# Build: docker build -f docker/aai-bridge.Dockerfile -t aai-bridge .
# Run:   docker run -e DATABASE_URL=... -e AAI_PUBLIC_URL=... -e AAI_SP_KEY=/keys/sp.key -e AAI_SP_CERT=/keys/sp.crt -e AAI_IDP_METADATA=... -e AAI_SECRET_KEY=... -e HOST=0.0.0.0 -p 8081:8081 aai-bridge
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps apps
COPY libs libs
COPY bin bin
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8081
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/bin bin
COPY package.json ./
USER node
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8081)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/apps/aai-bridge/src/main.js"]
