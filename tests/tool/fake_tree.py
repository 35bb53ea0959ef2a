#!/usr/bin/env python3
"""A fake /dev/cpu tree, the way the x86msr Linux backend documents it
(src/include/x86msr/linux.h, "Fake trees"): ROOT/N/msr is a regular sparse
file holding each MSR's 8 bytes (little-endian) at offset = address; the
file ends at the CPU's `end`, and every MSR at or past the end is "not
implemented" (the backend reports EIO, as the driver does). Holes below the
end read as 0.

Used by the CLI tests (test_cli_machine.py) and the benchmark
(tests/bench/bench_dump.sh):

    fake_tree.py DIR --cpus 64 [--end 0xC0012000] [--values-from LIST.json]

makes DIR/cpu/0..63/msr and DIR/sys/online ("0-63"); --end defaults to 4 GiB.
"""

import argparse
import json
import os
import struct

# Past every 32-bit address: every MSR is implemented unless a test says
# otherwise.
END_ALL = 1 << 32


class FakeTree:
    def __init__(self, base):
        self.base = base
        self.root = os.path.join(base, "cpu")
        self.sysfs = os.path.join(base, "sys")
        # What the tool's messages look at besides the tree (x86msr/linux.h,
        # msr_linux_cause): the running kernel's module tree and the lockdown
        # file. Fake too, so no test depends on the machine it runs on.
        self.modules = os.path.join(base, "modules")
        self.lockdown = os.path.join(base, "lockdown")
        os.makedirs(self.root, exist_ok=True)
        os.makedirs(self.modules, exist_ok=True)
        self.set_lockdown("none")
        os.chmod(base, 0o755)  # a test may drop root's privileges and still look in

    def path(self, cpu):
        return os.path.join(self.root, str(cpu), "msr")

    def add_cpu(self, cpu, end=END_ALL, values=None, mode=0o600):
        """CPU `cpu` implementing every MSR below `end`, with `values`."""
        os.makedirs(os.path.join(self.root, str(cpu)))
        with open(self.path(cpu), "wb") as f:
            f.truncate(end)
        for address, value in (values or {}).items():
            self.set(cpu, address, value)
        os.chmod(self.path(cpu), mode)

    def add_cpu_dir(self, cpu):
        """CPU directory without an msr file (the cpuid driver alone)."""
        os.makedirs(os.path.join(self.root, str(cpu)))

    def set(self, cpu, address, value):
        fd = os.open(self.path(cpu), os.O_WRONLY)
        try:
            os.pwrite(fd, struct.pack("<Q", value), address)
        finally:
            os.close(fd)

    def get(self, cpu, address):
        with open(self.path(cpu), "rb") as f:
            f.seek(address)
            data = f.read(8)
        return struct.unpack("<Q", data)[0] if len(data) == 8 else None

    def size(self, cpu):
        return os.path.getsize(self.path(cpu))

    def set_online(self, text):
        os.makedirs(self.sysfs, exist_ok=True)
        with open(os.path.join(self.sysfs, "online"), "w") as f:
            f.write(text)

    def set_lockdown(self, mode):
        """The lockdown file as the kernel writes it, `mode` in brackets."""
        with open(self.lockdown, "w") as f:
            f.write(" ".join(f"[{m}]" if m == mode else m for m in ("none", "integrity", "confidentiality")) + "\n")
        os.chmod(self.lockdown, 0o644)

    def remove_modules(self):
        """No module tree for the running kernel (a container)."""
        os.rmdir(self.modules)

    def env(self, sysfs=False):
        env = dict(os.environ, X86MSR_CPU_ROOT=self.root, X86MSR_MODULES_DIR=self.modules,
                   X86MSR_LOCKDOWN_FILE=self.lockdown)
        env.pop("X86MSR_SYSFS_ROOT", None)
        if sysfs:
            env["X86MSR_SYSFS_ROOT"] = self.sysfs
        return env


def sample_value(cpu, address):
    """A recognisable, CPU-dependent value."""
    return ((address * 0x9E3779B97F4A7C15) ^ (cpu << 56)) & 0xFFFF_FFFF_FFFF_FFFF


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir")
    parser.add_argument("--cpus", type=int, required=True)
    parser.add_argument("--end", type=lambda s: int(s, 0), default=END_ALL)
    parser.add_argument("--values-from", help="'x86msr list --json' output: fill every listed MSR")
    args = parser.parse_args()
    addresses = []
    if args.values_from:
        with open(args.values_from) as f:
            addresses = [int(m["address"], 16) for m in json.load(f)]
    tree = FakeTree(args.dir)
    for cpu in range(args.cpus):
        tree.add_cpu(cpu, args.end, {a: sample_value(cpu, a) for a in addresses if a + 8 <= args.end})
    tree.set_online(f"0-{args.cpus - 1}\n" if args.cpus > 1 else "0\n")


if __name__ == "__main__":
    main()
