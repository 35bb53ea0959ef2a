#!/usr/bin/env python3
"""Structural fuzzing of the generator: mutate the real spec, run the generator
in-process on each mutant, and check what it does.

    python3 tests/fuzz/fuzz_codegen.py --count 10000 --seed 1 --jobs 2   # the long run
    python3 tests/fuzz/fuzz_codegen.py --count 500 --seed 1 --excerpt 16 # the CTest run
    python3 tests/fuzz/fuzz_codegen.py --seed 1 --only 4711 --keep DIR   # replay one mutant

A mutant is the spec text with one to three structural edits, made at the
positions PyYAML reports for the original's nodes, so the rest of the file
stays as written: delete or duplicate a key, give a value another type (string,
number, list, mapping, null, boolean, tag, alias, date, non-ASCII, ...), set an
integer to a boundary value (0, 31, 32, 63, 64, 2^32, 2^64, negative, ...),
shift, widen, narrow or swap a bit range, duplicate or delete a list entry
(an MSR, a field, an enum value, a control bit), rename one thing after
another, re-indent a line, tie two values together with an anchor and an
alias; edits that know the spec format: give an MSR or a field a random
presence condition tree (`present_if`: CPUID, MSR, family, context, index, any_of,
all_of, the array index n; mostly well formed, sometimes not), give a field
`vendors` or `canonical`, move an MSR's fields into a shared layout used by
other MSRs, declare a vendor or a category (new, built in, or badly named) and
use it, tie a VMX control set to another with `activated_by`; and/or
byte-level damage: truncate at a random point, insert, delete or overwrite
random bytes (invalid UTF-8 and control characters included).
Mutant N of seed S is the same on every machine and for any --jobs.

Invariants (a mutant that breaks one is a failure; it is saved under --keep):

- no exception escapes `codegen.__main__.main` (no traceback, no crash, no hang
  past --time-limit seconds);
- exit 0: nothing on stderr, no temporary file left, the manifest lists exactly
  the files present; every --check-every-th success also passes `--check`, and
  every --compile-every-th success has its headers and metadata table compiled
  with -Wall -Wextra -Werror -pedantic;
- exit 1: every stderr line but the last is `FILE:LINE:COL: message` with LINE
  and COL inside the mutant, the last is the summary with the right count,
  nothing on stdout, and the output directory byte-for-byte (contents and
  mtimes) what it was;
- any other exit status is a failure.

--excerpt K fuzzes a slice of the real spec (every K-th MSR plus the ones the
control sets and shares_address_with name and, transitively, those their
presence conditions read; all enums and control sets): the
same structure, K times faster to load; the CTest run uses it to stay short.
Exit status: 0 when every mutant kept the invariants, 1 otherwise.
"""

import argparse
import contextlib
import io
import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from typing import Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

import yaml  # noqa: E402

from codegen import output  # noqa: E402
from codegen.__main__ import main as codegen_main  # noqa: E402
from tests.codegen.support import REAL_SPEC, REPO, snapshot  # noqa: E402  (also caches the Jinja2 environment)

Splice = Tuple[int, int, str]  # replace text[start:end] with the string

# ---- the original's structure ---------------------------------------------------------------------


class Structure:
    """Where things are in the seed spec: mapping entries, scalars, list items."""

    def __init__(self, text: str):
        self.text = text
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        self.entries: List[Tuple[yaml.MappingNode, int]] = []   # (mapping, entry index)
        self.scalars: List[yaml.ScalarNode] = []                # values, not keys
        self.lists: List[yaml.SequenceNode] = []
        self.names: List[str] = []
        self.by_key: Dict[str, List[yaml.ScalarNode]] = {}
        self.walk(root)
        # The spec's own parts, for the format-aware operators.
        self.top: Dict[str, Tuple[yaml.ScalarNode, yaml.Node]] = {}
        self.msr_maps: List[yaml.MappingNode] = []     # each MSR's mapping
        self.field_maps: List[yaml.MappingNode] = []   # each field's mapping
        self.set_maps: List[yaml.MappingNode] = []     # each VMX control set's mapping
        self.msr_names: List[str] = []
        self.set_names: List[str] = []
        if isinstance(root, yaml.MappingNode):
            self.top = {k.value: (k, v) for k, v in root.value}
        msrs = self.top.get("msrs", (None, None))[1]
        for m in msrs.value if isinstance(msrs, yaml.SequenceNode) else []:
            if isinstance(m, yaml.MappingNode):
                self.msr_maps.append(m)
                keys = {k.value: v for k, v in m.value}
                if isinstance(keys.get("name"), yaml.ScalarNode):
                    self.msr_names.append(keys["name"].value)
                fields = keys.get("fields")
                if isinstance(fields, yaml.SequenceNode):
                    self.field_maps += [f for f in fields.value if isinstance(f, yaml.MappingNode)]
        sets = self.top.get("vmx_control_sets", (None, None))[1]
        for c in sets.value if isinstance(sets, yaml.SequenceNode) else []:
            if isinstance(c, yaml.MappingNode):
                self.set_maps.append(c)
                self.set_names += [v.value for k, v in c.value if k.value == "name" and isinstance(v, yaml.ScalarNode)]

    @staticmethod
    def key_value(mapping: yaml.MappingNode, key: str) -> Optional[Tuple[yaml.ScalarNode, yaml.Node]]:
        return next(((k, v) for k, v in mapping.value if k.value == key), None)

    def walk(self, node: yaml.Node, key: Optional[str] = None) -> None:
        if isinstance(node, yaml.MappingNode):
            for i, (k, v) in enumerate(node.value):
                self.entries.append((node, i))
                self.walk(v, k.value)
        elif isinstance(node, yaml.SequenceNode):
            if node.value:
                self.lists.append(node)
            for item in node.value:
                self.walk(item, key)
        else:
            self.scalars.append(node)
            self.by_key.setdefault(key or "", []).append(node)
            if key == "name":
                self.names.append(node.value)

    # -- spans --

    def line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def value_end(self, node: yaml.Node) -> int:
        """Where a value's own text ends: a block collection's end mark is the
        next token's position, so stop at the start of that line instead."""
        end = node.end_mark.index
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style:
            return self.line_start(end) if end < len(self.text) else len(self.text)
        return end

    def entry_span(self, mapping: yaml.MappingNode, i: int) -> Tuple[int, int]:
        """The text of entry i up to where the next one starts (separator included)."""
        key, value = mapping.value[i]
        if i + 1 < len(mapping.value):
            return key.start_mark.index, mapping.value[i + 1][0].start_mark.index
        return key.start_mark.index, self.value_end(value)

    def item_span(self, seq: yaml.SequenceNode, i: int) -> Tuple[int, int]:
        """Item i with its separator: flow `x, `; block from its line to the next item's line."""
        items = seq.value
        if seq.flow_style:
            if i + 1 < len(items):
                return items[i].start_mark.index, items[i + 1].start_mark.index
            return items[i].start_mark.index, items[i].end_mark.index
        starts = [self.line_start(item.start_mark.index) for item in items]
        end = starts[i + 1] if i + 1 < len(items) else self.value_end(seq)
        return starts[i], end


