"""The naming authority: every C identifier the generator emits is computed here,
once per model entity, and nowhere else. Templates print these names.

The scheme (docs/naming.md):

- an MSR's name is the vendor manual's, upper case; its *macro stem* is the
  name with the array placeholder `{n}` written as a lower-case `x`
  (IA32_MC{n}_CTL -> IA32_MCx_CTL, as Linux writes MSR_IA32_MCx_CTL(x)), its
  *stem* the macro stem in lower case (ia32_efer, ia32_mcx_ctl);
- macros are MSR_<macro stem>[_<FIELD>]_<WHAT>, functions, types and
  function-like accessors msr_<stem>_<what>;
- every exported identifier starts with msr_ or MSR_.

`emitted(model)` lists every exported name with the spec entity that owns it;
`clashes()` checks them against each other and against the names the
handwritten headers export (handwritten.py), so a spec entry whose names collide
with anything is refused with its position.
"""

import hashlib
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Tuple

from .errors import Position, SpecError

ARRAY_PLACEHOLDER = "{n}"
ARRAY_MARK = "x"  # what {n} becomes in C names: MSR_IA32_MCx_CTL(n)


# ---- stems ---------------------------------------------------------------------


def macro_stem(msr_name: str) -> str:
    """IA32_MC{n}_CTL -> IA32_MCx_CTL; IA32_EFER -> IA32_EFER."""
    return msr_name.replace(ARRAY_PLACEHOLDER, ARRAY_MARK)


def stem(msr_name: str) -> str:
    """IA32_MC{n}_CTL -> ia32_mcx_ctl."""
    return macro_stem(msr_name).lower()


def instance_name(msr_name: str, index: int) -> str:
    return msr_name.replace(ARRAY_PLACEHOLDER, str(index))


# ---- names of each entity ------------------------------------------------------------


@dataclass(frozen=True)
class EnumValueNames:
    constant: str            # MSR_MEMORY_TYPE_WB


@dataclass(frozen=True)
class EnumNames:
    tag: str                 # msr_memory_type
    type: str                # enum msr_memory_type


def enum_names(key: str) -> EnumNames:
    """`key` is a shared enum's name or MSRSTEM_FIELD for a field's own enum."""
    tag = "msr_" + key.lower()
    return EnumNames(tag=tag, type="enum " + tag)


def enum_value_names(prefix: str, value: str) -> EnumValueNames:
    """`prefix` from shared_enum_prefix() or field_enum_prefix()."""
    return EnumValueNames(constant=f"MSR_{prefix}_{value.upper()}")


def shared_enum_prefix(name: str) -> str:
    """memory_type -> MEMORY_TYPE (MSR_MEMORY_TYPE_WB)."""
    return name.upper()


def field_enum_key(msr_name: str, field_name: str) -> str:
    """The C tag stem of a field's own enum: ia32_mcx_misc_address_mode."""
    return f"{stem(msr_name)}_{field_name.lower()}"


def field_enum_prefix(msr_name: str, field_name: str) -> str:
    """The constants' prefix, as the field's macros spell it: IA32_MCx_MISC_ADDRESS_MODE."""
    return f"{macro_stem(msr_name)}_{field_name.upper()}"


@dataclass(frozen=True)
class FieldNames:
    member: str              # nxe: member of the value union's bitfield struct
    mask: str                # MSR_IA32_EFER_NXE_MASK: the only per-field macro
    get: str = ""            # MSR_GET(IA32_EFER, NXE, v): how code reads the field of a value v
    set: str = ""            # MSR_SET(IA32_EFER, NXE, v, x): v with the field replaced (writable fields)
    shift: str = ""          # MSR_SHIFT(IA32_EFER, NXE), MSR_WIDTH(...): computed from the mask (core.h)
    width: str = ""


def field_names(msr_name: str, field_name: str) -> FieldNames:
    ms, f = macro_stem(msr_name), field_name.upper()
    return FieldNames(member=field_name.lower(), mask=f"MSR_{ms}_{f}_MASK",
                      get=f"MSR_GET({ms}, {f}, v)", set=f"MSR_SET({ms}, {f}, v, x)",
                      shift=f"MSR_SHIFT({ms}, {f})", width=f"MSR_WIDTH({ms}, {f})")


