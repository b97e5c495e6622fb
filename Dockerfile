# lambda-sandbox: an AWS Lambda execution environment as a container image.
#
#   docker build -t lambda-sandbox .
#   docker run --rm -p 127.0.0.1:9000:8080 -v "$PWD:/var/task:ro" lambda-sandbox index.handler
#
# Nothing here needs a registry when the base image is present locally and node_modules/ is in the build context
# (run `npm ci` first): build with --pull=false and --build-arg BASE_IMAGE=<a local Node image>, or use
# scripts/build-image.sh. Without node_modules/ in the context the build stage runs `npm ci` (needs the npm registry).

# BASE_IMAGE: the image the product runs on. BUILD_IMAGE: where it is compiled (a C compiler there builds the
# init's native addon; without one the addon comes from the context or is left out).
ARG BASE_IMAGE=node:24-bookworm-slim
ARG BUILD_IMAGE=${BASE_IMAGE}

# ---------------------------------------------------------------------------------------------------------------
# build: compile the TypeScript and collect the init's runtime files.
FROM ${BUILD_IMAGE} AS build
# Lets `lambda-sandbox cleanup --images` find this stage's untagged images (the classic builder keeps them).
LABEL dev.lambda-sandbox.managed="true" dev.lambda-sandbox.role="build-stage"
WORKDIR /build
COPY package.json package-lock.json ./
# Copy node_modules/ if the context has it. The glob lets the build go on without it; the COPY needs one source
# that always exists, hence package.json, removed again right after.
COPY package.json node_module[s] ./node_modules/
RUN rm node_modules/package.json \
 && if [ ! -e node_modules/typescript/package.json ]; then npm ci --ignore-scripts --no-audit --no-fund; fi
COPY tsconfig.json ./
COPY src ./src
# Only src/ is in the context (tsconfig also lists test/ and bench/), so only node's types are needed.
RUN node node_modules/typescript/bin/tsc -p . --types node --outDir dist --declaration false
# The init's native addon (orphan reaping as PID 1): compiled here when the build image has a C compiler
# (e.g. BUILD_IMAGE=node:24-bookworm), else taken from the context when `npm run build` made it on the host
# (Node-API, so one build serves every Node version), else the init runs without it and says so.
COPY package.json dis[t]/src/process/native/sandbox_native.node ./prebuilt/
RUN native=dist/src/process/native; \
    if [ -e $native/build.js ] && command -v cc >/dev/null; then node $native/build.js --optional; fi; \
    if [ -e $native/build.js ] && [ ! -e $native/sandbox_native.node ]; then \
      if [ -e prebuilt/sandbox_native.node ]; then \
        cp prebuilt/sandbox_native.node $native/ && echo "sandbox native addon: the one built on the host (from dist/)"; \
      else node $native/build.js --optional; fi; \
    fi
COPY scripts/image ./image
# The host library and the service come along (with dockerode) for `docker run ... lambda-sandbox serve`; the init
# never loads them.
RUN node image/collect-runtime.js /build dist/src /out \
 && cp image/entrypoint.js image/healthcheck.js /out/ \
 && chmod -R a+rX,go-w /out

# ---------------------------------------------------------------------------------------------------------------
# The product image.
FROM ${BASE_IMAGE}

# Lambda runs functions as sbx_user1051 (uid 993, gid 990). The init stays root (it unpacks into root-owned
# /var/task and /opt, and may use cgroups) and starts the runtime and extensions as this user.
RUN echo 'sbx_user1051:x:993:990::/tmp:/sbin/nologin' >> /etc/passwd \
 && echo 'sbx_user1051:x:990:' >> /etc/group \
 && mkdir -p /var/task /opt /var/runtime /var/sandbox/layers /tmp \
 && chown root:root /var/task /opt /var/runtime /var/sandbox /var/sandbox/layers \
 && chmod 755 /var/task /opt /var/runtime /var/sandbox /var/sandbox/layers \
 && chmod 1777 /tmp

COPY --from=build /out /usr/local/lib/lambda-sandbox

ENV LAMBDA_SANDBOX_RUN_AS=993:990
WORKDIR /var/task
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "/usr/local/lib/lambda-sandbox/healthcheck.js"]
# Exec form straight to node: the init is PID 1 from its first instruction, and entrypoint.js's first statement
# holds SIGTERM/SIGINT until the init's shutdown handler exists (PID 1 ignores signals it has no handler for).
# `--max-semi-space-size=2`: a smaller young generation keeps the init's RSS low between invokes (bench/README.md).
ENTRYPOINT ["node", "--max-semi-space-size=2", "/usr/local/lib/lambda-sandbox/entrypoint.js"]