# ---- mutation operators: each returns splices on the original text -------------------------------

TYPE_SWAPS = [
    '"text"', "'0x10'", "0x10", "-1", "18446744073709551616", "1.5", "null", "~", "", "true", "no", "on",
    "[]", "[1, 2]", "{}", "{a: 1}", '""', '" "', '"63:0"', "ÄÖÜ", "\U0001F525", "!!binary QQ==", "2001-02-03",
    "2001-13-45", "!foo x", "*undefined", "&anchor x", "'{n}'", "IA32_EFER", "int", "RAW", "rsvd_0", "0", "64",
    "63", "32", "0xFFFFFFFF", "0x100000000", "1:3", "010", ".inf", ".nan", "<<", "? x", "- x", "|", ">", "'",
    "\"unterminated", "x: y", "!!python/object/apply:os.system [true]", "!!set {a, b}", "!!int 3", "!!str 3",
    "0b101", "0o17", "1e3", "-0x10", "+5", "0x1_0000", "\\x00", "%", "@", "`", "a\tb",
    "n", "N", "'n'", "{n}", "IA32_MC{n}_CTL", "{leaf: 1, register: ecx, bit: 5}", "{msr: IA32_EFER, bit: 0}",
    "{context: smm}", "{any_of: []}", "[intel, amd]", "[kvm]", "misc", "test",
]

NUMBERS = [0, 1, 2, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127, 255, 4095, 4096, 4097, 0xFFFF, 0x7FFFFFFF,
           0xFFFFFFFF, 0x100000000, 2 ** 63, 2 ** 64 - 1, 2 ** 64, 2 ** 100, -1, -64, -(2 ** 64)]


def fmt_int(rng: random.Random, v: int) -> str:
    if v >= 0 and rng.random() < 0.5:
        return hex(v)
    return str(v)


def op_delete_key(s: Structure, rng: random.Random) -> List[Splice]:
    mapping, i = rng.choice(s.entries)
    start, end = s.entry_span(mapping, i)
    if i + 1 == len(mapping.value) and i > 0 and mapping.flow_style:
        start = s.value_end(mapping.value[i - 1][1])  # drop the ", " before the last entry
    elif i + 1 == len(mapping.value) and not mapping.flow_style:
        key = mapping.value[i][0]
        if not s.text[s.line_start(key.start_mark.index):key.start_mark.index].strip():
            start = s.line_start(key.start_mark.index)
    return [(start, end, "")]


def op_duplicate_key(s: Structure, rng: random.Random) -> List[Splice]:
    mapping, i = rng.choice(s.entries)
    start, end = s.entry_span(mapping, i)
    copy = s.text[start:end]
    if i + 1 == len(mapping.value):  # the last entry: its text has no separator yet
        if mapping.flow_style:
            copy += ", "
        else:
            copy += ("" if copy.endswith("\n") else "\n") + " " * mapping.value[i][0].start_mark.column
    if rng.random() < 0.3:  # the same key with another value
        swap = ": " + rng.choice(TYPE_SWAPS)
        copy = re.sub(r":[ \t]*[^\n,}]*", lambda m: swap, copy, count=1)
    return [(start, start, copy)]


def replace_scalar(s: Structure, node: yaml.ScalarNode, text: str) -> Splice:
    start, end = node.start_mark.index, node.end_mark.index
    if s.text[start:end].endswith("\n"):  # a block scalar swallows its line break
        text += "\n"
    return (start, end, text)


def op_swap_type(s: Structure, rng: random.Random) -> List[Splice]:
    return [replace_scalar(s, rng.choice(s.scalars), rng.choice(TYPE_SWAPS))]


