# Catalynx: a release build in a Swift image, run as a non-root user in a slim one.
# Mirrors what .ci/run proves on Debian bookworm (libsqlite3-dev to build, Swift 6.1+).
# Not built in this project's CI (no container runtime there); see README "Deployment".
FROM swift:6.1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources Sources
COPY Tests Tests
RUN swift build -c release --product catalynx \
 && mkdir -p /opt/catalynx/bin \
 && cp "$(swift build -c release --show-bin-path)/catalynx" /opt/catalynx/bin/ \
 && cp -R "$(swift build -c release --show-bin-path)"/*.resources /opt/catalynx/bin/

FROM swift:6.1-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-0 curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /var/lib/catalynx catalynx
COPY --from=build /opt/catalynx/bin /opt/catalynx/bin
COPY workflows /opt/catalynx/workflows
COPY baml_src /opt/catalynx/baml_src
COPY data /opt/catalynx/data
ENV CATALYNX_HOME=/var/lib/catalynx \
    CATALYNX_WORKFLOWS_DIR=/opt/catalynx/workflows \
    CATALYNX_BAML_DIR=/opt/catalynx/baml_src \
    CATALYNX_DATA_DIR=/opt/catalynx/data
USER catalynx
WORKDIR /var/lib/catalynx
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["/opt/catalynx/bin/catalynx"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
