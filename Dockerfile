# syntax=docker/dockerfile:1
#
# failure-digest as a container action: a static musl binary on distroless/static (CA certificates,
# tzdata, /etc/passwd; no shell, no package manager). Target size: <= 15 MB.
#
#   docker build .                     compiles the binary here (the `build` stage), for one arch
#   docker buildx build --platform linux/amd64,linux/arm64 --build-arg BINARY=prebuilt .
#                                      takes dist/linux-<arch>/failure-digest, as release.yml does
#                                      with the static musl binaries its `binaries` job built
#
# With BINARY=prebuilt no stage compiles, so a multi-arch image needs no QEMU. The build image is
# pinned by tag, the runtime base by digest; Dependabot (.github/dependabot.yml) proposes bumps of
# both (for `tag@digest` it bumps the digest the tag now points at).

# Where the binary comes from: `build` (compile it here) or `prebuilt` (dist/, see above).
ARG BINARY=build

FROM rust:1.95-alpine AS build
# Set by buildx to the platform being built (amd64, arm64).
ARG TARGETARCH
# ring compiles C: gcc (already in the rust image) needs the musl headers and crt files.
# Not version-pinned: alpine drops old package versions from its mirrors, which breaks pinned builds.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src

# Map the Docker arch to the Rust target once; later steps read it back from /rust-target.
RUN case "${TARGETARCH:-amd64}" in \
      amd64) echo x86_64-unknown-linux-musl ;; \
      arm64) echo aarch64-unknown-linux-musl ;; \
      *) echo "unsupported TARGETARCH=${TARGETARCH}" >&2; exit 1 ;; \
    esac > /rust-target \
 && rustup target add "$(cat /rust-target)"

# Dependencies first: this layer only changes with Cargo.toml / Cargo.lock, so editing src/ does
# not download the registry again. Cargo refuses a manifest without targets, hence the stubs; the
# manifest names the benchmark's file explicitly ([[bench]]), so that file must exist too.
COPY Cargo.toml Cargo.lock ./
COPY benches ./benches
RUN mkdir src && echo 'fn main() {}' > src/main.rs && : > src/lib.rs \
 && cargo fetch --locked --target "$(cat /rust-target)" \
 && rm -r src

# The binary embeds templates/*.hbs with include_str!, so they are part of the build input.
COPY src ./src
COPY templates ./templates
ENV CARGO_PROFILE_RELEASE_STRIP=symbols
RUN T="$(cat /rust-target)" \
 && cargo build --release --locked --target "$T" --bin failure-digest \
 && cp "target/$T/release/failure-digest" /failure-digest

# A binary built elsewhere (release.yml's cargo-zigbuild musl builds), one per platform.
FROM scratch AS prebuilt
ARG TARGETARCH
COPY dist/linux-${TARGETARCH}/failure-digest /failure-digest

# hadolint ignore=DL3006
FROM ${BINARY} AS binary

# distroless publishes no versioned tags for static-debian12 (latest, nonroot, debug, ...): the
# tag is the Debian release; `:nonroot` would set USER 65532, which we must not (see below).
# The digest is the multi-arch image index (amd64 and arm64) that `:latest` named on 2026-09-16
# (`crane digest gcr.io/distroless/static-debian12:latest`, as recorded in cybozu/neco-containers
# #2113); distroless keeps old digests pullable, so the pin stays buildable until Dependabot bumps it.
FROM gcr.io/distroless/static-debian12:latest@sha256:d75cdd72874d4790092fcb1b058493ecf6bb5bf2b2b897045b00ff01d91843f2
LABEL org.opencontainers.image.title="failure-digest" \
      org.opencontainers.image.description="Reports why a GitHub Actions workflow run failed: a step summary and a sticky PR comment" \
      org.opencontainers.image.source="https://github.com/failure-digest/failure-digest" \
      org.opencontainers.image.documentation="https://github.com/failure-digest/failure-digest#readme" \
      org.opencontainers.image.licenses="MIT"
COPY --from=binary /failure-digest /failure-digest
# No USER: GitHub runs container actions as root, and the file-command files it mounts
# ($GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY under /github/file_commands) are root-owned.
ENTRYPOINT ["/failure-digest"]