def op_boundary_number(s: Structure, rng: random.Random) -> List[Splice]:
    ints = [n for n in s.scalars if n.tag == "tag:yaml.org,2002:int"] or s.scalars
    node = rng.choice(ints)
    try:
        old = int(node.value, 0)
    except ValueError:
        old = 0
    v = rng.choice(NUMBERS + [old + 1, old - 1, old * 2, old + rng.randrange(1, 1 << 16), rng.randrange(1 << 64)])
    return [replace_scalar(s, node, fmt_int(rng, v))]


def op_shift_bits(s: Structure, rng: random.Random) -> List[Splice]:
    nodes = s.by_key.get("bits") or s.scalars
    node = rng.choice(nodes)
    m = re.fullmatch(r"\s*(-?\d+)\s*(?::\s*(-?\d+)\s*)?", str(node.value))
    msb, lsb = (int(m.group(1)), int(m.group(2) or m.group(1))) if m else (0, 0)
    d = rng.choice([1, 2, 4, 8, 16, 32, 63, 64]) * rng.choice([-1, 1])
    how = rng.choice(["shift", "msb", "lsb", "swap", "top", "bottom", "single", "whole", "wide"])
    if how == "shift":
        msb, lsb = msb + d, lsb + d
    elif how == "msb":
        msb += d
    elif how == "lsb":
        lsb += d
    elif how == "swap":
        msb, lsb = lsb, msb
    elif how == "top":
        msb = 63
    elif how == "bottom":
        lsb = 0
    elif how == "single":
        lsb = msb
    elif how == "whole":
        msb, lsb = 63, 0
    else:
        msb, lsb = msb + 64, lsb
    text = str(msb) if msb == lsb and rng.random() < 0.5 else f'"{msb}:{lsb}"'
    return [replace_scalar(s, node, text)]


def pick_list(s: Structure, rng: random.Random) -> yaml.SequenceNode:
    """Half the time a block list (MSRs, fields, enum values, control bits), else any list."""
    blocks = [seq for seq in s.lists if not seq.flow_style]
    return rng.choice(blocks if blocks and rng.random() < 0.5 else s.lists)


def op_duplicate_item(s: Structure, rng: random.Random) -> List[Splice]:
    seq = pick_list(s, rng)
    i = rng.randrange(len(seq.value))
    start, end = s.item_span(seq, i)
    copy = s.text[start:end]
    if seq.flow_style and i + 1 == len(seq.value):
        copy += ", "
    elif not seq.flow_style and not copy.endswith("\n"):
        copy += "\n"
    roll = rng.random()
    if roll < 0.35:  # a copy under another name: now the addresses or bits collide instead
        copy = re.sub(r"(name:\s*)([A-Za-z_][A-Za-z0-9_{}]*)", r"\1\2_COPY", copy, count=1)
    elif roll < 0.5:
        copy = re.sub(r"(name:\s*)([A-Za-z_][A-Za-z0-9_{}]*)", r"\1\2_COPY", copy, count=1)
        copy = re.sub(r"(address:\s*)(0x[0-9A-Fa-f]+|\d+)", lambda m: m.group(1) + hex(rng.randrange(1 << 32)),
                      copy, count=1)
    return [(start, start, copy)]


def op_delete_item(s: Structure, rng: random.Random) -> List[Splice]:
    seq = pick_list(s, rng)
    i = rng.randrange(len(seq.value))
    start, end = s.item_span(seq, i)
    if seq.flow_style and i + 1 == len(seq.value) and i > 0:
        start = seq.value[i - 1].end_mark.index
    return [(start, end, "")]


def op_rename(s: Structure, rng: random.Random) -> List[Splice]:
    key = rng.choice(["name", "name", "capability", "true_capability", "shares_address_with", "enum", "category",
                      "access", "register", "msr", "layout", "set", "context", "family"])
    nodes = s.by_key.get(key) or s.scalars
    node = rng.choice(nodes)
    donors = [d for d in nodes if d.value != node.value] or nodes
    return [replace_scalar(s, node, str(rng.choice(donors).value) or "x")]


def op_indent(s: Structure, rng: random.Random) -> List[Splice]:
    line = s.line_start(rng.randrange(len(s.text)))
    how = rng.choice([" ", "  ", "\t", "-1", "-2"])
    if how.startswith("-"):
        n = int(how[1:])
        width = len(s.text[line:]) - len(s.text[line:].lstrip(" "))
        return [(line, line + min(n, width), "")]
    return [(line, line, how)]


def op_anchor_alias(s: Structure, rng: random.Random) -> List[Splice]:
    a, b = sorted(rng.sample(s.scalars, 2), key=lambda n: n.start_mark.index)
    if a.start_mark.index == b.start_mark.index or a.end_mark.index > b.start_mark.index:
        return []
    return [(a.start_mark.index, a.start_mark.index, "&fz "), replace_scalar(s, b, "*fz")]


# ---- operators that know the spec format (v2): presence conditions, layouts, declarations ------------

CONTEXT_CHOICES = ["smm", "guest", "sev_snp_guest", "model_specific", "host", "SMM", ""]


