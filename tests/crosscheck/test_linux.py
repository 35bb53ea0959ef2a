#!/usr/bin/env python3
"""Cross-check spec/msrs.yaml against Linux's arch/x86/include/asm/msr-index.h
as Debian's kernel headers package ships it (linux-headers-amd64 installs
/usr/src/linux-headers-*-common/arch/x86/include/asm/msr-index.h).

What is checked (linux_msr_index.py documents how the header is read):
  names     every address Linux names that the spec has: each Linux name is the
            spec's name or an alias at that address once the MSR_ prefix is
            dropped (MSR_IA32_EFER -> IA32_EFER), or linux_names.tsv maps it to
            one (or says, with the reason, that Linux names another vendor's
            register there); every line of linux_names.tsv is used and needed.
  bits      every Linux bit definition with a clear register prefix lands on
            the spec at the same bits: a bit number (_BIT, _IDX) is a one-bit
            field, a shift (_SHIFT, _OFFSET) is a field's lowest bit, a mask is
            exactly one or more whole fields, a reserved mask (RSVD, RESERVED)
            touches no documented field. linux_bits.tsv lists the definitions
            that are no field position (field values, CPUID bits), each with
            its reason, and every line of it is used and needed.
  clashes   no C name x86msr emits (every generated one, naming.emitted(), and
            every name the handwritten headers export) is a macro msr-index.h
            defines: the naming rule MSR_<name>_ADDR keeps x86msr's addresses
            apart from Linux's MSR_<name>, so a kernel file can include both
            headers; a future Linux macro of the same name fails this test.
  coverage  the share of Linux's distinct MSR addresses the spec describes
            (every spec register has fields); printed, and the test fails below
            90% or when an address the spec lacks is not in the hand-written
            list of spec/README.md ("Linux MSRs not in the spec").

Exit status: 0 pass, 1 fail, 77 skip (no header installed; CTest reports the
test as skipped).
"""

import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, REPO)
sys.path.insert(0, HERE)

import linux_msr_index as L  # noqa: E402

TARGET = 90.0
README = os.path.join(REPO, "spec", "README.md")
UNCOVERED_SECTION = "## Linux MSRs not in the spec"