# An MSR's address is MSR_<macro stem>_ADDR, never MSR_<name>: Linux's
# <asm/msr-index.h> spells its constants MSR_<name> with tokens of its own, so
# the two headers can be included together (tests/crosscheck: no emitted name
# is one of Linux's macros).
ADDRESS_SUFFIX = "_ADDR"


@dataclass(frozen=True)
class MsrNames:
    stem: str                # ia32_efer
    macro_stem: str          # IA32_EFER
    address: str             # MSR_IA32_EFER_ADDR; for arrays the function-like MSR_IA32_MCx_CTL_ADDR(n)
    count: Optional[str]     # MSR_IA32_MCx_CTL_COUNT (arrays)
    stride: Optional[str]
    descriptor: str          # MSR_IA32_EFER_: what the generic accessors and MSR_GET/MSR_SET need (core.h)
    tag: str                 # msr_ia32_efer
    type: str                # msr_ia32_efer_t
    reserved_mask: str
    writable_mask: Optional[str]  # writable registers only
    w1c_mask: Optional[str]       # writable registers with write-1-to-clear fields only
    read: Optional[str]      # function-like accessors, present only where the access mode allows
    read_safe: Optional[str]
    write: Optional[str]
    write_safe: Optional[str]
    modify: Optional[str]
    modify_safe: Optional[str]
    header: str              # x86msr/msr_<category>.h
    check_record: str        # msr_def_IA32_EFER: its check record (x86msr/msr_defs.h); the macro stem
                             # keeps its case so that MSR_DEF(IA32_EFER) (meta.h) can paste it
    label: str               # the register's name in messages and comments

    @property
    def accessors(self) -> Tuple[str, ...]:
        return tuple(n for n in (self.read, self.read_safe, self.write, self.write_safe, self.modify,
                                 self.modify_safe) if n)

    @property
    def masks(self) -> Tuple[str, ...]:
        return tuple(n for n in (self.reserved_mask, self.writable_mask, self.w1c_mask) if n)


def msr_names(name: str, access: str, is_array: bool, category: str, has_w1c: bool) -> MsrNames:
    ms, s = macro_stem(name), stem(name)
    readable, writable = access in ("ro", "rw"), access in ("wo", "rw")
    return MsrNames(
        stem=s, macro_stem=ms, address=f"MSR_{ms}{ADDRESS_SUFFIX}",
        count=f"MSR_{ms}_COUNT" if is_array else None, stride=f"MSR_{ms}_STRIDE" if is_array else None,
        descriptor=f"MSR_{ms}_", tag="msr_" + s, type=f"msr_{s}_t",
        reserved_mask=f"MSR_{ms}_RESERVED_MASK", writable_mask=f"MSR_{ms}_WRITABLE_MASK" if writable else None,
        w1c_mask=f"MSR_{ms}_W1C_MASK" if has_w1c and writable else None,
        read=f"msr_{s}_read" if readable else None, read_safe=f"msr_{s}_read_safe" if readable else None,
        write=f"msr_{s}_write" if writable else None, write_safe=f"msr_{s}_write_safe" if writable else None,
        modify=f"msr_{s}_modify" if readable and writable else None,
        modify_safe=f"msr_{s}_modify_safe" if readable and writable else None,
        header=category_header(category), check_record=f"msr_def_{ms}",
        label=name)


@dataclass(frozen=True)
class ControlSetNames:
    id: str                  # MSR_VMX_CTLS_SECONDARY


@dataclass(frozen=True)
class ControlBitNames:
    constant: str            # MSR_VMX_SECONDARY_ENABLE_EPT


def control_set_names(name: str) -> ControlSetNames:
    return ControlSetNames(id=f"MSR_VMX_CTLS_{name.upper()}")