def gen_condition(s: Structure, rng: random.Random, depth: int = 0, valid: bool = False, array: bool = False) -> str:
    """A presence condition in flow style: well formed when `valid` (for an array's
    condition when `array`: it may use n), else now and then wrong in some way."""
    def pick(good, bad):
        return rng.choice(good if valid or rng.random() < 0.7 else bad)

    kinds = ["cpuid", "msr", "family", "context", "index", "any_of", "all_of"] + ([] if valid else ["junk"])
    weights = [5, 4, 1, 1, 1 if array or not valid else 0, 1 if depth < 3 else 0,
               1 if depth < 3 else 0] + ([] if valid else [1])
    kind = rng.choices(kinds, weights)[0]
    n = ["n"] if array else []

    def bits(width: int) -> str:
        if rng.random() < 0.5:
            return f"bit: {pick([0, 1, 5, width - 1] + n, [width, -1, 'n', 'm', '[1]'])}"
        msb = pick([3, 7, 15, width - 1], [width, 64, -1])
        lsb = pick([0, 0, 2, min(msb, 3)] if isinstance(msb, int) and msb >= 3 else [0], [msb + 1 if isinstance(msb, int)
                                                                                        else 0, "x"])
        return pick([f'bits: "{msb}:{lsb}"'], [f'bit: 1, bits: "{msb}:{lsb}"', f"bits: {msb}:{lsb}", "bits: [1]"])

    def compare(width: int) -> str:
        if rng.random() < 0.5:
            return ""
        key = pick(["equals", "above", "at_least"], ["equal", "above: 1, equals"])
        operand = pick([0, 1, 3] + n, [255, 256, -1, "n", 2 ** 64, '"3"'])
        return f", {key}: {operand}"

    if kind == "cpuid":
        leaf = pick(["0x1", "0x7", "0xA", "0x80000001", "0x80000022"], ["0x100000000", "-1", "x"])
        sub = pick(["", "", ", subleaf: 1"], [", subleaf: -1", ", subleaf: 0x100000000"])
        reg = pick(["eax", "ebx", "ecx", "edx"], ["EAX", "esx", "1"])
        b = bits(32)
        return f"{{leaf: {leaf}{sub}, register: {reg}, {b}{compare(32) if 'bits' in b else ''}}}"
    if kind == "msr":
        plain = [m for m in s.msr_names if "{n}" not in m] or ["IA32_EFER"]
        arrays = [m for m in s.msr_names if "{n}" in m]
        good = plain + ([m.replace("{n}", str(rng.choice([0, 1]))) for m in arrays] if arrays else [])
        good += arrays if array else []
        name = pick(good, ["IA32_NOPE", "ia32_efer", "EFER"] + arrays + [m.replace("{n}", "4095") for m in arrays])
        b = bits(64)
        return f"{{msr: \"{name}\", {b}{compare(64) if 'bits' in b else ''}}}"
    if kind == "family":
        models = pick(["", ", models: [0x55]", ", models: [0x55, 0x6A]"],
                      [", models: [0x55, 0x55]", ", models: [0x100]", ", models: []", ", models: 0x55"])
        return f"{{family: {pick(['6', '0xF', '0x19', '0x10E'], ['0x10F', '-1', 'six'])}{models}}}"
    if kind == "context":
        return f"{{context: {pick(CONTEXT_CHOICES[:4], CONTEXT_CHOICES[4:])}}}"
    if kind == "index":  # an array's first instances; a plain register has none
        index = pick([0, 1], [-1, 4096, "n", '"2"'])
        return f"{{index: {index}}}"
    if kind in ("any_of", "all_of"):
        count = pick([1, 2, 2, 3], [0, 1, 2])
        children = ", ".join(gen_condition(s, rng, depth + 1, valid, array) for _ in range(count))
        extra = pick([""], [", leaf: 1", ", context: smm"])
        return f"{{{kind}: [{children}]{extra}}}"
    return rng.choice(["{feature: sse3}", "[leaf, 1]", "yes", "{}", "{leaf: 1, msr: IA32_EFER, bit: 0}",
                       "{any_of: {family: 6}}", "{context: smm, bit: 1}"])


def mapping_key_indent(s: Structure, mapping: yaml.MappingNode) -> Optional[int]:
    """The column of a block mapping's keys, or None for a flow mapping."""
    if mapping.flow_style or not mapping.value:
        return None
    return mapping.value[0][0].start_mark.column


def set_key(s: Structure, mapping: yaml.MappingNode, key: str, value: str) -> List[Splice]:
    """Give `mapping` the entry `key: value`: replace the value if the key is there, else add the
    entry (a line of its own in a block mapping, `key: value, ` after `{` in a flow one)."""
    found = Structure.key_value(mapping, key)
    if found is not None:
        k, v = found
        if isinstance(v, yaml.ScalarNode):
            return [replace_scalar(s, v, value)]
        return [(v.start_mark.index, s.value_end(v), value + ("\n" if not v.flow_style else ""))]
    indent = mapping_key_indent(s, mapping)
    if indent is None:
        at = mapping.start_mark.index + 1
        return [(at, at, f"{key}: {value}, ")]
    first = mapping.value[0][0].start_mark.index
    if rng_free_line(s, first):
        line = s.line_start(first)
        return [(line, line, " " * indent + f"{key}: {value}\n")]
    return [(first, first, f"{key}: {value}\n" + " " * indent)]  # `- name: X`: the key sits after the dash


def rng_free_line(s: Structure, index: int) -> bool:
    """Whether only blanks precede `index` on its line."""
    return not s.text[s.line_start(index):index].strip()


