"""The frozen model the renderers read: every default filled in, every derived
value (masks, layouts, expanded array instances, C names) computed once.

The validator (validate.py) builds it while it checks the spec, so a model only
exists for a spec without errors. C names come from naming.py and are attached
to each entity as `names`; templates print them and never assemble their own.
"""

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, FrozenSet, Optional, Tuple

from .errors import Position
from .schema import ACCESS_MODES, FIELD_ATTRIBUTES, MSR_ATTRIBUTES, Attribute

ARRAY_PLACEHOLDER = "{n}"
ALL_ONES = (1 << 64) - 1


def hex64(value: int) -> str:
    return f"UINT64_C(0x{value:016X})"


def manual_hex(value: int) -> str:
    """Hex as the manuals write it: 0AH, 80000001H, 7H."""
    text = f"{value:X}"
    return ("0" + text if text[0] in "ABCDEF" else text) + "H"


@dataclass(frozen=True)
class Vendor:
    name: str                 # intel
    title: str                # Intel
    meaning: str
    bit: int                  # bit of the C vendor set
    leaf: Optional[int]       # CPUID leaf of its signature, None for declared vendors
    signatures: Tuple[str, ...]
    registers: Tuple[str, ...]
    position: Position
    names: Any = None         # naming.VendorNames


@dataclass(frozen=True)
class Category:
    name: str
    meaning: str
    index: int
    position: Position
    names: Any = None


@dataclass(frozen=True)
class EnumValue:
    name: str                 # WB
    value: int
    description: str
    names: Any = None         # naming.EnumValueNames


@dataclass(frozen=True)
class Enum:
    key: str                  # memory_type, or ia32_vmx_basic.memory_type for a field's own enum
    description: str
    values: Tuple[EnumValue, ...]
    shared: bool
    position: Position
    names: Any = None         # naming.EnumNames


@dataclass(frozen=True)
class Condition:
    """One node of a presence condition (schema.CONDITION_KINDS)."""

    kind: str                            # cpuid | msr | family | any_of | all_of
    position: Position
    leaf: int = 0
    subleaf: int = 0
    register: str = ""
    msr: Optional[str] = None            # name of the MSR tested (may hold {n})
    msr_address: int = 0                 # its address (of instance 0 when indexed)
    msr_stride: int = 0                  # for {n}: the array's stride (the instance of the same index)
    msr_def: str = ""                    # the name of the register definition it tests
    context: str = ""                    # schema.CONTEXTS
    msb: int = 0
    lsb: int = 0
    bit_is_index: bool = False           # the tested bit is the array index n
    compare: str = "nonzero"             # schema.COMPARISONS
    operand: int = 0
    operand_is_index: bool = False       # the operand is the array index n
    family: int = 0
    models: Tuple[int, ...] = ()
    children: Tuple["Condition", ...] = ()

    @cached_property
    def size(self) -> int:
        """Nodes in this subtree, itself included (the C table stores it to skip subtrees)."""
        return 1 + sum(c.size for c in self.children)

    def flatten(self) -> Tuple["Condition", ...]:
        """This subtree in prefix order, as the C table holds it."""
        out = [self]
        for c in self.children:
            out.extend(c.flatten())
        return tuple(out)

    def msr_names(self) -> Tuple[str, ...]:
        """Every MSR the condition reads."""
        own = (self.msr,) if self.kind == "msr" and self.msr else ()
        return own + tuple(n for c in self.children for n in c.msr_names())

    @cached_property
    def uses_index(self) -> bool:
        own = self.kind == "index" or self.bit_is_index or self.operand_is_index or \
            (self.msr is not None and ARRAY_PLACEHOLDER in self.msr)
        return own or any(c.uses_index for c in self.children)

    def text(self, index: Optional[int] = None) -> str:
        """The condition in the manuals' notation, as msr_condition_describe() (src/core/msr_cpuid.c)
        writes it: CPUID.(EAX=7H,ECX=1H):EBX[2] = 1, IA32_VMX_BASIC[55] = 1; the index
        stays `n` (and an array's name `{n}`) unless an instance index is given."""
        if self.kind in ("any_of", "all_of"):
            joiner = " or " if self.kind == "any_of" else " and "
            parts = [f"({c.text(index)})" if c.kind in ("any_of", "all_of") else c.text(index) for c in self.children]
            return joiner.join(parts)
        if self.kind == "not":
            inner = self.children[0]
            return f"not ({inner.text(index)})"
        if self.kind == "context":
            return f"only in context {self.context}"
        if self.kind == "index":
            return f"n = {self.operand}"
        if self.kind == "family":
            fam = f"family {manual_hex(self.family)}"
            if not self.models:
                return fam
            return fam + ", model " + "/".join(manual_hex(m) for m in self.models)
        n = "n" if index is None else str(index)
        if self.kind == "cpuid":
            sub = f",ECX={manual_hex(self.subleaf)}" if self.subleaf else ""
            source = f"CPUID.(EAX={manual_hex(self.leaf)}{sub}):{self.register.upper()}"
        else:  # without an index, an array keeps its {n} (MCA{n}_CONFIG), as msr_condition_describe() prints it
            source = self.msr or "?"
            if index is not None:
                source = source.replace(ARRAY_PLACEHOLDER, n)
        if self.bit_is_index:
            bits = f"[{n}]"
        elif self.msb == self.lsb:
            bits = f"[{self.lsb}]"
        else:
            bits = f"[{self.msb}:{self.lsb}]"
        operand = n if self.operand_is_index else str(self.operand)
        if self.compare == "nonzero":
            return f"{source}{bits} = 1" if (self.msb == self.lsb or self.bit_is_index) else f"{source}{bits} != 0"
        op = {"equals": "=", "above": ">", "at_least": ">="}[self.compare]
        return f"{source}{bits} {op} {operand}"