def control_bit_names(set_name: str, bit_name: str) -> ControlBitNames:
    return ControlBitNames(constant=f"MSR_VMX_{set_name.upper()}_{bit_name.upper()}")


@dataclass(frozen=True)
class VendorNames:
    constant: str            # MSR_VENDOR_INTEL


def vendor_names(name: str) -> VendorNames:
    return VendorNames(constant="MSR_VENDOR_" + name.upper())


@dataclass(frozen=True)
class CategoryNames:
    constant: str            # MSR_CATEGORY_SYSTEM
    header: str              # x86msr/msr_system.h
    guard: str


def category_header(name: str) -> str:
    return f"x86msr/msr_{name.lower()}.h"


def category_names(name: str) -> CategoryNames:
    return CategoryNames(constant="MSR_CATEGORY_" + name.upper(), header=category_header(name),
                         guard=f"X86MSR_MSR_{name.upper()}_H")


@dataclass(frozen=True)
class SchemaEnumNames:
    """A closed schema enumeration (schema.CLOSED_ENUMS) in C."""

    tag: str                 # msr_access
    constants: Tuple[str, ...]  # MSR_ACCESS_RO, ...
    count: str               # MSR_ACCESS_COUNT
    name_function: str       # msr_access_name


def schema_enum_names(key: str, members: Tuple[str, ...]) -> SchemaEnumNames:
    up = key.upper()
    return SchemaEnumNames(tag="msr_" + key, constants=tuple(f"MSR_{up}_{m.upper()}" for m in members),
                           count=f"MSR_{up}_COUNT", name_function=f"msr_{key}_name")


@dataclass(frozen=True)
class ModelNames:
    """Names that exist once per model (the extensible schema enumerations)."""

    vendor_all: str          # MSR_VENDOR_ALL
    vendor_count: str
    vendor_name_function: str
    category_tag: str
    category_count: str
    category_name_function: str
    schema_enums: Tuple[Tuple[str, SchemaEnumNames], ...]
    field_flags: Tuple[Tuple[str, str], ...] = ()   # (attribute key, MSR_FIELD_F_<KEY>), bit order
    reg_flags: Tuple[Tuple[str, str], ...] = ()     # (attribute key, MSR_REG_F_<KEY>)
    changing_flags: str = "MSR_FIELD_F_CHANGING"    # the flags of the attributes whose bits change by themselves


def attribute_flag(kind: str, key: str) -> str:
    """The C flag of an attribute: MSR_FIELD_F_STRICT_ENUM, MSR_REG_F_<KEY>."""
    return f"MSR_{'FIELD' if kind == 'field' else 'REG'}_F_{key.upper()}"


def model_names(closed: Dict[str, Tuple[Tuple[str, ...], str]],
                attributes: Dict[str, Tuple[Any, ...]] = None) -> ModelNames:
    return ModelNames(
        vendor_all="MSR_VENDOR_ALL", vendor_count="MSR_VENDOR_COUNT",
        vendor_name_function="msr_vendor_name",
        category_tag="msr_category", category_count="MSR_CATEGORY_COUNT",
        category_name_function="msr_category_name",
        schema_enums=tuple((key, schema_enum_names(key, members)) for key, (members, _) in closed.items()),
        field_flags=tuple((a.key, attribute_flag("field", a.key)) for a in (attributes or {}).get("field", ())),
        reg_flags=tuple((a.key, attribute_flag("msr", a.key)) for a in (attributes or {}).get("msr", ())))


# ---- the spec's identity ------------------------------------------------------------------


SPEC_ID_PREFIX = "msr_spec_id_"


def spec_id(digest: str) -> str:
    """The symbol a generated check table (msr_table.c) defines: msr_spec_id_<digest>,
    `digest` 16 hex digits of the table's SHA-256. Its text (msr_text.c) and, for a
    spec with overlays, its metadata header (msr_schema.h) refer to it, so that a
    program linked with another spec's tables, or with none, fails to link
    (docs/consuming.md, "Which table a program links")."""
    return SPEC_ID_PREFIX + digest