def op_present_if(s: Structure, rng: random.Random) -> List[Splice]:
    """Give an MSR or a field a new presence condition (or replace the one it has)."""
    field = bool(s.field_maps) and rng.random() < 0.3
    owner = rng.choice(s.msr_maps) if s.msr_maps else None
    if owner is None:
        return []
    name = Structure.key_value(owner, "name")
    array = name is not None and "{n}" in str(name[1].value)
    if field:
        fields = Structure.key_value(owner, "fields")
        choices = [f for f in fields[1].value if isinstance(f, yaml.MappingNode)] \
            if fields and isinstance(fields[1], yaml.SequenceNode) else []
        if not choices:
            return []
        owner = rng.choice(choices)
    return set_key(s, owner, "present_if", gen_condition(s, rng, valid=rng.random() < 0.5, array=array))


def op_field_keys(s: Structure, rng: random.Random) -> List[Splice]:
    """A field's v2 keys: vendors, canonical."""
    if not s.field_maps:
        return []
    key = rng.choice(["vendors", "vendors", "canonical"])
    if key == "vendors":
        value = rng.choice(["[intel]", "[amd]", "[intel, amd]", "[kvm]", "[]", "[arm]", "amd", "[intel, intel]"])
    else:
        value = rng.choice(["true", "false", "1", "yes", '"true"'])
    return set_key(s, rng.choice(s.field_maps), key, value)


def op_layout(s: Structure, rng: random.Random) -> List[Splice]:
    """Move an MSR's fields into a shared layout and point one to three MSRs at it (of any access
    mode, some with fields of their own)."""
    with_fields = [(m, Structure.key_value(m, "fields")) for m in s.msr_maps if not m.flow_style]
    with_fields = [(m, kv) for m, kv in with_fields if kv is not None and isinstance(kv[1], yaml.SequenceNode)
                   and not kv[1].flow_style]
    top_key = s.top.get("msrs", (None, None))[0]
    if not with_fields or top_key is None:
        return []
    source, (fkey, fvalue) = rng.choice(with_fields)
    index = [k.value for k, _ in source.value].index("fields")
    start, end = s.entry_span(source, index)
    fields_text = s.text[start:end]
    if not fields_text.endswith("\n"):
        fields_text += "\n"
    name = rng.choices(["shared", "case", "Shared2", "x-y"], [6, 1, 1, 1])[0]
    indent = fkey.start_mark.column
    layout = (f"layouts:\n  {name}:\n" + " " * indent + "description: A shared layout.\n" + " " * indent +
              fields_text)
    at = s.line_start(top_key.start_mark.index)
    splices = [(at, at, layout + "\n")]
    if rng.random() < 0.8:  # the source now takes its fields from the layout
        last = index + 1 == len(source.value)  # else the span runs on to the next key's indentation
        splices.append((start, end, f"layout: {rng.choice([name, name, 'nope', '[x]'])}\n" + ("" if last else " " * indent)))
    for m in rng.sample(s.msr_maps, min(len(s.msr_maps), rng.choice([0, 1, 2]))):
        if m is source or m.flow_style or Structure.key_value(m, "layout"):
            continue
        keys = [k.value for k, _ in m.value]
        if "fields" in keys and rng.random() < 0.7:  # its fields give way to the layout's
            i = keys.index("fields")
            a, b = s.entry_span(m, i)
            new = [(a, b, f"layout: {name}\n" + ("" if i + 1 == len(keys) else " " * indent))]
        else:
            new = set_key(s, m, "layout", name)
        if all(e <= a or b <= st for st, e, _ in new for a, b, _ in splices):
            splices += new
    return splices


def op_declare(s: Structure, rng: random.Random) -> List[Splice]:
    """Declare a vendor or a category (sometimes a built-in one, or a bad name) and use it."""
    first = min((k.start_mark.index for k, _ in s.top.values()), default=None)
    if first is None:
        return []
    what = rng.choice(["vendors", "categories"])
    name = rng.choice(["mine", "mine", "own_hv", "intel", "misc", "Mine", "x-y", "class", "all", "count"])
    body = rng.choice([f"  {name}:\n    description: Declared.\n", f"  {name}: {{}}\n", f"  {name}: text\n",
                       f"  {name}:\n    description: Declared.\n  {name}2:\n    description: Again.\n"])
    at = s.line_start(first)
    splices = [(at, at, f"{what}:\n{body}\n")]
    users = [m for m in s.msr_maps if Structure.key_value(m, "vendors" if what == "vendors" else "category")]
    for m in rng.sample(users, min(len(users), rng.choice([0, 1, 1, 2]))):
        key, value = Structure.key_value(m, "vendors" if what == "vendors" else "category")
        if what == "vendors" and isinstance(value, yaml.SequenceNode) and value.flow_style:
            new = [(value.start_mark.index, value.end_mark.index, f"[{name}]" if rng.random() < 0.5 else
                    s.text[value.start_mark.index:value.end_mark.index - 1] + f", {name}]")]
        elif what == "categories" and isinstance(value, yaml.ScalarNode):
            new = [replace_scalar(s, value, name)]
        else:
            continue
        if all(e <= a or b <= st for st, e, _ in new for a, b, _ in splices):
            splices += new
    return splices


