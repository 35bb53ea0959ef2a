"""The frozen model the templates read: defaults filled in, every derived value
(masks, C names, struct layout, expanded array instances) computed once here.

Built only from a spec the validator accepted, so nothing here can fail.
"""

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from .schema import FIELD_ACCESS, REGISTER_ACCESS

ARRAY_PLACEHOLDER = "{n}"
ALL_ONES = (1 << 64) - 1


def c_stem(name: str) -> str:
    """Mechanical lower-case C stem: IA32_MTRR_PHYSBASE{n} -> ia32_mtrr_physbasen."""
    return name.replace(ARRAY_PLACEHOLDER, "n").lower()


def hex64(value: int) -> str:
    return f"UINT64_C(0x{value:016X})"


@dataclass(frozen=True)
class EnumValue:
    name: str          # WB
    value: int
    description: str
    macro: str         # MSR_MEMORY_TYPE_WB


@dataclass(frozen=True)
class Enum:
    name: str          # memory_type, or ia32_vmx_basic_memory_type for inline enums
    c_name: str        # msr_memory_type
    description: str
    values: Tuple[EnumValue, ...]
    shared: bool


@dataclass(frozen=True)
class Field:
    name: str          # NXE
    member: str        # nxe (struct member and accessor infix)
    macro: str         # MSR_IA32_EFER_NXE
    msb: int
    lsb: int
    access: str
    description: str
    enum: Optional[Enum]
    reset: Optional[int]

    @property
    def width(self) -> int:
        return self.msb - self.lsb + 1

    @property
    def mask(self) -> int:
        return ((1 << self.width) - 1) << self.lsb

    @property
    def mask_c(self) -> str:
        return hex64(self.mask)

    @property
    def max_value(self) -> int:
        return (1 << self.width) - 1

    @property
    def readable(self) -> bool:
        return FIELD_ACCESS[self.access][0]

    @property
    def writable(self) -> bool:
        return FIELD_ACCESS[self.access][1]

    @property
    def bits_text(self) -> str:
        return f"bit {self.lsb}" if self.width == 1 else f"bits {self.msb}:{self.lsb}"


@dataclass(frozen=True)
class Member:
    """One bitfield of the value union's struct, in bit order; padding included."""

    name: str
    width: int
    comment: str


@dataclass(frozen=True)
class CpuidCondition:
    leaf: int
    subleaf: int
    register: str
    bit: int

    @property
    def text(self) -> str:
        sub = f",ECX={self.subleaf:X}H" if self.subleaf else ""
        return f"CPUID.(EAX={self.leaf:X}H{sub}):{self.register.upper()}[{self.bit}]"


@dataclass(frozen=True)
class Instance:
    """One concrete register: a plain MSR, or one element of an array."""

    name: str
    address: int
    index: int
    msr: "Msr"

    @property
    def aliases(self) -> Tuple[str, ...]:
        return tuple(a.replace(ARRAY_PLACEHOLDER, str(self.index)) for a in self.msr.aliases)

    @property
    def id(self) -> str:
        """A C-identifier suffix unique to this instance (for table symbols)."""
        return f"{self.msr.stem}_{self.index}" if self.msr.is_array else self.msr.stem

    @property
    def macro(self) -> str:
        return "MSR_" + self.name


@dataclass(frozen=True)
class Msr:
    name: str                 # IA32_EFER, or IA32_MTRR_PHYSBASE{n}
    stem: str                 # ia32_efer
    macro: str                # MSR_IA32_EFER
    address: int
    category: str
    access: str
    description: str
    vendors: Tuple[str, ...]
    ref: str
    aliases: Tuple[str, ...]
    cpuid: Tuple[CpuidCondition, ...]
    condition: Optional[str]
    count: Optional[int]
    stride: int
    fields: Tuple[Field, ...]  # ascending lsb

    @property
    def is_array(self) -> bool:
        return self.count is not None

    @property
    def readable(self) -> bool:
        return self.access in ("ro", "rw")

    @property
    def writable(self) -> bool:
        return self.access in ("wo", "rw")

    @property
    def modifiable(self) -> bool:
        return self.access == "rw"

    @property
    def defined_mask(self) -> int:
        mask = 0
        for f in self.fields:
            mask |= f.mask
        return mask

    @property
    def reserved_mask(self) -> int:
        return ALL_ONES & ~self.defined_mask

    @property
    def writable_mask(self) -> int:
        mask = 0
        for f in self.fields:
            if f.writable:
                mask |= f.mask
        return mask

    @property
    def w1c_mask(self) -> int:
        mask = 0
        for f in self.fields:
            if f.access == "rw1c":
                mask |= f.mask
        return mask

    @property
    def instances(self) -> Tuple[Instance, ...]:
        if not self.is_array:
            return (Instance(self.name, self.address, 0, self),)
        return tuple(Instance(self.name.replace(ARRAY_PLACEHOLDER, str(i)), self.address + i * self.stride, i, self)
                     for i in range(self.count))

    @property
    def members(self) -> Tuple[Member, ...]:
        """The bitfield struct in bit order, reserved gaps as rsvd_<lsb>."""
        out: List[Member] = []
        bit = 0
        for f in self.fields:
            if f.lsb > bit:
                out.append(Member(f"rsvd_{bit}", f.lsb - bit, ""))
            out.append(Member(f.member, f.width, f"{f.name}, {f.bits_text}, {f.access}"))
            bit = f.msb + 1
        if bit < 64:
            out.append(Member(f"rsvd_{bit}", 64 - bit, ""))
        return tuple(out)

    @property
    def vendor_text(self) -> str:
        return " and ".join({"intel": "Intel", "amd": "AMD"}[v] for v in self.vendors)

    @property
    def cpuid_text(self) -> str:
        return " or ".join(c.text for c in self.cpuid)

    @property
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
    macro: str        # MSR_VMX_SECONDARY_ENABLE_EPT


