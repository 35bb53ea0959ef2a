#!/usr/bin/env python3
"""Check the spec against real processors: the MSR values and write probes
VirtualBox recorded for 21 CPUs of both vendors, NetBurst to Zen
(realcpu_profiles.txt, written by extract_vbox_profiles.py).

For each profile the spec is evaluated for that CPU, as x86msr's
msr_find_by_address_for_cpu() and msr_masks_for() do: its vendor, family and
model and its CPUID results pick the register at a shared address and decide
which fields exist (a field whose presence the facts cannot decide counts as
present, so that nothing is called reserved that may not be). Then:

  value     no must-be-zero (reserved) bit is set in a value the CPU returned;
  gp        no bit the spec calls writable made the write raise #GP;
  accepted  no bit the spec calls reserved was taken by the write (neither
            ignored nor refused): a reserved bit a CPU keeps is no reserved bit.

Write probes are used only where VirtualBox recorded them for the register
(ignored and #GP masks). Every finding not explained in realcpu_exceptions.tsv
fails the test, and so does every line there that explains nothing.

realcpu_exceptions.tsv: PROFILE<TAB>REGISTER<TAB>CHECK<TAB>BITS<TAB>REASON, where
PROFILE may be * (every profile), BITS a mask (0x...), `*` (any bits),
`maxphyaddr` (only bits from the CPU's MAXPHYADDR up to 51: physical-address
fields whose width the spec cannot tie to CPUID), `gp_counter_width` or
`fixed_counter_width` (only bits at and above the counter width CPUID.0AH
reports). Bits of canonical fields above bit 46 are not write-probe findings:
they fault unless they sign-extend the address, which the spec says.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, REPO)

YES, NO, UNKNOWN = "yes", "no", "unknown"
SIGNATURES = {"GenuineIntel": "intel", "AuthenticAMD": "amd", "HygonGenuine": "amd"}
CHECKS = ("value", "gp", "accepted")
MASK64 = (1 << 64) - 1


class Cpu:
    def __init__(self, name, source):
        self.name, self.source = name, source
        self.cpuid = {}      # (leaf, subleaf or None) -> [eax, ebx, ecx, edx]
        self.msrs = {}       # address -> (value, ignored, gp), None where not recorded

    def query(self, leaf, subleaf):
        base = leaf & 0xFFFF0000 if leaf < 0x40000000 or leaf >= 0x50000000 else leaf & ~0xFF
        top = self.lookup(base, 0)
        if top is None or leaf > top[0]:
            return [0, 0, 0, 0]
        return self.lookup(leaf, subleaf) or [0, 0, 0, 0]

    def lookup(self, leaf, subleaf):
        return self.cpuid.get((leaf, subleaf)) or self.cpuid.get((leaf, None))

    @property
    def vendors(self):
        regs = self.lookup(0, 0)
        text = b"".join(r.to_bytes(4, "little") for r in (regs[1], regs[3], regs[2])).decode("latin-1")
        return {SIGNATURES[text]} if text in SIGNATURES else set()

    @property
    def family_model(self):
        eax = self.lookup(1, 0)[0]
        base_family, base_model = (eax >> 8) & 0xF, (eax >> 4) & 0xF
        family = base_family + ((eax >> 20) & 0xFF) if base_family == 0xF else base_family
        model = (((eax >> 16) & 0xF) << 4 | base_model) if base_family in (0x6, 0xF) else base_model
        return family, model

    @property
    def maxphyaddr(self):
        regs = self.query(0x80000008, 0)
        return regs[0] & 0xFF or 36


def load_profiles(path):
    cpus = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            if words[0] == "profile":
                cpus.append(Cpu(words[1], words[2]))
            elif words[0] == "cpuid":
                sub = None if words[2] == "*" else int(words[2], 0)
                cpus[-1].cpuid[(int(words[1], 0), sub)] = [int(w, 0) for w in words[3:7]]
            elif words[0] == "msr":
                cpus[-1].msrs[int(words[1], 0)] = tuple(None if w == "-" else int(w, 0) for w in words[2:5])
    return cpus


def bits_of(value, msb, lsb):
    return (value >> lsb) & ((1 << (msb - lsb + 1)) - 1)


def evaluate(cond, index, cpu):
    """Three-valued, as msr_condition_eval() in src/core/msr_cpuid.c."""
    k = cond.kind
    if k in ("any_of", "all_of"):
        results = [evaluate(c, index, cpu) for c in cond.children]
        if k == "any_of":
            return YES if YES in results else (UNKNOWN if UNKNOWN in results else NO)
        return NO if NO in results else (UNKNOWN if UNKNOWN in results else YES)
    if k == "not":
        r = evaluate(cond.children[0], index, cpu)
        return {YES: NO, NO: YES, UNKNOWN: UNKNOWN}[r]
    if k == "context":
        return UNKNOWN
    if k == "family":
        family, model = cpu.family_model
        if family != cond.family:
            return NO
        return YES if not cond.models or model in cond.models else NO
    if k == "cpuid":
        regs = cpu.query(cond.leaf, cond.subleaf)
        value = regs["eax ebx ecx edx".split().index(cond.register)]
    else:
        address = cond.msr_address + (index * cond.msr_stride if cond.msr_stride else 0)
        recorded = cpu.msrs.get(address)
        if recorded is None or recorded[0] is None:
            return UNKNOWN
        value = recorded[0]
    tested = (value >> index) & 1 if cond.bit_is_index else bits_of(value, cond.msb, cond.lsb)
    operand = index if cond.operand_is_index else cond.operand
    holds = {"nonzero": tested != 0, "equals": tested == operand, "above": tested > operand,
             "at_least": tested >= operand}[cond.compare]
    return YES if holds else NO


def supported(inst, cpu):
    msr = inst.msr
    cond = evaluate(msr.present_if, inst.index, cpu) if msr.present_if else UNKNOWN
    if cond == NO:
        return NO
    if not set(msr.vendors) & cpu.vendors:
        return UNKNOWN
    return cond


def register_at(instances, cpu):
    """msr_find_by_address_for_cpu()."""
    documented = possible = None
    for inst in instances:
        if not set(inst.msr.vendors) & cpu.vendors:
            continue
        s = supported(inst, cpu)
        if s == YES:
            return inst, s
        if s != NO and possible is None:
            possible = (inst, s)
        if documented is None:
            documented = (inst, s)
    return possible or documented or (None, None)


def masks(inst, cpu):
    """msr_masks_for(strict=false): (reserved, writable)."""
    covered = writable = 0
    for f in inst.msr.fields:
        here = YES
        if f.vendors and not set(f.vendors) & cpu.vendors:
            here = NO
        if here == YES and f.present_if is not None:
            here = evaluate(f.present_if, inst.index, cpu)
        if here == NO:
            continue
        covered |= f.mask
        if f.writable:
            writable |= f.mask
    return MASK64 & ~covered, writable


def load_exceptions(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            rows.append((number, cols))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", default=os.path.join(HERE, "realcpu_profiles.txt"))
    parser.add_argument("--exceptions", default=os.path.join(HERE, "realcpu_exceptions.tsv"))
    parser.add_argument("-v", "--verbose", action="store_true", help="print every finding")
    args = parser.parse_args()
    from codegen.__main__ import build_model
    model = build_model(os.path.join(REPO, "spec", "msrs.yaml"))
    at = {}
    for inst in model.instances:
        at.setdefault(inst.address, []).append(inst)
    cpus = load_profiles(args.profiles)
    failures, findings = [], []
    exceptions = load_exceptions(args.exceptions)
    for number, cols in exceptions:
        if len(cols) != 5 or cols[2] not in CHECKS or not cols[4].strip():
            failures.append(f"realcpu_exceptions.tsv:{number}: want PROFILE, REGISTER, CHECK ({'|'.join(CHECKS)}), "
                            f"BITS and REASON, tab-separated")
    used = set()
    stats = {"registers": 0, "values": 0, "probes": 0, "absent": 0}
    for cpu in cpus:
        for address, (value, ignored, gp) in sorted(cpu.msrs.items()):
            inst, support = register_at(at.get(address, []), cpu)
            if inst is None:
                continue
            if support == NO:
                stats["absent"] += 1  # the spec says this CPU lacks it; informational
                if args.verbose:
                    print(f"note: {cpu.name}: {inst.name} ({address:#x}) answers although the spec says it is absent")
                continue
            stats["registers"] += 1
            reserved, writable = masks(inst, cpu)
            found = []
            if value is not None:
                stats["values"] += 1
                if value & reserved:
                    found.append(("value", value & reserved, f"value {value:#x} sets reserved bits"))
            if gp is not None:
                stats["probes"] += 1
                # A canonical field takes only sign-extended linear addresses: its bits above the
                # linear-address width fault when they are not copies of the top bit.
                canonical = sum(f.mask for f in inst.msr.fields if f.canonical) & ~((1 << 47) - 1)
                gp &= ~canonical
                if writable & gp:
                    found.append(("gp", writable & gp, "writing bits the spec calls writable raised #GP"))
                if ignored is not None:
                    taken = reserved & ~(gp | ignored) & MASK64
                    if taken:
                        found.append(("accepted", taken, "the CPU kept writes to bits the spec calls reserved"))
            for check, bits, what in found:
                findings.append((cpu, inst, check, bits, what))
    unexplained = []
    for cpu, inst, check, bits, what in findings:
        remaining = bits
        for number, cols in exceptions:
            if len(cols) != 5:
                continue
            profile, register, kind, mask = cols[:4]
            if kind != check or profile not in ("*", cpu.name) or register not in (inst.name, inst.msr.name):
                continue
            if mask == "*":
                allowed = remaining
            elif mask == "maxphyaddr":
                allowed = ((1 << 52) - 1) & ~((1 << cpu.maxphyaddr) - 1)
            elif mask in ("gp_counter_width", "fixed_counter_width"):
                leaf = cpu.query(0xA, 0)
                width = (leaf[0] >> 16) & 0xFF if mask == "gp_counter_width" else (leaf[3] >> 5) & 0xFF
                allowed = MASK64 & ~((1 << width) - 1) if width else MASK64
            else:
                allowed = int(mask, 0)
            if remaining & allowed:
                used.add(number)
                remaining &= ~allowed
        line = f"{cpu.name}: {inst.name} ({inst.address:#x}): {check}: {what}: bits {bits:#x}"
        if args.verbose:
            print(("explained: " if not remaining else "") + line)
        if remaining:
            unexplained.append(line + (f" (unexplained {remaining:#x})" if remaining != bits else ""))
    for number, cols in exceptions:
        if len(cols) == 5 and number not in used:
            failures.append(f"realcpu_exceptions.tsv:{number}: explains nothing ({' / '.join(cols[:4])})")
    failures += unexplained
    print(f"realcpu: {len(cpus)} processor profiles (VirtualBox), {stats['registers']} register readings of spec "
          f"registers, {stats['values']} values and {stats['probes']} write probes checked; "
          f"{len(findings)} findings, {len(findings) - len(unexplained)} explained in realcpu_exceptions.tsv; "
          f"{stats['absent']} registers the spec calls absent answered")
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