def op_activated_by(s: Structure, rng: random.Random) -> List[Splice]:
    """Tie a VMX control set to a control of another (or of itself, or of none)."""
    if not s.set_maps:
        return []
    target = rng.choice(s.set_names + ["nope", "Primary"]) if s.set_names else "nope"
    bit = rng.choice([0, 17, 31, 32, 63, 64, -1, "x"])
    value = rng.choice([f"{{set: {target}, bit: {bit}}}", f"{{set: {target}}}", target, f"{{set: {target}, bit: 1, "
                        "value: 1}"])
    return set_key(s, rng.choice(s.set_maps), "activated_by", value)


STRUCTURAL = {
    "delete_key": (op_delete_key, 3), "duplicate_key": (op_duplicate_key, 2), "swap_type": (op_swap_type, 4),
    "boundary_number": (op_boundary_number, 3), "shift_bits": (op_shift_bits, 4),
    "duplicate_item": (op_duplicate_item, 2), "delete_item": (op_delete_item, 2), "rename": (op_rename, 2),
    "indent": (op_indent, 1), "anchor_alias": (op_anchor_alias, 1),
    "present_if": (op_present_if, 4), "field_keys": (op_field_keys, 1), "layout": (op_layout, 1),
    "declare": (op_declare, 1), "activated_by": (op_activated_by, 1),
}

JUNK = [b":", b"-", b"{", b"}", b"[", b"]", b",", b"&", b"*", b"!", b"|", b">", b"#", b"'", b'"', b"%", b"@",
        b"`", b"?", b"\t", b"\n", b"\r", b"\x00", b"\x1b", b"\xff", b"\xc3", b"\xef\xbb\xbf", b" ", b"<<: ",
        "ß".encode(), "\u2028".encode(), "\U0001F525".encode()]


