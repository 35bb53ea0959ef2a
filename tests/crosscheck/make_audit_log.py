#!/usr/bin/env python3
"""Write spec/AUDIT.md: per register, which independent sources were compared with the spec.

Maintainer tool (not a test): it needs local copies of the sources.
  python3 tests/crosscheck/make_audit_log.py --edk2 DIR --ia32doc FILE > spec/AUDIT.md
DIR holds edk2's MdePkg/Include/Register (Intel/ArchitecturalMsr.h, Intel/Msr/*.h,
Amd/ArchitecturalMsr.h); FILE is ia32-doc's out/ia32.h. Linux's msr-index.h and the
VirtualBox facts come from what test_linux.py and test_realcpu.py read.
For each source the row says what agreed: names, addresses, field bit ranges.
"""

import argparse
import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, REPO)
sys.path.insert(0, HERE)

import linux_msr_index as L  # noqa: E402
import test_realcpu as R  # noqa: E402

NOTES_FILE = os.path.join(HERE, "audit_notes.tsv")


def edk2_layouts(root):
    """address -> [(file, macro, documented mask)] from edk2's bit-field unions."""
    out = {}
    files = sorted(glob.glob(os.path.join(root, "Intel", "Msr", "*.h"))) + \
        [os.path.join(root, "Intel", "ArchitecturalMsr.h")]
    amd = os.path.join(root, "Amd", "ArchitecturalMsr.h")
    for path in files:
        text = open(path, encoding="utf-8", errors="replace").read()
        for m in re.finditer(r"/\*\*((?:(?!/\*\*).)*?)\*\*/\s*#define\s+(MSR_\w+)\s+(0x[0-9A-Fa-f]+)", text, re.S):
            doc, macro, addr = m.group(1), m.group(2), int(m.group(3), 16)
            mask = None
            t = re.search(r"Described by the type (\w+)\.", doc)
            if t:
                u = re.search(r"typedef union \{((?:(?!typedef union).)*?)\} " + re.escape(t.group(1)) + ";", text, re.S)
                s = re.search(r"struct \{(.*?)\} Bits;", u.group(1), re.S) if u else None
                if s:
                    mask, pos = 0, 0
                    for fm in re.finditer(r"UINT(?:32|64)\s+(\w+)\s*:\s*(\d+);", s.group(1)):
                        w = int(fm.group(2))
                        if not fm.group(1).lower().startswith("reserved"):
                            mask |= ((1 << w) - 1) << pos
                        pos += w
            out.setdefault(addr, []).append((os.path.basename(path), macro, mask))
    text = open(amd, encoding="utf-8", errors="replace").read()
    for m in re.finditer(r"#define\s+(MSR_AMD_\w+|AMD_\w+)\s+(0x[0-9A-Fa-f]+)", text):
        out.setdefault(int(m.group(2), 16), []).append(("AmdArchitecturalMsr.h", "MSR_AMD_" + m.group(1), None))
    return out


def ia32doc_layouts(path):
    out, cur = {}, None
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.match(r"#define\s+(\w+)\s+(0x[0-9A-Fa-f]+)\s*$", line)
        if not m:
            continue
        name, val = m.group(1), int(m.group(2), 16)
        if name.endswith("_FLAG"):
            if cur and name.startswith(cur[0] + "_") and "RESERVED" not in name:
                cur[1][0] |= val
            continue
        if name.endswith(("_MASK", "_BIT")):
            continue
        if re.match(r"^IA32_\w+$", name) and (val < 0x10000 or val >= 0xC0000000):
            cur = (name, [0])
            out.setdefault(val, []).append(cur)
        else:
            cur = None
    return out