@dataclass(frozen=True)
class Field:
    name: str                 # NXE
    msb: int
    lsb: int
    access: str
    description: str
    enum: Optional[Enum]
    reset: Optional[int]
    vendors: Tuple[str, ...]  # () = the register's
    present_if: Optional[Condition]
    position: Position
    names: Any = None         # naming.FieldNames
    flags: FrozenSet[str] = frozenset()  # its attributes (schema.FIELD_ATTRIBUTES), by key
    values: Tuple[Tuple[str, Any], ...] = ()  # the values of those that carry one (schema.Attribute.value)

    def has(self, attribute: str) -> bool:
        return attribute in self.flags

    def value(self, attribute: str) -> Any:
        """An attribute's value: a Condition, a vendor tuple (() = every vendor) ..., or None."""
        return dict(self.values).get(attribute)

    @cached_property
    def attributes(self) -> Tuple[Attribute, ...]:
        """The attributes it has, in declaration order (the order of the C flag bits)."""
        return tuple(a for a in FIELD_ATTRIBUTES if a.key in self.flags)

    @cached_property
    def width(self) -> int:
        return self.msb - self.lsb + 1

    @cached_property
    def mask(self) -> int:
        return ((1 << self.width) - 1) << self.lsb

    @cached_property
    def max_value(self) -> int:
        return (1 << self.width) - 1

    @cached_property
    def readable(self) -> bool:
        return ACCESS_MODES[self.access][0]

    @cached_property
    def writable(self) -> bool:
        return ACCESS_MODES[self.access][1] and not any(a.covered_not_writable for a in self.attributes)

    @cached_property
    def bits_text(self) -> str:
        return f"bit {self.lsb}" if self.width == 1 else f"bits {self.msb}:{self.lsb}"


@dataclass(frozen=True)
class Member:
    """One bitfield of the value union's struct, in bit order; padding included."""

    name: str                 # "" for a run of reserved bits
    width: int
    field: Optional["Field"] = None


@dataclass(frozen=True)
class Instance:
    """One concrete register: a plain MSR, or one element of an array."""

    name: str
    address: int
    index: int
    msr: "Msr"
    aliases: Tuple[str, ...]


