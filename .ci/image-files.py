#!/usr/bin/env python3
"""Checks the files of the Action's image, read from a container's export (a tar on stdin):

- only the binary and the CA bundle (no shell, nothing else), besides the few files a container
  engine itself puts into every container (docker's /.dockerenv, /etc/hosts, …);
- the binary needs no loader (no ELF PT_INTERP: static, so `FROM scratch` can run it);
- the CA bundle is where rustls-native-certs looks first on Linux and holds PEM certificates
  that Python's OpenSSL loads as CAs (at least MIN_CAS of them: a real bundle, not a stub).

Usage: <engine> export CONTAINER | image-files.py. Standard library only.
"""

import io
import ssl
import struct
import sys
import tarfile
import tempfile

BINARY = "failure-digest"
CA_BUNDLE = "etc/ssl/certs/ca-certificates.crt"
# Made by the engine in every container, not part of the image: docker's init layer (moby's
# daemon/initlayer) and podman's /run/.containerenv.
ENGINE_FILES = {".dockerenv", "dev/console", "etc/hostname", "etc/hosts", "etc/resolv.conf",
                "etc/mtab", "run/.containerenv"}
# Debian's and alpine's bundles hold about 140; a CA bundle of a handful is not the real one.
MIN_CAS = 100
PT_INTERP = 3


def interpreter(elf):
    """The loader an ELF executable asks for, or None for a static one."""
    if elf[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    wide, little = elf[4] == 2, elf[5] == 1
    order = "<" if little else ">"
    if wide:
        phoff, = struct.unpack_from(order + "Q", elf, 0x20)
        phentsize, phnum = struct.unpack_from(order + "HH", elf, 0x36)
    else:
        phoff, = struct.unpack_from(order + "I", elf, 0x1C)
        phentsize, phnum = struct.unpack_from(order + "HH", elf, 0x2A)
    for i in range(phnum):
        at = phoff + i * phentsize
        p_type, = struct.unpack_from(order + "I", elf, at)
        if p_type == PT_INTERP:
            word = order + ("Q" if wide else "I")
            offset, = struct.unpack_from(word, elf, at + (8 if wide else 4))
            size, = struct.unpack_from(word, elf, at + (32 if wide else 16))
            return elf[offset:offset + size].rstrip(b"\0").decode()
    return None


def main():
    archive = tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read()))
    members = {m.name.lstrip("./").rstrip("/"): m for m in archive.getmembers()}
    files = {name for name, m in members.items() if not m.isdir()} - ENGINE_FILES
    failed = []

    extra = sorted(files - {BINARY, CA_BUNDLE})
    if extra:
        failed.append(f"the image holds more than the binary and the CA bundle: {extra[:20]}")
    if BINARY not in files:
        failed.append(f"no /{BINARY} in the image")
    else:
        loader = interpreter(archive.extractfile(members[BINARY]).read())
        if loader:
            failed.append(f"/{BINARY} needs the loader {loader}, which a scratch image lacks: "
                          "build it for a musl target")
        else:
            print(f"image-files: /{BINARY} is static")
    if CA_BUNDLE not in files:
        failed.append(f"no CA bundle at /{CA_BUNDLE}: octocrab's TLS client will not start")
    else:
        with tempfile.NamedTemporaryFile(suffix=".pem") as pem:
            pem.write(archive.extractfile(members[CA_BUNDLE]).read())
            pem.flush()
            try:
                context = ssl.create_default_context(cafile=pem.name)
                cas = context.cert_store_stats()["x509_ca"]
            except ssl.SSLError as error:
                cas, why = 0, error
            else:
                why = "too few for a real bundle"
        if cas < MIN_CAS:
            failed.append(f"/{CA_BUNDLE} has {cas} CA certificates ({why}); expected {MIN_CAS}+")
        else:
            print(f"image-files: /{CA_BUNDLE} holds {cas} CA certificates")

    for problem in failed:
        print(f"::error file=Dockerfile::{problem}")
    if not failed:
        print("image-files: only the static binary and the CA bundle, no shell")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
