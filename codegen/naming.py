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

from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

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
    table: str               # the metadata table's static array of its values


def enum_names(key: str) -> EnumNames:
    """`key` is a shared enum's name or MSRSTEM_FIELD for a field's own enum."""
    tag = "msr_" + key.lower()
    return EnumNames(tag=tag, type="enum " + tag, table="enum_" + key.lower())


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
    member: str              # nxe: struct member
    shift: str               # MSR_IA32_EFER_NXE_SHIFT
    width: str
    mask: str
    field: str               # MSR_IA32_EFER_NXE_FIELD(op, ...): the descriptor MSR_GET/MSR_SET use
    value_type: str          # uint64_t, or the field's enum type
    condition_table: str     # static symbol of its presence condition in the metadata table
    get: str = ""            # MSR_GET(IA32_EFER, NXE, v): how code reads the field of a value v
    set: str = ""            # MSR_SET(IA32_EFER, NXE, v, x): v with the field replaced (writable fields)


# Static symbols of the metadata table (msr_table.c) join a stem (lower case) and
# a field name (lower-cased) with upper-case markers, which neither can hold, so
# two entities never share one: present_<stem> (an MSR's condition),
# present_<stem>_F_<field> (a field's), aliases_<stem>_I<index> (an array
# instance's aliases), <condition>_M<node> (the model list of a family node).
def condition_models_table(condition_table: str, node_index: int) -> str:
    """The static array of the models of node `node_index` (prefix order) of a condition."""
    return f"{condition_table}_M{node_index}"


def field_names(msr_name: str, field_name: str, enum: Optional[EnumNames]) -> FieldNames:
    base = f"MSR_{macro_stem(msr_name)}_{field_name.upper()}"
    return FieldNames(member=field_name.lower(), shift=base + "_SHIFT", width=base + "_WIDTH",
                      mask=base + "_MASK", field=base + "_FIELD",
                      value_type=enum.type if enum else "uint64_t",
                      condition_table=f"present_{stem(msr_name)}_F_{field_name.lower()}",
                      get=f"MSR_GET({macro_stem(msr_name)}, {field_name.upper()}, v)",
                      set=f"MSR_SET({macro_stem(msr_name)}, {field_name.upper()}, v, x)")


@dataclass(frozen=True)
class MsrNames:
    stem: str                # ia32_efer
    macro_stem: str          # IA32_EFER
    address: str             # MSR_IA32_EFER; for arrays the function-like MSR_IA32_MCx_CTL(n)
    count: Optional[str]     # MSR_IA32_MCx_CTL_COUNT (arrays)
    stride: Optional[str]
    tag: str                 # msr_ia32_efer
    type: str                # msr_ia32_efer_t
    reserved_mask: str
    writable_mask: str
    w1c_mask: str
    read: Optional[str]      # function-like accessors, present only where the access mode allows
    read_safe: Optional[str]
    write: Optional[str]
    write_safe: Optional[str]
    modify: Optional[str]
    modify_safe: Optional[str]
    header: str              # x86msr/msr_<category>.h
    fields_table: str        # static symbols of the metadata table
    condition_table: str
    label: str               # the register's name in messages and comments

    @property
    def accessors(self) -> Tuple[str, ...]:
        return tuple(n for n in (self.read, self.read_safe, self.write, self.write_safe, self.modify,
                                 self.modify_safe) if n)


def msr_names(name: str, access: str, is_array: bool, category: str) -> MsrNames:
    ms, s = macro_stem(name), stem(name)
    readable, writable = access in ("ro", "rw"), access in ("wo", "rw")
    return MsrNames(
        stem=s, macro_stem=ms, address="MSR_" + ms,
        count=f"MSR_{ms}_COUNT" if is_array else None, stride=f"MSR_{ms}_STRIDE" if is_array else None,
        tag="msr_" + s, type=f"msr_{s}_t",
        reserved_mask=f"MSR_{ms}_RESERVED_MASK", writable_mask=f"MSR_{ms}_WRITABLE_MASK",
        w1c_mask=f"MSR_{ms}_W1C_MASK",
        read=f"msr_{s}_read" if readable else None, read_safe=f"msr_{s}_read_safe" if readable else None,
        write=f"msr_{s}_write" if writable else None, write_safe=f"msr_{s}_write_safe" if writable else None,
        modify=f"msr_{s}_modify" if readable and writable else None,
        modify_safe=f"msr_{s}_modify_safe" if readable and writable else None,
        header=category_header(category), fields_table="fields_" + s, condition_table="present_" + s,
        label=name)


@dataclass(frozen=True)
class InstanceNames:
    address: str             # MSR_IA32_MC3_CTL (the MSR's own macro for a plain register)
    table_id: str            # unique suffix for per-instance static symbols
    condition_table: str


def instance_names(msr_name: str, index: int, is_array: bool) -> InstanceNames:
    if not is_array:
        return InstanceNames(address="MSR_" + macro_stem(msr_name), table_id=stem(msr_name),
                             condition_table="present_" + stem(msr_name))
    return InstanceNames(address="MSR_" + instance_name(msr_name, index),
                         table_id=f"{stem(msr_name)}_I{index}", condition_table=f"present_{stem(msr_name)}_I{index}")


@dataclass(frozen=True)
class ControlSetNames:
    id: str                  # MSR_VMX_CTLS_SECONDARY
    bits_table: str


@dataclass(frozen=True)
class ControlBitNames:
    constant: str            # MSR_VMX_SECONDARY_ENABLE_EPT


def control_set_names(name: str) -> ControlSetNames:
    return ControlSetNames(id=f"MSR_VMX_CTLS_{name.upper()}", bits_table=f"controls_{name.lower()}")


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


def model_names(closed: Dict[str, Tuple[Tuple[str, ...], str]]) -> ModelNames:
    return ModelNames(
        vendor_all="MSR_VENDOR_ALL", vendor_count="MSR_VENDOR_COUNT",
        vendor_name_function="msr_vendor_name",
        category_tag="msr_category", category_count="MSR_CATEGORY_COUNT",
        category_name_function="msr_category_name",
        schema_enums=tuple((key, schema_enum_names(key, members)) for key, (members, _) in closed.items()))


# Names the generated headers always declare, whatever the spec holds. (The
# generated table also defines msr_table and friends, which x86msr/meta.h declares.)
FIXED_GENERATED = ("msr_vmx_control_set_id", "MSR_VMX_CTLS_COUNT")


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
    for v in model.vendors:
        yield v.names.constant, f"vendor {v.name}", v.position
    for c in model.categories:
        yield c.names.constant, f"category {c.name}", c.position
    for e in model.enums:
        yield from _enum_names(e, f"enum {e.key}", e.position)
    for m in model.msrs:
        mn = m.names
        owner = f"MSR {m.name}"
        for name in (mn.address, mn.count, mn.stride, mn.tag, mn.type, mn.reserved_mask, mn.writable_mask,
                     mn.w1c_mask) + mn.accessors:
            if name:
                yield name, owner, m.position
        if m.is_array:
            for i in m.instances:
                yield i.names.address, owner, m.position
        for f in m.fields:
            fo = f"field {f.name} of MSR {m.name}"
            fn = f.names
            for name in (fn.shift, fn.width, fn.mask, fn.field):
                yield name, fo, f.position
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