@dataclass(frozen=True)
class Msr:
    name: str                 # IA32_EFER, or IA32_MTRR_PHYSBASE{n}
    address: int
    category: str
    access: str
    description: str
    vendors: Tuple[str, ...]
    ref: str
    aliases: Tuple[str, ...]
    present_if: Optional[Condition]
    count: Optional[int]
    stride: int
    layout: Optional[str]
    fields: Tuple[Field, ...]  # ascending lsb
    position: Position
    names: Any = None          # naming.MsrNames
    instances: Tuple[Instance, ...] = field(default=(), compare=False)
    flags: FrozenSet[str] = frozenset()  # its attributes (schema.MSR_ATTRIBUTES), by key
    values: Tuple[Tuple[str, Any], ...] = ()  # locked_by: (field name, writes)

    def has(self, attribute: str) -> bool:
        return attribute in self.flags

    def value(self, attribute: str) -> Any:
        return dict(self.values).get(attribute)

    @cached_property
    def attributes(self) -> Tuple[Attribute, ...]:
        return tuple(a for a in MSR_ATTRIBUTES if a.key in self.flags)

    @property
    def is_array(self) -> bool:
        return self.count is not None

    @cached_property
    def readable(self) -> bool:
        return self.access in ("ro", "rw")

    @cached_property
    def writable(self) -> bool:
        return self.access in ("wo", "rw")

    @property
    def modifiable(self) -> bool:
        return self.access == "rw"

    @cached_property
    def defined_mask(self) -> int:
        mask = 0
        for f in self.fields:
            mask |= f.mask
        return mask

    @cached_property
    def reserved_mask(self) -> int:
        return ALL_ONES & ~self.defined_mask

    @cached_property
    def writable_mask(self) -> int:
        mask = 0
        for f in self.fields:
            if f.writable:
                mask |= f.mask
        return mask

    @cached_property
    def w1c_mask(self) -> int:
        mask = 0
        for f in self.fields:
            if f.access == "rw1c" and f.writable:
                mask |= f.mask
        return mask

    @property
    def undocumented_mask(self) -> int:
        mask = 0
        for f in self.fields:
            if f.has("undocumented"):
                mask |= f.mask
        return mask

    @cached_property
    def canonical_mask(self) -> int:
        mask = 0
        for f in self.fields:
            if f.has("canonical"):
                mask |= f.mask
        return mask

    @cached_property
    def members(self) -> Tuple[Member, ...]:
        """The bitfield struct in bit order, reserved gaps as unnamed members."""
        out = []
        bit = 0
        for f in self.fields:
            if f.lsb > bit:
                out.append(Member("", f.lsb - bit))
            out.append(Member(f.names.member, f.width, f))
            bit = f.msb + 1
        if bit < 64:
            out.append(Member("", 64 - bit))
        return tuple(out)

    @cached_property
    def strict_check(self) -> Tuple[int, int]:
        """(mask, value set) for MSR_SET's compile-time check of strict_enum fields
        (core.h): the strict fields whose values are all below 64 and share the set
        most of them have; a field left out is checked at run time only."""
        sets = {}
        for f in self.fields:
            if f.has("strict_enum") and all(v.value < 64 for v in f.enum.values):
                bits = sum(1 << v.value for v in f.enum.values)
                sets.setdefault(bits, []).append(f.mask)
        if not sets:
            return (0, 0)
        bits, masks = max(sets.items(), key=lambda kv: len(kv[1]))
        mask = 0
        for m in masks:
            mask |= m
        return (mask, bits)

    @cached_property
    def members_width(self) -> int:
        """The longest member name (the struct is aligned on it)."""
        return max(len(m.name) for m in self.members)

    @cached_property
    def address_text(self) -> str:
        if not self.is_array:
            return f"0x{self.address:X}"
        last = self.address + (self.count - 1) * self.stride
        return f"0x{self.address:X}..0x{last:X}, stride {self.stride}"


@dataclass(frozen=True)
class ControlBit:
    bit: int
    name: str
    description: str
    names: Any = None


@dataclass(frozen=True)
class ControlSet:
    name: str
    description: str
    width: int
    capability: Msr
    true_capability: Optional[Msr]
    activated_by: Optional[Tuple[str, int]]   # (set name, bit)
    bits: Tuple[ControlBit, ...]
    index: int
    position: Position
    names: Any = None