def bits_text(mask):
    parts, i = [], 0
    while i < 64:
        if mask >> i & 1:
            j = i
            while j < 63 and mask >> (j + 1) & 1:
                j += 1
            parts.append(f"{j}:{i}" if j > i else str(i))
            i = j + 1
        else:
            i += 1
    return ",".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--edk2", required=True)
    ap.add_argument("--ia32doc", required=True)
    args = ap.parse_args()
    from codegen.__main__ import build_model
    model = build_model(os.path.join(REPO, "spec", "msrs.yaml"))
    header = L.find_header()
    macros = L.parse_macros(header)
    linux = L.addresses(macros)
    defs = L.bit_definitions(macros, linux)
    edk2 = edk2_layouts(args.edk2)
    ia32 = ia32doc_layouts(args.ia32doc)
    cpus = R.load_profiles(os.path.join(HERE, "realcpu_profiles.txt"))
    notes = {}
    if os.path.exists(NOTES_FILE):
        for line in open(NOTES_FILE, encoding="utf-8"):
            if line.strip() and not line.startswith("#"):
                name, note = line.rstrip("\n").split("\t", 1)
                notes.setdefault(name, []).append(note)
    print("# Audit log of spec/msrs.yaml")
    print()
    print("Which independent sources each register was compared with. The vendor's manual (the `ref` of")
    print("each entry: SDM, APM, BKDG/PPR, TLFS, KVM's documentation) is the authority; the others")
    print("confirm or question it. Written by `tests/crosscheck/make_audit_log.py` from:")
    print()
    print(f"- **Linux**: `arch/x86/include/asm/msr-index.h` ({os.path.basename(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(header))))))}): "
          "the address and name, and every bit definition with a register prefix (checked by CTest "
          "`crosscheck_linux`; `n bits` = definitions that land on fields);")
    print("- **edk2**: `MdePkg/Include/Register/{Intel,Amd}` (the SDM's tables as C unions, per model): "
          "`=` the documented bits agree, otherwise the bits edk2 documents that the spec lacks (`+`) "
          "or documents as reserved (`-`; newer SDM editions add bits edk2 does not have);")
    print("- **ia32-doc**: `out/ia32.h` (architectural Intel MSRs), compared like edk2;")
    print("- **VirtualBox**: values and write probes of real processors (CTest `crosscheck_realcpu`): the "
          "number of processor profiles whose reading of the register was checked;")
    print("- **notes**: fixes made in the issue-12 audit and other sources read by hand "
          "(`tests/crosscheck/audit_notes.tsv`).")
    print()
    print("| register | address | Linux | edk2 | ia32-doc | VirtualBox | notes |")
    print("|---|---|---|---|---|---|---|")
    for m in model.msrs:
        addrs = [i.address for i in m.instances]
        lin = sorted({n for a in addrs for n in linux.get(a, [])})
        nbits = sum(1 for d in defs if d[2] in addrs)
        ltext = (", ".join(lin[:2]) + (f" +{len(lin) - 2}" if len(lin) > 2 else "") +
                 (f"; {nbits} bits" if nbits else "")) if lin else ""
        spec_mask = m.defined_mask

        def compare(found):
            out = []
            for label, mask in found:
                if mask is None:
                    out.append(f"{label} (address)")
                    continue
                plus, minus = mask & ~spec_mask, spec_mask & ~mask
                diff = " ".join(x for x in (("+" + bits_text(plus)) if plus else "",
                                            ("-" + bits_text(minus)) if minus else "") if x)
                out.append(f"{label} {'=' if not diff else diff}")
            return "; ".join(out[:3]) + (f"; +{len(out) - 3} more" if len(out) > 3 else "")
        e = [(f"{f[:-2]}", mask) for f, macro, mask in edk2.get(m.address, [])
             if ("amd" in m.vendors) == ("AMD" in macro or f.startswith("Amd") or "_AMD_" in macro)
             or ("intel" in m.vendors and not macro.startswith("MSR_AMD"))]
        e = [x for x in e if ("intel" in m.vendors) or x[0].startswith("Amd")]
        i = [(n, mask[0] or None) for n, mask in ia32.get(m.address, [])] if "intel" in m.vendors else []
        seen = sum(1 for c in cpus if any(a in c.msrs for a in addrs))
        extra = list(notes.get(m.name, []))
        if "kvm" in m.vendors:
            extra.append("KVM Documentation/virt/kvm/x86/msr.rst and cpuid.rst; Linux uapi asm/kvm_para.h")
        if "hyperv" in m.vendors:
            extra.append("Hyper-V TLFS; Linux asm-generic/hyperv-tlfs.h and asm/hyperv-tlfs.h (bit layouts, "
                         "CPUID 40000003H feature bits)")
        if m.category == "p4_perf":
            extra.append("SDM Pentium 4 MSR table and NetBurst PMU chapter; edk2 Pentium4Msr.h; Linux MSR_P4_*")
        print(f"| {m.name} | {m.address_text} | {ltext} | {compare(e)} | {compare(i)} | "
              f"{seen or ''} | {'; '.join(extra)} |")


if __name__ == "__main__":
    main()
