# failure-digest as a container action: `FROM scratch` with two files, the static musl binary and
# a CA bundle for its TLS client. No shell, no package manager, no /etc/passwd. Target: <= 15 MB.
#
#   docker build .                     compiles the binary here (the `build` stage), for one arch;
#                                      the CA bundle is alpine's ca-certificates of that stage
#   docker buildx build --platform linux/amd64,linux/arm64 --build-arg BINARY=prebuilt .
#                                      takes dist/linux-<arch>/failure-digest and
#                                      dist/ca-certificates.crt: nothing is compiled or pulled
#
# The prebuilt path is what release.yml publishes (its `binaries` job builds the musl binaries
# with cargo-zigbuild; the CA bundle is the build machine's, Ubuntu's ca-certificates) and what
# .ci/container builds and runs offline with podman (Debian's ca-certificates). With it no stage
# compiles, so a multi-arch image needs no QEMU, and only `scratch` is named, so no registry is
# asked for anything (no `# syntax=` line either: BuildKit would pull that frontend image; its
# built-in one reads everything here). The build image is pinned by tag; Dependabot
# (.github/dependabot.yml) proposes its bumps.

# Where the binary and the CA bundle come from: `build` (compile here) or `prebuilt` (dist/).
ARG BINARY=build

FROM rust:1.95-alpine AS build
# Set by buildx to the platform being built (amd64, arm64).
ARG TARGETARCH
# ring compiles C: gcc (already in the rust image) needs the musl headers and crt files.
# ca-certificates: the bundle the final image carries (/etc/ssl/certs/ca-certificates.crt).
# Not version-pinned: alpine drops old package versions from its mirrors, which breaks pinned builds.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev ca-certificates
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
# The stage's result, laid out as the `prebuilt` stage lays out dist/: /failure-digest and
# /ca-certificates.crt.
RUN T="$(cat /rust-target)" \
 && cargo build --release --locked --target "$T" --bin failure-digest \
 && cp "target/$T/release/failure-digest" /failure-digest \
 && cp /etc/ssl/certs/ca-certificates.crt /ca-certificates.crt

# A binary built elsewhere (cargo-zigbuild musl builds), one per platform, and the CA bundle that
# the caller put beside them (a PEM file of CA certificates, e.g. Debian's or Ubuntu's
# /etc/ssl/certs/ca-certificates.crt).
FROM scratch AS prebuilt
ARG TARGETARCH
COPY dist/linux-${TARGETARCH}/failure-digest /failure-digest
COPY dist/ca-certificates.crt /ca-certificates.crt

# hadolint ignore=DL3006
FROM ${BINARY} AS binary

FROM scratch
LABEL org.opencontainers.image.title="failure-digest" \
      org.opencontainers.image.description="Reports why a GitHub Actions workflow run failed: a step summary and a sticky PR comment" \
      org.opencontainers.image.source="https://github.com/failure-digest/failure-digest" \
      org.opencontainers.image.documentation="https://github.com/failure-digest/failure-digest#readme" \
      org.opencontainers.image.licenses="MIT"
# Where rustls-native-certs (through openssl-probe) looks first on Linux. octocrab builds its TLS
# client from these roots, even for an http:// API, and refuses to start without any: a missing
# bundle fails every run at its first line, which .ci/container checks.
COPY --from=binary /ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=binary /failure-digest /failure-digest
# No USER: GitHub runs container actions as root, and the file-command files it mounts
# ($GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY under /github/file_commands) are root-owned.
ENTRYPOINT ["/failure-digest"]