@dataclass(frozen=True)
class Model:
    msrs: Tuple[Msr, ...]                 # ascending address, then name
    enums: Tuple[Enum, ...]               # shared enums, spec order
    vendors: Tuple[Vendor, ...]           # built-in first, then declared
    categories: Tuple[Category, ...]      # sorted by name
    control_sets: Tuple[ControlSet, ...]  # spec order
    layouts: Tuple[str, ...]              # names of the shared layouts, spec order
    names: Any = None                     # naming.ModelNames

    @property
    def used_categories(self) -> Tuple[Category, ...]:
        used = {m.category for m in self.msrs}
        return tuple(c for c in self.categories if c.name in used)

    def msrs_in(self, category: str) -> Tuple[Msr, ...]:
        return tuple(m for m in self.msrs if m.category == category)

    @property
    def instances(self) -> Tuple[Instance, ...]:
        """Every concrete register, ascending address (then name)."""
        return tuple(sorted((i for m in self.msrs for i in m.instances), key=lambda i: (i.address, i.name)))

    @property
    def inline_enums(self) -> Tuple[Enum, ...]:
        return tuple(f.enum for m in self.msrs for f in m.fields if f.enum is not None and not f.enum.shared)

    @property
    def field_count(self) -> int:
        return sum(len(m.fields) for m in self.msrs)

    def msr(self, name: str) -> Msr:
        for m in self.msrs:
            if m.name == name:
                return m
        raise KeyError(name)


# ---- where a condition can hold, by family and model ---------------------------------
# Registers of one vendor may share an address when their presence conditions
# exclude each other by family and model (spec/README.md, "Shared addresses").
# `scope` computes a conservative answer: the (family, model) pairs where the
# condition may be true, as the pairs of `within` (None: every processor) less
# those of `excluded`; a pair (family, None) stands for every model of the family.

Pair = Tuple[int, Optional[int]]


@dataclass(frozen=True)
class Scope:
    within: Optional[Tuple[Pair, ...]] = None   # None: no family/model restriction
    excluded: Tuple[Pair, ...] = ()


def _overlap(p: Pair, q: Pair) -> bool:
    return p[0] == q[0] and (p[1] is None or q[1] is None or p[1] == q[1])


def _narrower(p: Pair, q: Pair) -> Pair:
    """The processors both overlapping pairs stand for."""
    return q if p[1] is None else p


def _covered(p: Pair, pairs) -> bool:
    """Every processor `p` stands for is one of `pairs`."""
    return (p[0], None) in pairs or (p[1] is not None and p in pairs)


def _family_only(cond: "Condition") -> bool:
    if cond.kind == "family":
        return True
    return cond.kind == "any_of" and all(_family_only(c) for c in cond.children)


def scope(cond: Optional["Condition"]) -> Scope:
    if cond is None:
        return Scope()
    if cond.kind == "family":
        return Scope(tuple((cond.family, m) for m in cond.models) or ((cond.family, None),))
    if cond.kind == "not":
        child = cond.children[0]
        return Scope(None, scope(child).within) if _family_only(child) else Scope()
    parts = [scope(c) for c in cond.children]
    if cond.kind == "all_of":
        within: Optional[Tuple[Pair, ...]] = None
        excluded: Tuple[Pair, ...] = ()
        for p in parts:
            excluded += p.excluded
            if p.within is not None:
                within = p.within if within is None else tuple(dict.fromkeys(
                    _narrower(a, b) for a in within for b in p.within if _overlap(a, b)))
        return Scope(within, tuple(dict.fromkeys(excluded)))
    if cond.kind == "any_of":
        if all(p.within is not None and not p.excluded for p in parts):
            return Scope(tuple(dict.fromkeys(q for p in parts for q in p.within)))
        return Scope()  # conservative
    return Scope()


def exclusive(a: Optional["Condition"], b: Optional["Condition"]) -> bool:
    """True when no processor can satisfy both conditions, judged by family and
    model alone (a conservative test: False when it cannot tell)."""
    sa, sb = scope(a), scope(b)
    excluded = sa.excluded + sb.excluded
    if sa.within is None and sb.within is None:
        return False
    if sa.within is None or sb.within is None:
        inside = sa.within if sa.within is not None else sb.within
        return all(_covered(p, excluded) for p in inside)
    return all(_covered(_narrower(p, q), excluded)
               for p in sa.within for q in sb.within if _overlap(p, q))