# Every generated header defines it to generation(): a translation unit that
# includes headers of two generations (x86msr's own and an overlay's, the
# include directories in the wrong order) stops with an #error.
GENERATION_MACRO = "MSR_GENERATED_FROM_"


def generation(spec_names) -> str:
    """The value of GENERATION_MACRO for the headers generated from these spec
    files (their base names, in order): 15 hex digits of a SHA-256 of them, a
    number the preprocessor compares. The file names, not their contents, so a
    spec edit changes only the headers it changes."""
    digest = hashlib.sha256("\n".join(spec_names).encode("utf-8")).hexdigest()
    return "0x" + digest[:15].upper()


# Names the generated headers always declare, whatever the spec holds. (The
# generated table also defines msr_table and friends, which x86msr/meta.h declares.)
FIXED_GENERATED = ("msr_vmx_control_set_id", "MSR_VMX_CTLS_COUNT", GENERATION_MACRO)


# ---- the full list, and the clash check ---------------------------------------------------


def emitted(model) -> Iterator[Tuple[str, str, Position]]:
    """(identifier, owner description, position) for every exported C name."""
    n = model.names
    top = Position(0, 0, "")  # no place in the spec: never the position an error is reported at
    for name in FIXED_GENERATED + (n.vendor_all, n.vendor_count, n.vendor_name_function,
                                   n.category_tag, n.category_count, n.category_name_function):
        yield name, "the generator itself", top
    for _, e in n.schema_enums:
        for name in (e.tag, e.count, e.name_function) + e.constants:
            yield name, "the generator itself", top
    for _, flag in n.field_flags + n.reg_flags:
        yield flag, "the generator itself", top
    yield n.changing_flags, "the generator itself", top
    for v in model.vendors:
        yield v.names.constant, f"vendor {v.name}", v.position
    for c in model.categories:
        yield c.names.constant, f"category {c.name}", c.position
    for e in model.enums:
        yield from _enum_names(e, f"enum {e.key}", e.position)
    for m in model.msrs:
        mn = m.names
        owner = f"MSR {m.name}"
        for name in (mn.address, mn.count, mn.stride, mn.descriptor, mn.tag, mn.type,
                     mn.check_record) + mn.masks + mn.accessors:
            if name:
                yield name, owner, m.position
        for f in m.fields:
            fo = f"field {f.name} of MSR {m.name}"
            yield f.names.mask, fo, f.position
            if f.enum is not None and not f.enum.shared:
                yield from _enum_names(f.enum, fo, f.position)
    for s in model.control_sets:
        so = f"VMX control set {s.name}"
        yield s.names.id, so, s.position
        for b in s.bits:
            yield b.names.constant, so, s.position


def _enum_names(e, owner: str, pos: Position) -> Iterator[Tuple[str, str, Position]]:
    yield e.names.tag, owner, pos
    for v in e.values:
        yield v.names.constant, owner, pos


def clashes(model, handwritten: Dict[str, str]) -> List[SpecError]:
    """Every emitted name that another emitted name or a handwritten header
    (`handwritten`: name -> header) already uses; one error per offending entity."""
    owners: Dict[str, Tuple[str, Position]] = {}
    errors: List[SpecError] = []
    reported = set()
    for name, owner, pos in emitted(model):
        key = (owner, pos)
        if name in handwritten:
            if key not in reported:
                errors.append(SpecError(pos, f"{owner} generates the C name {name}, which the handwritten "
                                             f"header {handwritten[name]} already declares"))
                reported.add(key)
            continue
        if name in owners:
            first, first_pos = owners[name]
            if key not in reported:
                if first == owner and first_pos == pos:
                    errors.append(SpecError(pos, f"{owner} generates the C name {name} twice"))
                else:
                    where = f" (line {first_pos.line})" if first_pos.line and first_pos.file == pos.file else \
                        (f" ({first_pos.file}:{first_pos.line})" if first_pos.file else "")
                    errors.append(SpecError(pos, f"{owner} generates the C name {name}, "
                                                 f"which {first}{where} already generates"))
                reported.add(key)
            continue
        owners[name] = (owner, pos)
    return errors