def read_tsv(path):
    """Rows of a tab-separated file; '#' starts a comment line."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            rows.append((number, line.split("\t")))
    return rows


def documented_uncovered():
    """address -> reason from the hand-written table of spec/README.md."""
    with open(README, encoding="utf-8") as f:
        text = f.read()
    if UNCOVERED_SECTION not in text:
        return {}
    section = text.split(UNCOVERED_SECTION, 1)[1].split("\n## ", 1)[0]
    out = {}
    for line in section.splitlines():
        m = re.match(r"\|\s*`?([0-9A-Fa-f_]+)H`?(?:\s*-\s*`?([0-9A-Fa-f_]+)H`?)?\s*\|[^|]*\|\s*(.*?)\s*\|\s*$", line)
        if m:
            first = int(m.group(1).replace("_", ""), 16)
            last = int(m.group(2).replace("_", ""), 16) if m.group(2) else first
            for a in range(first, last + 1):
                out[a] = m.group(3)
    return out


def spec_at(model):
    """address -> [(instance name, names and aliases, Msr)]."""
    out = {}
    for i in model.instances:
        out.setdefault(i.address, []).append((i.name, {i.name} | set(i.aliases), i.msr))
    return out


def field_ranges(msr):
    return [(f.msb, f.lsb, f) for f in msr.fields]


def lands(kind, value, msr):
    fields = field_ranges(msr)
    if kind == "position":
        return any(msb == lsb == value for msb, lsb, _ in fields)
    if kind == "lsb":
        return any(lsb == value for _, lsb, _ in fields)
    if kind == "reserved":
        return not any(f.mask & value and not f.has("undocumented") for _, _, f in fields)
    covered = 0
    for _, _, f in fields:
        if f.mask & value:
            if f.mask & ~value:
                return False  # cuts a field
            covered |= f.mask
    return covered == value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--header", help="msr-index.h (default: the newest " + L.DEFAULT_GLOB + ")")
    parser.add_argument("--spec", default=os.path.join(REPO, "spec", "msrs.yaml"))
    parser.add_argument("--list", action="store_true", help="print every Linux address and its spec register")
    args = parser.parse_args()
    header = args.header or L.find_header()
    if not header or not os.path.exists(header):
        print(f"crosscheck: SKIP: no msr-index.h ({L.DEFAULT_GLOB}); install Debian's linux-headers-amd64")
        return 77

    from codegen.__main__ import build_model
    model = build_model(args.spec)
    macros = L.parse_macros(header)
    linux = L.addresses(macros)
    spec = spec_at(model)
    failures = []

    # ---- names ---------------------------------------------------------------
    names_tsv = os.path.join(HERE, "linux_names.tsv")
    mapping = {}
    for line, row in read_tsv(names_tsv):
        if not (len(row) == 2 and row[1] != "-") and not (len(row) == 3 and row[1] == "-" and row[2].strip()):
            failures.append(f"linux_names.tsv:{line}: want LINUX_NAME<TAB>SPEC_NAME or LINUX_NAME<TAB>-<TAB>REASON")
            continue
        if row[0] in mapping:
            failures.append(f"linux_names.tsv:{line}: {row[0]} mapped twice")
        mapping[row[0]] = (row[1], line)
    used = set()
    for address, lnames in sorted(linux.items()):
        here = spec.get(address)
        if not here:
            continue
        names = set().union(*(n for _, n, _ in here))
        for lname in lnames:
            plain = lname[4:] if lname.startswith("MSR_") else lname
            if plain in names or lname in names:
                if lname in mapping:
                    failures.append(f"linux_names.tsv:{mapping[lname][1]}: {lname} needs no mapping (the spec "
                                    f"has {plain} at {address:#x})")
                continue
            if lname in mapping:
                used.add(lname)
                target = mapping[lname][0]
                if target == "-":
                    continue  # another vendor's register here, reason given
                if target not in names:
                    failures.append(f"linux_names.tsv:{mapping[lname][1]}: {lname} ({address:#x}) maps to {target}, "
                                    f"but the spec has {', '.join(sorted(n for n, _, _ in here))} there")
                continue
            failures.append(f"{lname} ({address:#x}): the spec calls it {', '.join(sorted(n for n, _, _ in here))}; "
                            f"add an alias if a manual uses the name, else a line to linux_names.tsv")
    for lname, (target, line) in mapping.items():
        if lname not in used and not any(f"linux_names.tsv:{line}:" in f for f in failures):
            failures.append(f"linux_names.tsv:{line}: {lname} -> {target} is not used (no such Linux address macro, "
                            f"or the spec lacks the address)")

    # ---- bits ----------------------------------------------------------------
    bits_tsv = os.path.join(HERE, "linux_bits.tsv")
    excused = {}
    for line, row in read_tsv(bits_tsv):
        if len(row) != 2 or not row[1].strip():
            failures.append(f"linux_bits.tsv:{line}: want MACRO<TAB>REASON")
            continue
        excused[row[0]] = line
    defs = L.bit_definitions(macros, linux)
    excused_used = set()
    checked = 0
    for name, owner, address, kind, value in defs:
        here = spec.get(address)
        if not here:
            if name in excused:
                excused_used.add(name)
            continue  # the register is not in the spec (its address is counted below)
        ok = any(lands(kind, value, msr) for _, _, msr in here)
        if ok:
            checked += 1
            if name in excused:
                failures.append(f"linux_bits.tsv:{excused[name]}: {name} lands on the spec; drop the line")
            continue
        if name in excused:
            excused_used.add(name)
            continue
        what = {"position": f"bit {value}", "lsb": f"lowest bit {value}",
                "reserved": f"reserved mask {value:#x}", "mask": f"mask {value:#x}"}[kind]
        failures.append(f"{name} ({what} of {owner}, {address:#x}) lands on no field of "
                        f"{', '.join(sorted(set(m.name for _, _, m in here)))}")
    for name, line in excused.items():
        if name not in excused_used and not any(f"linux_bits.tsv:{line}:" in f for f in failures):
            failures.append(f"linux_bits.tsv:{line}: {name} is not a bit definition the test reads")

    # ---- clashes ----------------------------------------------------------------
    from codegen import handwritten, naming
    ours = {name for name, _, _ in naming.emitted(model)} | set(handwritten.names())
    clashing = sorted(n for n in ours if n in macros)
    for name in clashing:
        failures.append(f"{name}: x86msr emits it and msr-index.h defines it ({macros[name]}); a kernel file that "
                        f"includes both does not compile cleanly")

    # ---- coverage --------------------------------------------------------------
    listed = documented_uncovered()
    covered = [a for a in linux if a in spec]
    missing = sorted(a for a in linux if a not in spec)
    share = 100.0 * len(covered) / len(linux)
    for a in missing:
        if a not in listed:
            failures.append(f"{', '.join(linux[a])} ({a:#x}) is neither in the spec nor in spec/README.md "
                            f"'{UNCOVERED_SECTION[3:]}'")
    for a in sorted(listed):
        if a in spec and a in linux:
            failures.append(f"spec/README.md lists {a:#x} as not in the spec, but the spec has "
                            f"{', '.join(n for n, _, _ in spec[a])}")
    if args.list:
        for a in sorted(linux):
            print(f"{a:#010x}\t{','.join(linux[a])}\t{','.join(n for n, _, _ in spec.get(a, []))}")
    print(f"crosscheck: {header}")
    print(f"crosscheck: Linux names {len(linux)} distinct MSR addresses; the spec describes {len(covered)} "
          f"({share:.1f}%, target {TARGET:.0f}%), all with fields; of the {len(missing)} it lacks, "
          f"{sum(1 for a in missing if a in listed)} are listed in spec/README.md")
    print(f"crosscheck: {len(defs)} Linux bit definitions with a register prefix: {checked} land on spec fields, "
          f"{len(excused_used)} explained in linux_bits.tsv, {len(defs) - checked - len(excused_used)} do not")
    print(f"crosscheck: {len(used)} Linux names mapped by linux_names.tsv")
    print(f"crosscheck: {len(ours)} C names of x86msr against {len(macros)} macros of msr-index.h: "
          f"{len(clashing)} clash")
    with open(README, encoding="utf-8") as f:
        stated = re.search(r"\*\*(\d+) addresses, (\d+)\s+described \(([0-9.]+)%\)\*\*", f.read())
    if not stated or (int(stated.group(1)), int(stated.group(2))) != (len(linux), len(covered)):
        print(f"crosscheck: note: spec/README.md does not state this header's figure "
              f"(**{len(linux)} addresses, {len(covered)} described ({share:.1f}%)**)")
    if share < TARGET:
        failures.append(f"coverage {share:.1f}% is below {TARGET:.0f}%")
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
