# mac-pool's container image: the operators' release tarball (npm run release) installed on node 20,
# so the container runs exactly what the tarball and the .deb hold. The build needs no network.
# Build, from the repository (the context is release/, which holds only the artefacts):
#   npm run release                       # release/mac-pool-<version>.tar.gz
#   podman build --format docker -f docker/mac-pool.Dockerfile -t mac-pool release/
#   docker build -f docker/mac-pool.Dockerfile -t mac-pool release/
# (--format docker keeps the HEALTHCHECK, which podman's default OCI format drops.) Where
# node:20-bookworm-slim cannot be pulled, pass an equivalent image: --build-arg BASE=<image>.
# Run: as user node (uid 1000), with a read-only root file system:
#   podman run --read-only -e DATABASE_URL=postgres://... -e MACPOOL_ADMIN_TOKEN=... -p 8080:8080 mac-pool
# With DATABASE_URL and the admin token given, nothing is written: no volume, no tmpfs. Without
# DATABASE_URL an embedded PostgreSQL runs: give it a volume for its data (and the generated admin
# token) and a tmpfs for its temporary files: -v mac-pool-data:/var/lib/mac-pool --tmpfs /tmp
ARG BASE=node:20-bookworm-slim

FROM ${BASE} AS install
COPY mac-pool-*.tar.gz /tmp/release/
RUN set -e; cd /tmp/release; set -- mac-pool-*.tar.gz; \
    [ $# -eq 1 ] || { echo "one mac-pool-*.tar.gz expected in the build context, found: $*" >&2; exit 1; }; \
    tar --no-same-owner -xzf "$1"; \
    bash "${1%.tar.gz}/install.sh" --root /

FROM ${BASE}
COPY --from=install /opt/mac-pool /opt/mac-pool
RUN mkdir -p /var/lib/mac-pool && chown node:node /var/lib/mac-pool
WORKDIR /opt/mac-pool/current
# SHUTDOWN_TIMEOUT_MS: the drain of a SIGTERM ends before the runtime's default 10 s stop timeout.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 MACPOOL_DATA_DIR=/var/lib/mac-pool SHUTDOWN_TIMEOUT_MS=8000
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "/opt/mac-pool/current/dist/apps/mac-pool/src/main.js"]
