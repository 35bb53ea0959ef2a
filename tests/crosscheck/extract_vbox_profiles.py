#!/usr/bin/env python3
"""Extract facts from VirtualBox CPU profiles into realcpu_profiles.txt.

VirtualBox's src/VBox/VMM/VMMR3/cpus/*.h record, for real processors, the
CPUID results and, per MSR, the value VBoxCpuReport read and which bits a write
left unchanged (ignored) or answered with #GP. This script reads those files
(from a VirtualBox source tree you have) and writes only those facts, one line
each, for the MSRs the spec describes; no VirtualBox code is copied.

Usage: python3 tests/crosscheck/extract_vbox_profiles.py CPUS_DIR > tests/crosscheck/realcpu_profiles.txt
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, REPO)

PROFILES = [
    "Intel_Pentium_4_3_00GHz", "Intel_Pentium_M_processor_2_00GHz", "Intel_Core_Duo_T2600_2_16GHz",
    "Intel_Core2_T7600_2_33GHz", "Intel_Core2_X6800_2_93GHz", "Intel_Xeon_X5482_3_20GHz", "Intel_Atom_330_1_60GHz",
    "Intel_Core_i7_2635QM", "Intel_Core_i7_3960X", "Intel_Core_i5_3570", "Intel_Core_i7_3820QM",
    "Intel_Core_i7_5600U", "Intel_Core_i7_6700K", "Intel_Pentium_N3530_2_16GHz",
    "AMD_Athlon_64_3200", "AMD_Athlon_64_X2_Dual_Core_4200", "Quad_Core_AMD_Opteron_2384", "AMD_Phenom_II_X6_1100T",
    "AMD_FX_8150_Eight_Core", "AMD_Ryzen_7_1800X_Eight_Core", "Hygon_C86_7185_32_core",
]


def number(text):
    text = text.strip()
    if text in ("UINT64_MAX",):
        return (1 << 64) - 1
    if text in ("UINT32_MAX",):
        return (1 << 32) - 1
    if text == "~(uint64_t)UINT32_MAX":
        return ((1 << 64) - 1) & ~((1 << 32) - 1)
    m = re.fullmatch(r"(?:UINT64_C|UINT32_C)\((0x[0-9a-fA-F]+|\d+)\)", text)
    if m:
        return int(m.group(1), 0)
    if re.fullmatch(r"0x[0-9a-fA-F]+|\d+", text):
        return int(text, 0)
    return None


def split_args(text):
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    out.append(cur.strip())
    return out


def parse(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    cpuid = []
    for m in re.finditer(r"\{\s*(0x[0-9a-f]{8}),\s*(0x[0-9a-f]{8}),\s*(0x[0-9a-f]{8}|UINT32_MAX),\s*(0x[0-9a-f]{8}),"
                         r"\s*(0x[0-9a-f]{8}),\s*(0x[0-9a-f]{8}),\s*(0x[0-9a-f]{8}),", text):
        leaf, sub, mask = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
        regs = [int(m.group(i), 16) for i in range(4, 8)]
        cpuid.append((leaf, sub if mask != "0x00000000" else None, regs))
    msrs = {}
    for line in text.splitlines():
        m = re.match(r"\s*(MFX|MFN|MFO|MFI|MFW|MFS|MFZ|MFV|MVX|MVO|MVI|RSN|RFN|RVI)\((.*)\),?\s*(/\*.*\*/)?\s*$", line)
        if not m:
            continue
        kind, args, comment = m.group(1), split_args(m.group(2)), m.group(3) or ""
        seen = re.search(r"value=(0x[0-9a-f`]+)", comment)
        seen = int(seen.group(1).replace("`", ""), 16) if seen else None
        ranged = kind[0] == "R"
        first = int(args[0], 16)
        last = int(args[1], 16) if ranged else first
        value = ign = gp = None
        if kind in ("MVO", "MVI"):
            value = number(args[2])
            ign, gp = (None, None)
        elif kind == "MVX":
            value, ign, gp = number(args[2]), number(args[3]), number(args[4])
        elif kind in ("MFX", "MFS", "MFZ"):
            ign, gp = number(args[-2]), number(args[-1])
            if args[3] in ("ReadOnly", "IgnoreWrite"):
                ign = gp = None  # VirtualBox models the register read-only: its masks are no write probe
            value = seen if seen is not None else (number(args[4]) if kind == "MFX" else None)
            if kind == "MFX" and seen is None:
                value = None  # uValue is the handler's parameter, not always the value read
        elif kind == "MFW":
            gp, ign = number(args[-1]), 0
            if args[3] in ("ReadOnly", "IgnoreWrite"):
                ign = gp = None
            value = seen
        elif kind in ("MFN", "MFO", "MFI", "MFV"):
            value = seen
        elif kind == "RSN":
            ign, gp = number(args[-2]), number(args[-1])
            if args[4] in ("ReadOnly", "IgnoreWrite"):
                ign = gp = None
        elif kind == "RVI":
            value = number(args[3])
        for a in range(first, last + 1):
            msrs[a] = (value, ign, gp)
    return cpuid, msrs


def main():
    cpus_dir = sys.argv[1]
    from codegen.__main__ import build_model
    model = build_model(os.path.join(REPO, "spec", "msrs.yaml"))
    described = {i.address for i in model.instances}
    print("# Facts from VirtualBox CPU profiles (VirtualBox src/VBox/VMM/VMMR3/cpus/*.h, recorded on real processors")
    print("# by VBoxCpuReport), for the MSRs spec/msrs.yaml describes; written by extract_vbox_profiles.py.")
    print("# profile NAME SOURCE-FILE")
    print("# cpuid LEAF SUBLEAF|* EAX EBX ECX EDX")
    print("# msr ADDRESS VALUE|- IGNORED|- GP|-   (value read; bits a write left unchanged; bits whose write raised #GP;")
    print("#                                       - = not recorded: no write probe, or no value)")
    for name in PROFILES:
        path = os.path.join(cpus_dir, name + ".h")
        cpuid, msrs = parse(path)
        print(f"profile {name} src/VBox/VMM/VMMR3/cpus/{name}.h")
        for leaf, sub, regs in cpuid:
            s = "*" if sub is None else f"{sub:#x}"
            print(f"cpuid {leaf:#x} {s} " + " ".join(f"{r:#x}" for r in regs))
        for a in sorted(msrs):
            if a not in described:
                continue
            value, ign, gp = msrs[a]
            if value is None and ign is None and gp is None:
                continue
            f = lambda x: "-" if x is None else f"{x:#x}"
            print(f"msr {a:#x} {f(value)} {f(ign)} {f(gp)}")


if __name__ == "__main__":
    main()
