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

A strict_enum field (spec) takes only its enum's values: a probe bit whose value alone is no enum value
faulting is what the spec says. Bits of canonical fields above bit 46 are not write-probe findings either:
they fault unless they sign-extend the address, which the spec says.

A fourth check is "absent": the CPU answered a register the spec calls absent on it. Every such answer
needs an entry too.

realcpu_exceptions.tsv, tab-separated, one entry a line:
  PROFILES   * or a comma-separated list of profile names
  REGISTERS  comma-separated register names or patterns (fnmatch; an array's name with {n} matches every
             instance)
  CHECKS     comma-separated value, gp, accepted, absent
  BITS       a mask (0x...), * (any bits), maxphyaddr (bits from the CPU's MAXPHYADDR up to 51),
             counter_width (bits at and above the counter width CPUID.0AH reports: EDX[12:5] for fixed
             counters, EAX[23:16] for the others), or - (absent entries)
  PENDING    the kind of value rule the spec cannot express yet that would turn the entry into data
             (see PENDING_KINDS), or - when the processor departs from its manuals
  MANUALS    what the manuals (and other sources) say
  OBSERVED   what the VirtualBox profiles show
  WHY        why they differ
Every column is required (a line without evidence fails), every listed profile and register must explain
at least one finding (else the entry is stale), and the file may hold at most MAX_ENTRIES entries.
"""

import argparse
import fnmatch
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, REPO)

YES, NO, UNKNOWN = "yes", "no", "unknown"
SIGNATURES = {"GenuineIntel": "intel", "AuthenticAMD": "amd", "HygonGenuine": "amd"}
CHECKS = ("value", "gp", "accepted", "absent")
PENDING_KINDS = {
    "maxphyaddr": "physical-address bits from MAXPHYADDR (less any memory-encryption reduction) up to 51 fault",
    "counter_width": "counter bits at and above the width CPUID.0AH reports fault",
    "write_zero_only": "status bits software may only clear: writing 1 faults",
    "lock": "a lock bit set by firmware makes the register (or fields) read-only until reset",
    "value_limit": "a field takes only some values (ratios, C-state limits, enumerated encodings, alignment)",
    "xcr0": "the register is usable only once an XSAVE state component is enabled in XCR0",
    "fixed_one": "reserved bits that must be written as 1",
    "canonical_vendor": "linear addresses that must be canonical in a vendor- or format-specific way the field cannot say",
}
MAX_ENTRIES = 40
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


class Entry:
    """One line of realcpu_exceptions.tsv."""
    COLUMNS = ("PROFILES", "REGISTERS", "CHECKS", "BITS", "PENDING", "MANUALS", "OBSERVED", "WHY")

    def __init__(self, number, cols):
        self.number = number
        self.profiles = [p.strip() for p in cols[0].split(",")]
        self.registers = [r.strip() for r in cols[1].split(",")]
        self.checks = [c.strip() for c in cols[2].split(",")]
        self.bits, self.pending = cols[3].strip(), cols[4].strip()
        self.manuals, self.observed, self.why = (c.strip() for c in cols[5:8])
        self.used_profiles, self.used_registers = set(), set()

    def problems(self, profile_names):
        out = []
        if any(c not in CHECKS for c in self.checks):
            out.append(f"CHECKS must be of {', '.join(CHECKS)}")
        if self.pending != "-" and self.pending not in PENDING_KINDS:
            out.append(f"PENDING must be - or one of {', '.join(sorted(PENDING_KINDS))}")
        if ("absent" in self.checks) != (self.bits == "-"):
            out.append("BITS is - exactly for absent entries")
        elif self.bits not in ("-", "*", "maxphyaddr", "counter_width"):
            try:
                int(self.bits, 0)
            except ValueError:
                out.append(f"BITS {self.bits!r} is no mask or keyword")
        for label, text in (("MANUALS", self.manuals), ("OBSERVED", self.observed), ("WHY", self.why)):
            if len(text) < 10:
                out.append(f"{label} gives no evidence")
        unknown = [p for p in self.profiles if p != "*" and p not in profile_names]
        if unknown:
            out.append("unknown profiles " + ", ".join(unknown))
        return out

    def matches(self, cpu, inst, check):
        if check not in self.checks:
            return None, None
        profile = "*" if "*" in self.profiles else (cpu.name if cpu.name in self.profiles else None)
        if profile is None:
            return None, None
        for pattern in self.registers:
            if fnmatch.fnmatchcase(inst.name, pattern) or fnmatch.fnmatchcase(inst.msr.name, pattern):
                return profile, pattern
        return None, None

    def allowed(self, cpu, inst, bits):
        if self.bits == "*":
            return bits
        if self.bits == "maxphyaddr":
            return ((1 << 52) - 1) & ~((1 << cpu.maxphyaddr) - 1)
        if self.bits == "counter_width":
            leaf = cpu.query(0xA, 0)
            fixed = "FIXED" in inst.msr.name
            width = (leaf[3] >> 5) & 0xFF if fixed else (leaf[0] >> 16) & 0xFF
            return MASK64 & ~((1 << width) - 1) if width else MASK64
        return int(self.bits, 0)


def load_exceptions(path):
    rows, problems = [], []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != len(Entry.COLUMNS):
                problems.append(f"realcpu_exceptions.tsv:{number}: want {len(Entry.COLUMNS)} tab-separated columns "
                                f"({', '.join(Entry.COLUMNS)}), got {len(cols)}")
                continue
            rows.append(Entry(number, cols))
    return rows, problems


def strict_enum_faults(inst):
    """Bits of strict_enum fields whose value alone is no value of the field's enum: writing it faults."""
    out = 0
    for f in inst.msr.fields:
        if not f.has("strict_enum") or f.enum is None:
            continue
        values = {v.value for v in f.enum.values}
        lsb = (f.mask & -f.mask).bit_length() - 1
        bit = f.mask
        while bit:
            low = bit & -bit
            if (low >> lsb) not in values:
                out |= low
            bit &= bit - 1
    return out


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
    entries, failures = load_exceptions(args.exceptions)
    names = {c.name for c in cpus}
    for e in entries:
        failures += [f"realcpu_exceptions.tsv:{e.number}: {p}" for p in e.problems(names)]
    if len(entries) > MAX_ENTRIES:
        failures.append(f"realcpu_exceptions.tsv: {len(entries)} entries, more than {MAX_ENTRIES}")
    stats = {"registers": 0, "values": 0, "probes": 0, "agree": 0}
    findings, absent = [], []
    for cpu in cpus:
        for address, (value, ignored, gp) in sorted(cpu.msrs.items()):
            inst, support = register_at(at.get(address, []), cpu)
            if inst is None:
                continue
            if support == NO:
                absent.append((cpu, inst))
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
                canonical = sum(f.mask for f in inst.msr.fields if f.has("canonical")) & ~((1 << 47) - 1)
                gp &= ~(canonical | strict_enum_faults(inst))
                if writable & gp:
                    found.append(("gp", writable & gp, "writing bits the spec calls writable raised #GP"))
                if ignored is not None:
                    taken = reserved & ~(gp | ignored) & MASK64
                    if taken:
                        found.append(("accepted", taken, "the CPU kept writes to bits the spec calls reserved"))
            if not found:
                stats["agree"] += 1
            for check, bits, what in found:
                findings.append((cpu, inst, check, bits, what))
    by_kind = {}
    unexplained = []

    def explain(cpu, inst, check, bits):
        remaining = bits
        for e in entries:
            profile, pattern = e.matches(cpu, inst, check)
            if pattern is None:
                continue
            allowed = remaining if check == "absent" else e.allowed(cpu, inst, remaining)
            if remaining & allowed:
                e.used_profiles.add(profile)
                e.used_registers.add(pattern)
                by_kind[e.pending] = by_kind.get(e.pending, 0) + 1
                remaining &= ~allowed
                if not remaining:
                    break
        return remaining

    for cpu, inst, check, bits, what in findings:
        remaining = explain(cpu, inst, check, bits)
        line = f"{cpu.name}: {inst.name} ({inst.address:#x}): {check}: {what}: bits {bits:#x}"
        if args.verbose:
            print(("explained: " if not remaining else "") + line)
        if remaining:
            unexplained.append(line + (f" (unexplained {remaining:#x})" if remaining != bits else ""))
    for cpu, inst in absent:
        line = f"{cpu.name}: {inst.name} ({inst.address:#x}) answers although the spec says it is absent"
        remaining = explain(cpu, inst, "absent", 1)
        if args.verbose:
            print(("explained: " if not remaining else "") + "absent: " + line)
        if remaining:
            unexplained.append("absent: " + line)
    for e in entries:
        stale = [p for p in e.profiles if p not in e.used_profiles] + \
            [r for r in e.registers if r not in e.used_registers]
        if stale:
            failures.append(f"realcpu_exceptions.tsv:{e.number}: explains nothing for {', '.join(stale)} (stale)")
    failures += unexplained
    pending = sorted({e.pending for e in entries} - {"-"})
    print(f"realcpu: {len(cpus)} processor profiles (VirtualBox), {stats['registers']} register readings of spec "
          f"registers: {stats['values']} values and {stats['probes']} write probes checked, {stats['agree']} "
          f"readings agree with the spec, {len(findings)} findings; {len(absent)} answers from registers the "
          f"spec calls absent")
    print(f"realcpu: {len(entries)} entries in realcpu_exceptions.tsv (at most {MAX_ENTRIES}): "
          f"{sum(1 for e in entries if e.pending == '-')} processors departing from their manuals, "
          f"{sum(1 for e in entries if e.pending != '-')} pending value rules (" +
          ", ".join(f"{k} {sum(1 for e in entries if e.pending == k)}" for k in pending) + "); "
          f"{sum(1 for e in entries if 'absent' in e.checks)} of them for absent registers that answered")
    print("realcpu: explained findings and answers by kind: " +
          ", ".join(f"{'no rule' if k == '-' else k} {n}" for k, n in sorted(by_kind.items())))
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