def byte_damage(data: bytes, rng: random.Random) -> Tuple[bytes, str]:
    how = rng.choice(["truncate", "truncate", "insert", "insert", "delete", "overwrite", "junk", "repeat"])
    at = rng.randrange(len(data) + 1)
    if how == "truncate":
        return data[:at], how
    if how == "insert":
        return data[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + data[at:], how
    if how == "delete":
        return data[:at] + data[at + rng.randint(1, 64):], how
    if how == "overwrite":
        n = rng.randint(1, 4)
        return data[:at] + bytes(rng.randrange(256) for _ in range(n)) + data[at + n:], how
    if how == "junk":
        return data[:at] + b"".join(rng.choice(JUNK) for _ in range(rng.randint(1, 3))) + data[at:], how
    n = rng.randint(1, 200)
    return data[:at] + data[at:at + n] * rng.randint(2, 5) + data[at + n:], how


def mutate(s: Structure, seed: int, index: int) -> Tuple[bytes, List[str]]:
    """Mutant `index` of `seed`: (its bytes, the operations applied)."""
    rng = random.Random(f"{seed}:{index}")
    names = list(STRUCTURAL)
    weights = [STRUCTURAL[n][1] for n in names]
    n_struct = rng.choices([0, 1, 2, 3], [15, 55, 20, 10])[0]
    n_bytes = rng.choices([0, 1, 2], [70, 22, 8])[0] if n_struct else rng.choice([1, 1, 2])
    ops, splices = [], []
    for _ in range(n_struct):
        name = rng.choices(names, weights)[0]
        new = STRUCTURAL[name][0](s, rng)
        if all(e <= a or b <= st for st, e, _ in new for a, b, _ in splices) and new:
            splices += new
            ops.append(name)
    text = s.text
    for start, end, repl in sorted(splices, key=lambda sp: (sp[0], sp[1]), reverse=True):
        text = text[:start] + repl + text[end:]
    data = text.encode("utf-8")
    for _ in range(n_bytes):
        data, how = byte_damage(data, rng)
        ops.append(how)
    return data, ops


# ---- the seed spec --------------------------------------------------------------------------------


def condition_msrs(cond) -> List[str]:
    """The MSR names a presence condition (a parsed `present_if` value) reads."""
    if isinstance(cond, list):
        return [n for c in cond for n in condition_msrs(c)]
    if not isinstance(cond, dict):
        return []
    own = [cond["msr"]] if isinstance(cond.get("msr"), str) else []
    return own + condition_msrs(cond.get("any_of")) + condition_msrs(cond.get("all_of"))


def excerpt(text: str, every: int) -> str:
    """Every `every`-th MSR of `text`, plus those the control sets, shares_address_with, the
    presence conditions and restore_after of the kept ones name (transitively), so the excerpt
    is a valid spec."""
    s = Structure(text)
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    msrs = next(v for k, v in root.value if k.value == "msrs")
    # An array instance's name (IA32_MC4_MISC) stands for its array (IA32_MC{n}_MISC).
    arrays = [(re.compile(re.escape(m["name"]).replace(re.escape("{n}"), "[0-9]+") + "$"), m["name"])
              for m in data["msrs"] if "{n}" in m["name"]]

    def entry_of(name: str) -> str:
        return next((a for pattern, a in arrays if pattern.match(name)), name)

    needed = {c.get(k) for c in data.get("vmx_control_sets", []) for k in ("capability", "true_capability")}
    needed |= {m.get("shares_address_with") for m in data["msrs"]}
    kept = ({m["name"] for i, m in enumerate(data["msrs"]) if i % every == 0} | needed) - {None}
    while True:
        more = {entry_of(n) for m in data["msrs"] if m["name"] in kept
                for f in [m] + m.get("fields", []) for n in condition_msrs(f.get("present_if"))}
        more |= {m["shares_address_with"] for m in data["msrs"] if m["name"] in kept and "shares_address_with" in m}
        more |= {entry_of(n) for m in data["msrs"] if m["name"] in kept and isinstance(m.get("restore_after"), dict)
                 for n in m["restore_after"].get("msrs", [])}
        more |= {m["name"] for m in data["msrs"] if m.get("shares_address_with") in kept}
        if more <= kept:
            break
        kept |= more
    keep = [i for i, m in enumerate(data["msrs"]) if m["name"] in kept]
    first, _ = s.item_span(msrs, 0)
    _, last = s.item_span(msrs, len(msrs.value) - 1)
    body = "".join(text[slice(*s.item_span(msrs, i))] for i in keep)
    return text[:first] + body + text[last:]


# ---- running one mutant ---------------------------------------------------------------------------


class Timeout(BaseException):  # not an Exception: no `except Exception` in the generator may swallow it
    pass


def _alarm(signum, frame):
    raise Timeout()


def compile_output(out: str) -> Optional[str]:
    """Compile the headers and the table; an error message, or None when they compile."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        return None
    main_c = os.path.join(out, "fuzz_main.c")
    with open(main_c, "w", encoding="utf-8") as f:
        f.write('#include "x86msr/msrs.h"\nint main(void) { return 0; }\n')
    try:
        for src in (main_c, os.path.join(out, "src", "msr_table.c")):
            run = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only",
                                  "-I", os.path.join(out, "include"), "-I", os.path.join(REPO, "src", "include"), src],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if run.returncode != 0:
                return f"{os.path.basename(src)} does not compile:\n{run.stdout[:3000]}"
    finally:
        os.unlink(main_c)
    return None


class Worker:
    def __init__(self, text: str, seed: int, workdir: str, time_limit: int, check_every: int, compile_every: int):
        self.structure = Structure(text)
        self.seed = seed
        self.time_limit = time_limit
        self.check_every = check_every
        self.compile_every = compile_every
        self.dir = tempfile.mkdtemp(prefix=f"w{os.getpid()}-", dir=workdir)
        self.spec = os.path.join(self.dir, "spec.yaml")
        self.out = os.path.join(self.dir, "out")
        with open(self.spec, "w", encoding="utf-8") as f:
            f.write(text)
        status, _, err = self.run(["--spec", self.spec, "--out", self.out, "--quiet"])
        assert status == 0, f"the seed spec does not generate: {err}"
        self.before = snapshot(self.out)
        self.successes = 0

    def run(self, argv: List[str]) -> Tuple[object, str, str]:
        out, err = io.StringIO(), io.StringIO()
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(self.time_limit)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    status = codegen_main(argv)
                except SystemExit as exc:
                    status = ("SystemExit", exc.code)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
        return status, out.getvalue(), err.getvalue()

    def check(self, index: int) -> Tuple[str, List[str], Optional[str], bytes]:
        """(outcome, operations, failure or None, mutant) for mutant `index`."""
        data, ops = mutate(self.structure, self.seed, index)
        with open(self.spec, "wb") as f:
            f.write(data)
        try:
            status, out, err = self.run(["--spec", self.spec, "--out", self.out, "--quiet"])
        except Timeout:
            self.before = snapshot(self.out)
            return "failure", ops, f"no answer within {self.time_limit} s", data
        except BaseException:  # noqa: B902 - any escaping exception is the finding
            self.before = snapshot(self.out)
            return "failure", ops, traceback.format_exc(), data
        if status == 1:
            return "refused", ops, self.check_refusal(data, out, err), data
        if status == 0:
            return "accepted", ops, self.check_success(out, err), data
        return "failure", ops, f"exit status {status!r}\nstdout: {out[:2000]}\nstderr: {err[:2000]}", data

    def check_refusal(self, data: bytes, out: str, err: str) -> Optional[str]:
        lines = err.splitlines()
        line_count = data.count(b"\n") + 1
        pattern = re.compile(re.escape(self.spec) + r":(\d+):(\d+): \S")
        problems = []
        if out:
            problems.append(f"stdout is not empty: {out[:500]!r}")
        if len(lines) < 2:
            problems.append("no file:line:col: message")
        for line in lines[:-1]:
            m = pattern.match(line)
            if not m:
                problems.append(f"not FILE:LINE:COL: message: {line!r}")
            elif not (1 <= int(m.group(1)) <= line_count and int(m.group(2)) >= 1):
                problems.append(f"position outside the file ({line_count} lines): {line!r}")
        if lines and lines[-1] != f"{self.spec}: {len(lines) - 1} error(s); nothing was written":
            problems.append(f"bad summary line: {lines[-1]!r}")
        if snapshot(self.out) != self.before:
            problems.append("the output directory changed")
        return "\n".join(problems + ["stderr:", err[:4000]]) if problems else None

    def check_success(self, out: str, err: str) -> Optional[str]:
        problems = []
        if out or err:
            problems.append(f"output on a quiet success: stdout {out[:500]!r}, stderr {err[:2000]!r}")
        after = snapshot(self.out)
        if any(os.path.basename(n).startswith(output.TEMP_PREFIX) for n in after):
            problems.append("a temporary file was left behind")
        listed = after.get(output.MANIFEST, (b"", 0))[0].decode("utf-8", "replace").splitlines()
        listed = sorted(n for n in listed if n and not n.startswith("#"))
        if listed != sorted(n for n in after if n != output.MANIFEST):
            problems.append(f"the manifest lists {listed}, the directory holds {sorted(after)}")
        self.successes += 1
        if not problems and self.check_every and self.successes % self.check_every == 0:
            status, _, stale = self.run(["--spec", self.spec, "--out", self.out, "--check"])
            if status != 0:
                problems.append(f"--check after a successful run: {stale[:2000]}")
        if not problems and self.compile_every and self.successes % self.compile_every == 0:
            message = compile_output(self.out)
            if message:
                problems.append(message)
        self.before = snapshot(self.out)
        return "\n".join(problems) if problems else None


# ---- the driver -------------------------------------------------------------------------------------


def check_seed(text: str) -> Optional[str]:
    """The generator's complaints about the seed spec, or None when it generates."""
    with tempfile.TemporaryDirectory() as tmp:
        spec = os.path.join(tmp, "seed.yaml")
        with open(spec, "w", encoding="utf-8") as f:
            f.write(text)
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            status = codegen_main(["--spec", spec, "--out", os.path.join(tmp, "out"), "--quiet"])
        return None if status == 0 else err.getvalue()

_WORKER: Optional[Worker] = None


def _init(*args):
    global _WORKER
    _WORKER = Worker(*args)


def _check(index: int):
    return (index,) + _WORKER.check(index)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500, help="mutants to run (default 500)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--first", type=int, default=0, help="index of the first mutant (default 0)")
    parser.add_argument("--only", type=int, help="run this one mutant (a failure's index)")
    parser.add_argument("--spec", default=REAL_SPEC, help="the seed spec (default spec/msrs.yaml)")
    parser.add_argument("--excerpt", type=int, metavar="K", help="fuzz every K-th MSR of the seed only")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--time-limit", type=int, default=120, help="seconds a mutant may take (default 120)")
    parser.add_argument("--check-every", type=int, default=10, help="--check every N-th success (0: never)")
    parser.add_argument("--compile-every", type=int, default=50, help="compile every N-th success (0: never)")
    parser.add_argument("--keep", metavar="DIR", help="save failing mutants here (default: a new temporary directory)")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per mutant")
    args = parser.parse_args(argv)

    with open(args.spec, encoding="utf-8") as f:
        text = f.read()
    if args.excerpt:
        text = excerpt(text, args.excerpt)
    indices = [args.only] if args.only is not None else list(range(args.first, args.first + args.count))
    workdir = tempfile.mkdtemp(prefix="x86msr-fuzz-codegen-")
    keep = args.keep or tempfile.mkdtemp(prefix="x86msr-fuzz-failures-")
    os.makedirs(keep, exist_ok=True)
    init = (text, args.seed, workdir, args.time_limit, args.check_every, args.compile_every)
    seed_problem = check_seed(text)
    if seed_problem:  # a pool whose initializer fails restarts its workers for ever
        print(f"fuzz_codegen: the seed spec does not generate:\n{seed_problem}", file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)
        return 2
    print(f"fuzz_codegen: {len(indices)} mutants of {os.path.relpath(args.spec, REPO)}"
          f"{f' (every {args.excerpt}th MSR)' if args.excerpt else ''}, {len(text.splitlines())} lines, "
          f"seed {args.seed}, {args.jobs} job(s)", flush=True)
    started = time.monotonic()
    outcomes, ops_seen, failures = Counter(), Counter(), []
    try:
        if args.jobs > 1:
            pool = multiprocessing.get_context("fork").Pool(args.jobs, _init, init)
            results = pool.imap_unordered(_check, indices, chunksize=4)
        else:
            pool = None
            _init(*init)
            results = map(_check, indices)
        for done, (index, outcome, ops, failure, data) in enumerate(results, 1):
            outcomes[outcome if failure is None else "failure"] += 1
            ops_seen.update(ops)
            if args.verbose:
                print(f"  #{index}: {outcome}{' FAILED' if failure else ''} ({', '.join(ops) or 'no-op'})", flush=True)
            if failure is not None:
                path = os.path.join(keep, f"mutant-{args.seed}-{index}.yaml")
                with open(path, "wb") as f:
                    f.write(data)
                failures.append(index)
                print(f"FAILURE: mutant {index} ({', '.join(ops)}), saved as {path}\n"
                      f"  replay: {sys.argv[0]} --seed {args.seed} --only {index}"
                      f"{f' --excerpt {args.excerpt}' if args.excerpt else ''}\n{failure}", flush=True)
            elif done % 500 == 0:
                print(f"  {done} mutants, {time.monotonic() - started:.0f} s", flush=True)
        if pool:
            pool.close()
            pool.join()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if not failures and not args.keep:
            shutil.rmtree(keep, ignore_errors=True)
    elapsed = time.monotonic() - started
    print(f"fuzz_codegen: {sum(outcomes.values())} mutants in {elapsed:.1f} s "
          f"({sum(outcomes.values()) / max(elapsed, 1e-9):.1f}/s): {outcomes['accepted']} accepted, "
          f"{outcomes['refused']} refused with file:line:col messages, {outcomes['failure']} failures")
    print("  operations: " + ", ".join(f"{name} {n}" for name, n in sorted(ops_seen.items())))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