@dataclass(frozen=True)
class ControlSet:
    name: str
    id_macro: str     # MSR_VMX_CTLS_SECONDARY
    description: str
    width: int
    capability: Msr
    true_capability: Optional[Msr]
    bits: Tuple[ControlBit, ...]


@dataclass(frozen=True)
class Model:
    msrs: Tuple[Msr, ...]                 # ascending address
    enums: Tuple[Enum, ...]               # shared enums, spec order
    control_sets: Tuple[ControlSet, ...]  # spec order

    @property
    def categories(self) -> Tuple[str, ...]:
        return tuple(sorted({m.category for m in self.msrs}))

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


# ---- construction from validated plain data ----------------------------------


def _enum(name: str, c_prefix: str, description: str, values: List[Dict[str, Any]], shared: bool) -> Enum:
    return Enum(
        name=name,
        c_name="msr_" + c_prefix.lower(),
        description=description,
        values=tuple(EnumValue(v["name"], v["value"], v.get("description", ""),
                               f"MSR_{c_prefix.upper()}_{v['name']}") for v in values),
        shared=shared,
    )


def build(spec: Dict[str, Any]) -> Model:
    """`spec` is the validator's plain output: keys present, types right."""
    shared = {name: _enum(name, name, e["description"], e["values"], True)
              for name, e in spec.get("enums", {}).items()}
    msrs: List[Msr] = []
    for m in spec["msrs"]:
        stem = c_stem(m["name"])
        fields: List[Field] = []
        for f in m.get("fields", []):
            ref = f.get("enum")
            if isinstance(ref, str):
                enum = shared[ref]
            elif ref is not None:
                prefix = f"{stem}_{f['name'].lower()}"
                enum = _enum(prefix, prefix, f"Values of {m['name']}.{f['name']}", ref, False)
            else:
                enum = None
            fields.append(Field(
                name=f["name"], member=f["name"].lower(), macro=f"MSR_{stem.upper()}_{f['name']}",
                msb=f["msb"], lsb=f["lsb"], access=f.get("access") or m["access"],
                description=f["description"], enum=enum, reset=f.get("reset")))
        fields.sort(key=lambda f: f.lsb)
        conds = m.get("cpuid")
        cpuid = tuple(CpuidCondition(c["leaf"], c.get("subleaf", 0), c["register"], c["bit"])
                      for c in (conds or []))
        msrs.append(Msr(
            name=m["name"], stem=stem, macro="MSR_" + stem.upper(), address=m["address"],
            category=m["category"], access=m["access"], description=m["description"],
            vendors=tuple(v for v in ("intel", "amd") if v in m["vendors"]), ref=m.get("ref", ""),
            aliases=tuple(m.get("aliases", [])), cpuid=cpuid, condition=m.get("condition"), count=m.get("count"),
            stride=m.get("stride", 1), fields=tuple(fields)))
    msrs.sort(key=lambda m: (m.address, m.name))
    by_name = {m.name: m for m in msrs}
    sets = tuple(
        ControlSet(
            name=s["name"], id_macro=f"MSR_VMX_CTLS_{s['name'].upper()}", description=s["description"],
            width=s["width"], capability=by_name[s["capability"]],
            true_capability=by_name[s["true_capability"]] if s.get("true_capability") else None,
            bits=tuple(sorted((ControlBit(b["bit"], b["name"], b["description"],
                                          f"MSR_VMX_{s['name'].upper()}_{b['name']}") for b in s["bits"]),
                              key=lambda b: b.bit)))
        for s in spec.get("vmx_control_sets", []))
    assert all(m.access in REGISTER_ACCESS for m in msrs)
    return Model(msrs=tuple(msrs), enums=tuple(shared.values()), control_sets=sets)
