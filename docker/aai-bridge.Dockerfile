# aai-bridge's container image: the operators' release tarball (npm run release) installed on node 20,
# so the container runs exactly what the tarball and the .deb hold. The build needs no network.
# Build, from the repository (the context is release/, which holds only the artefacts):
#   npm run release                       # release/aai-bridge-<version>.tar.gz
#   podman build --format docker -f docker/aai-bridge.Dockerfile -t aai-bridge release/
#   docker build -f docker/aai-bridge.Dockerfile -t aai-bridge release/
# (--format docker keeps the HEALTHCHECK, which podman's default OCI format drops.) Where
# node:20-bookworm-slim cannot be pulled, pass an equivalent image: --build-arg BASE=<image>.
# Run: as user node (uid 1000), with a read-only root file system:
#   podman run --read-only -v "$PWD/keys":/keys:ro -e DATABASE_URL=postgres://... -e AAI_PUBLIC_URL=https://... \
#            -e AAI_SP_KEY=/keys/sp.key -e AAI_SP_CERT=/keys/sp.crt -e AAI_IDP_METADATA=/keys/idp-metadata.xml \
#            -e AAI_SECRET_KEY=... -e AAI_ADMIN_TOKEN=... -p 8081:8081 aai-bridge
# With DATABASE_URL and the admin token given, nothing is written: no volume, no tmpfs. Without
# DATABASE_URL an embedded PostgreSQL runs: give it a volume for its data (and the generated admin
# token) and a tmpfs for its temporary files: -v aai-bridge-data:/var/lib/aai-bridge --tmpfs /tmp
ARG BASE=node:20-bookworm-slim

FROM ${BASE} AS install
COPY aai-bridge-*.tar.gz /tmp/release/
RUN set -e; cd /tmp/release; set -- aai-bridge-*.tar.gz; \
    [ $# -eq 1 ] || { echo "one aai-bridge-*.tar.gz expected in the build context, found: $*" >&2; exit 1; }; \
    tar --no-same-owner -xzf "$1"; \
    bash "${1%.tar.gz}/install.sh" --root /

FROM ${BASE}
COPY --from=install /opt/aai-bridge /opt/aai-bridge
RUN mkdir -p /var/lib/aai-bridge && chown node:node /var/lib/aai-bridge
WORKDIR /opt/aai-bridge/current
# SHUTDOWN_TIMEOUT_MS: the drain of a SIGTERM ends before the runtime's default 10 s stop timeout.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8081 AAI_DATA_DIR=/var/lib/aai-bridge SHUTDOWN_TIMEOUT_MS=8000
USER node
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "/opt/aai-bridge/current/dist/apps/aai-bridge/src/main.js"]
