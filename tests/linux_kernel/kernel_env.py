"""Where the Linux-kernel test finds its tools (tests/linux_kernel).

The test module is built against Debian's linux-headers package and loaded in
Debian's kernel image of the same ABI (e.g. 6.1.0-57-amd64), which
.ci/install-deps unpacks (never installs) into
<cache>/linux-image-<abi>/boot/vmlinuz-<abi>. A missing piece is a skip
(exit SKIP, with the reason), never a pass.
"""

import os
import re
import shutil
import subprocess
import sys

SKIP = 77  # CTest SKIP_RETURN_CODE, as elsewhere in tests/
DEFAULT_CACHE = "/var/cache/x86msr"
HEADERS_META = "linux-headers-amd64"


class Missing(Exception):
    """A prerequisite that is not on this machine: the test is skipped."""


def skip(prog, reason):
    print(f"{prog}: SKIP: {reason}", flush=True)
    sys.exit(SKIP)


def fail(prog, reason):
    print(f"{prog}: FAIL: {reason}", flush=True)
    sys.exit(1)


def headers_abi_from_dpkg():
    """The ABI the linux-headers-amd64 meta-package points at, or None."""
    if not shutil.which("dpkg-query"):
        return None
    try:
        depends = subprocess.run(
            ["dpkg-query", "-W", "-f=${Depends}", HEADERS_META],
            capture_output=True, text=True, check=True).stdout
    except subprocess.CalledProcessError:
        return None
    m = re.match(r"linux-headers-(\S+)\s", depends)
    return m.group(1) if m else None


def find_headers(headers=None):
    """(headers directory, ABI). `headers`: an explicit directory, else the
    one linux-headers-amd64 depends on."""
    if headers:
        if not os.path.isfile(os.path.join(headers, "Makefile")):
            raise Missing(f"no kernel headers at {headers} (no Makefile there)")
        name = os.path.basename(os.path.normpath(headers))
        abi = name[len("linux-headers-"):] if name.startswith("linux-headers-") else None
        return headers, abi
    abi = headers_abi_from_dpkg()
    if not abi:
        raise Missing(f"the {HEADERS_META} package is not installed (.ci/install-deps installs it)")
    path = f"/usr/src/linux-headers-{abi}"
    if not os.path.isfile(os.path.join(path, "Makefile")):
        raise Missing(f"{HEADERS_META} names {abi}, but {path} has no Makefile")
    return path, abi


def find_kernel(cache=None, abi=None, kernel=None):
    """The vmlinuz to boot: `kernel` if given, else the cached image of `abi`."""
    if kernel:
        if not os.path.isfile(kernel):
            raise Missing(f"no kernel image at {kernel}")
        return kernel
    if not abi:
        raise Missing("the kernel's ABI is unknown (no linux-headers-amd64): give --kernel")
    cache = cache or os.environ.get("X86MSR_KERNEL_CACHE") or DEFAULT_CACHE
    path = os.path.join(cache, f"linux-image-{abi}", "boot", f"vmlinuz-{abi}")
    if not os.path.isfile(path):
        raise Missing(f"no kernel image {path}: .ci/install-deps downloads and unpacks "
                      f"linux-image-{abi} there")
    return path


def find_program(name, explicit=None):
    path = shutil.which(explicit or name)
    if not path:
        raise Missing(f"{explicit or name} is not installed"
                      + (" (Debian package qemu-system-x86)" if "qemu" in name else ""))
    return path
