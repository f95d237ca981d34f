"""Container test images made on this machine, offline: Debian's static busybox for the
tools (``sh``, ``wget``, ``httpd``…) and the host's bash with its libraries, imported
with ``docker import`` (no registry is reached). Tests skip without a running engine."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tarfile
from functools import cache
from pathlib import Path

BUSYBOX = "/bin/busybox"
_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@cache
def docker_ready() -> bool:
    if shutil.which("docker") is None or not os.path.exists(BUSYBOX):
        return False
    done = subprocess.run(["docker", "info"], capture_output=True, check=False)
    return done.returncode == 0


def _libraries(binary: str) -> list[str]:
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=False).stdout
    return [part for line in out.splitlines() for part in line.split()
            if part.startswith("/")]


def _root_files() -> dict[str, bytes]:
    """Image path → content (busybox's applets become links when the tar is written)."""
    files: dict[str, bytes] = {"bin/busybox": Path(BUSYBOX).read_bytes(),
                               "srv/ok": b"service-ok\n"}
    bash = os.path.realpath(shutil.which("bash") or "/bin/bash")
    files["usr/bin/bash"] = Path(bash).read_bytes()
    node = shutil.which("node")  # its libraries: the job container runs the host's node
    for binary in (bash, *([os.path.realpath(node)] if node else [])):
        for library in _libraries(binary):
            files[library.lstrip("/")] = Path(os.path.realpath(library)).read_bytes()
    return files


def _tarball(files: dict[str, bytes]) -> bytes:
    applets = sorted(set(subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True,
                                        check=True).stdout.split()))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for folder in ("tmp", "etc"):
            info = tarfile.TarInfo(folder)
            info.type, info.mode = tarfile.DIRTYPE, 0o1777 if folder == "tmp" else 0o755
            tar.addfile(info)
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
        for applet in applets:
            if f"bin/{applet}" in files or applet == "bash":
                continue
            info = tarfile.TarInfo(f"bin/{applet}")
            info.type, info.linkname = tarfile.SYMTYPE, "/bin/busybox"
            tar.addfile(info)
    return buffer.getvalue()


@cache
def box_image() -> str:
    """A tag for the test image (made once per content: the tag names its hash)."""
    data = _tarball(_root_files())
    tag = f"qmoi-test/box:{hashlib.sha256(data).hexdigest()[:12]}"
    found = subprocess.run(["docker", "image", "inspect", tag], capture_output=True,
                           check=False)
    if found.returncode != 0:
        subprocess.run(["docker", "import", "--change", f"ENV PATH={_PATH}",
                        "--change", 'CMD ["httpd", "-f", "-p", "8080", "-h", "/srv"]',
                        "-", tag], input=data, capture_output=True, check=True)
    return tag


def leftovers(label: str) -> tuple[list[str], list[str]]:
    """Containers and networks still carrying ``label``."""
    def listed(*args: str) -> list[str]:
        out = subprocess.run(["docker", *args, "--filter", f"label={label}", "-q"],
                             capture_output=True, text=True, check=True).stdout
        return out.split()

    return listed("ps", "-a"), listed("network", "ls")
