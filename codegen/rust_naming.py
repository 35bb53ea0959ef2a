"""The naming authority of the Rust crate: every Rust identifier the Rust
renderer (rust.py) emits is computed here, once per model entity, and nowhere
else. Templates print these names.

The scheme (docs/rust.md, "Names") follows the C one (naming.py):

- a register's *stem* is the C macro stem (IA32_MC{n}_CTL -> IA32_MCx_CTL: an
  array keeps its index visible); its Rust *type* and its `Msr` variant are the
  stem in UpperCamelCase, word by word at the underscores (Ia32McxCtl, so
  `Msr::Ia32McxCtl(n)`);
- a field keeps its spec name as its descriptor constant (`Ia32Efer::NXE`),
  its lower-case name as its getter (`nxe()`) and `with_<name>` as its builder
  (`with_nxe()`); a writable field with named values that are not its only
  valid ones also has `with_<name>_bits()`;
- an enumeration's type is UpperCamelCase of its key (MemoryType) or, for a
  field's own values, of the register's stem and the field's name
  (Ia32VmxBasicMemoryType); its variants are UpperCamelCase of the values'
  names (UC_MINUS -> UcMinus);
- a category's module is its name (`regs::system`), a VMX control set's module
  its name (`vmx::secondary`), a control's constant its name
  (`vmx::secondary::ENABLE_EPT`);
- a name that is a Rust keyword gets a trailing underscore (`type_()`, `Self_`);
  a name that would start with a digit, or be empty, is refused.

`clashes(model)` checks every emitted name against the others in its Rust
namespace and against the names the crate's hand-written parts export
(HANDWRITTEN_ROOT, REGISTER_ITEMS), so a spec entry whose Rust names collide
is refused with its position, as naming.clashes() does for C.
"""

from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

from . import naming
from .errors import Position, SpecError

# Strict and reserved keywords of the 2021 edition: such a name gets a trailing underscore.
KEYWORDS = frozenset("""
    as async await break const continue crate dyn else enum extern false fn for if impl in let loop match mod move
    mut pub ref return self Self static struct super trait true type unsafe use where while abstract become box do
    final macro override priv try typeof unsized virtual yield
""".split())

# The items the hand-written crate (src/rust/src/lib.rs) defines at its root, where the
# register types and the enumerations' types are re-exported. tests/codegen/test_rust.py
# checks this list against the crate's source.
HANDWRITTEN_ROOT = (
    "Array", "Error", "Field", "Modified", "Msr", "MsrRead", "MsrReadAt", "MsrReadWrite", "MsrReadWriteAt",
    "MsrWrite", "MsrWriteAt", "Register", "Single",
    "DocsRustMd",  # docs/rust.md as doc tests (cfg(doctest) only)
    "backend", "enums", "extable", "meta", "raw", "regs", "vmx",
)

# What every register's value type already has, from the crate (the `register_value!`
# macro and the access traits), and `clone` (the prelude's, called as a method): a
# field's names must not hide them. The other core traits' methods (`eq`, `hash`,
# `fmt`, `bitor`) are reached through operators and their traits, which a getter of
# the same name does not hide (IA32_PERFEVTSEL{n} has a field EQ).
REGISTER_ITEMS = (
    "ZERO", "DEF", "MSR", "raw", "unchecked", "read", "read_safe", "write", "write_safe", "modify",
    "modify_safe", "msr", "clone", "clone_from",
)

# What every enumeration's type has (the `field_enum!` macro).
ENUM_ITEMS = ("from_value", "value", "name", "VALUES")

# Vendor set constants meta defines by hand.
VENDOR_ITEMS = ("NONE", "ALL")


def _escape(name: str) -> str:
    return name + "_" if name in KEYWORDS else name


def camel(text: str) -> str:
    """IA32_MCx_CTL -> Ia32McxCtl; memory_type -> MemoryType; UC_MINUS -> UcMinus."""
    return "".join(w[:1].upper() + w[1:].lower() for w in text.split("_") if w)


def snake(text: str) -> str:
    return text.lower()


# ---- names of each entity ------------------------------------------------------------


@dataclass(frozen=True)
class RustFieldNames:
    constant: str            # NXE: the field's descriptor, Ia32Efer::NXE
    getter: str              # nxe
    builder: Optional[str]   # with_nxe (writable fields only)
    bits_builder: Optional[str]  # with_delivery_mode_bits (writable fields with non-strict named values)


@dataclass(frozen=True)
class RustMsrNames:
    type: str                # Ia32Efer: the value type (crate root, and regs::<category>)
    variant: str             # Ia32Efer: Msr::Ia32Efer, Msr::Ia32McxCtl(n)
    module: str              # the category's module: system
    test: str                # ia32_efer: its test of the generated self-test (tests/generated_selftest.rs)


@dataclass(frozen=True)
class RustEnumNames:
    type: str                # MemoryType, Ia32VmxBasicMemoryType
    variants: Tuple[str, ...]  # Uc, Wc, ..., in the order of the values


@dataclass(frozen=True)
class RustControlSetNames:
    module: str              # secondary: vmx::secondary
    variant: str             # Secondary: vmx::ControlSetId::Secondary
    bits: Tuple[str, ...]    # ENABLE_EPT, ... in the order of the bits


@dataclass(frozen=True)
class RustSchemaNames:
    """A closed schema enumeration (schema.CLOSED_ENUMS), as a Rust enum of meta."""
    type: str                # Access
    variants: Tuple[str, ...]  # Ro, Rw, ...


@dataclass(frozen=True)
class RustNames:
    """Every Rust name of one model, by entity."""
    msrs: Dict[str, RustMsrNames]                      # by MSR name
    fields: Dict[Tuple[str, str], RustFieldNames]      # by (MSR name, field name)
    enums: Dict[str, RustEnumNames]                    # by enum key (a shared enum's name, or MSR.FIELD)
    control_sets: Dict[str, RustControlSetNames]       # by set name
    schema_enums: Dict[str, RustSchemaNames]           # by schema key (access, cpuid_reg, ...)
    vendors: Dict[str, str]                            # vendor name -> INTEL (meta::Vendors::INTEL)
    categories: Dict[str, str]                         # category name -> System (meta::Category::System)
    field_flags: Tuple[Tuple[str, str], ...]           # (attribute key, STRICT_ENUM), bit order (meta::FieldFlags)
    reg_flags: Tuple[Tuple[str, str], ...]             # (attribute key, LOCKED_BY) (meta::RegFlags)

    def msr(self, m) -> RustMsrNames:
        return self.msrs[m.name]

    def field(self, m, f) -> RustFieldNames:
        return self.fields[(m.name, f.name)]

    def enum(self, e) -> RustEnumNames:
        return self.enums[e.key]

    @staticmethod
    def msrs_module(category: str) -> str:
        """The module of a category's registers: regs::system."""
        return category_module(category)


def category_module(category: str) -> str:
    return _escape(snake(category))


def enum_type(key: str, shared: bool, msr_name: str = "", field_name: str = "") -> str:
    if shared:
        return _escape(camel(key))
    return _escape(camel(naming.macro_stem(msr_name)) + camel(field_name))


def field_names(f, strict: bool) -> RustFieldNames:
    low = snake(f.name)
    builder = f"with_{low}" if f.writable else None
    bits = f"with_{low}_bits" if f.writable and f.enum is not None and not strict else None
    return RustFieldNames(constant=_escape(f.name.upper()), getter=_escape(low), builder=builder,
                          bits_builder=bits)


def names_of(model, closed_enums: Dict[str, Tuple[Tuple[str, ...], str]], field_attributes, reg_attributes) -> RustNames:
    msrs, fields, enums = {}, {}, {}
    for e in model.enums:
        enums[e.key] = RustEnumNames(enum_type(e.key, True), tuple(_escape(camel(v.name)) for v in e.values))
    for m in model.msrs:
        t = _escape(camel(naming.macro_stem(m.name)))
        msrs[m.name] = RustMsrNames(type=t, variant=t, module=category_module(m.category),
                                    test=_escape(naming.stem(m.name)))
        for f in m.fields:
            fields[(m.name, f.name)] = field_names(f, f.has("strict_enum"))
            if f.enum is not None and not f.enum.shared:
                enums[f.enum.key] = RustEnumNames(enum_type(f.enum.key, False, m.name, f.name),
                                                  tuple(_escape(camel(v.name)) for v in f.enum.values))
    sets = {s.name: RustControlSetNames(module=_escape(snake(s.name)), variant=_escape(camel(s.name)),
                                        bits=tuple(_escape(b.name.upper()) for b in s.bits))
            for s in model.control_sets}
    schema_enums = {key: RustSchemaNames(_escape(camel(key)), tuple(_escape(camel(v)) for v in members))
                    for key, (members, _) in closed_enums.items()}
    return RustNames(
        msrs=msrs, fields=fields, enums=enums, control_sets=sets, schema_enums=schema_enums,
        vendors={v.name: _escape(v.name.upper()) for v in model.vendors},
        categories={c.name: _escape(camel(c.name)) for c in model.categories},
        field_flags=tuple((a.key, a.key.upper()) for a in field_attributes),
        reg_flags=tuple((a.key, a.key.upper()) for a in reg_attributes))


# ---- the clash check -----------------------------------------------------------------------

# Names Rust cannot take at all, even with the underscore rule applied elsewhere.
def _bad_identifier(name: str) -> Optional[str]:
    bare = name.rstrip("_") if name.endswith("_") and name[:-1] in KEYWORDS else name
    if not bare:
        return "has no Rust name (nothing is left once the underscores are dropped)"
    if bare[0].isdigit():
        return f"would get the Rust name {name}, which starts with a digit"
    return None


def emitted(model, names: RustNames) -> Iterator[Tuple[str, str, str, Position]]:
    """(namespace, identifier, owner, position) for every Rust name the crate gets from the spec.
    A register type's items are in the namespace `TYPE` (of the register, so that two
    registers whose types clash are reported once, not field by field)."""
    top = Position(0, 0, "")
    for key, e in names.schema_enums.items():
        for v in e.variants:
            yield f"meta::{e.type}", v, "the generator itself", top
    for v in model.vendors:
        yield "meta::Vendors", names.vendors[v.name], f"vendor {v.name}", v.position
    for c in model.categories:
        yield "meta::Category", names.categories[c.name], f"category {c.name}", c.position
        yield "regs", names.msrs_module(c.name), f"category {c.name}", c.position
    for e in model.enums:
        en = names.enum(e)
        yield "crate root", en.type, f"enum {e.key}", e.position
        for v in en.variants:
            yield _members(en.type, e.key), v, f"enum {e.key}", e.position
    for m in model.msrs:
        mn = names.msr(m)
        owner = f"MSR {m.name}"
        yield "crate root", mn.type, owner, m.position
        yield "Msr", mn.variant, owner, m.position
        yield "the self-test", mn.test, owner, m.position
        for f in m.fields:
            fo = f"field {f.name} of MSR {m.name}"
            fn = names.field(m, f)
            for item in (fn.constant, fn.getter, fn.builder, fn.bits_builder):
                if item:
                    yield _members(mn.type, m.name), item, fo, f.position
            if f.enum is not None and not f.enum.shared:
                en = names.enum(f.enum)
                yield "crate root", en.type, fo, f.position
                for v in en.variants:
                    yield _members(en.type, f.enum.key), v, fo, f.position
    for s in model.control_sets:
        sn = names.control_sets[s.name]
        so = f"VMX control set {s.name}"
        yield "vmx", sn.module, so, s.position
        yield "vmx::ControlSetId", sn.variant, so, s.position
        for b in sn.bits:
            yield f"vmx::{sn.module}", b, so, s.position


_OF = "\0"  # between a namespace's label and the entity that makes it unique


def _members(type_name: str, entity: str) -> str:
    return f"{type_name}{_OF}{entity}"


def clashes(model, names: RustNames) -> List[SpecError]:
    """Every emitted Rust name that another one of its namespace, or a hand-written item
    there, already uses, and every name Rust cannot take; one error per offending entity."""
    owners: Dict[Tuple[str, str], Tuple[str, Position]] = {}
    taken = {("crate root", n): "the crate's hand-written root" for n in HANDWRITTEN_ROOT}
    register_types = {_members(names.msr(m).type, m.name) for m in model.msrs}
    enum_types = {_members(names.enums[key].type, key) for key in names.enums}
    errors: List[SpecError] = []
    reported = set()

    def report(key, pos, message):
        if key not in reported:
            errors.append(SpecError(pos, message))
            reported.add(key)

    for space, name, owner, pos in emitted(model, names):
        key = (owner, pos)
        label = space.split(_OF)[0]
        bad = _bad_identifier(name)
        if bad:
            report(key, pos, f"{owner} {bad}")
            continue
        hand = taken.get((space, name))
        if hand is None and space == "meta::Vendors" and name in VENDOR_ITEMS:
            hand = "meta::Vendors"
        if hand is None and space in register_types and name in REGISTER_ITEMS:
            hand = "every register type of the crate"
        if hand is None and space in enum_types and name in ENUM_ITEMS:
            hand = "every enumeration type of the crate"
        if hand is not None:
            report(key, pos, f"{owner} generates the Rust name {name} in {label}, which {hand} already has")
            continue
        first = owners.get((space, name))
        if first is not None:
            first_owner, first_pos = first
            if first_owner == owner and first_pos == pos:
                report(key, pos, f"{owner} generates the Rust name {name} in {label} twice")
            else:
                where = f" (line {first_pos.line})" if first_pos.line and first_pos.file == pos.file else \
                    (f" ({first_pos.file}:{first_pos.line})" if first_pos.file else "")
                report(key, pos, f"{owner} generates the Rust name {name} in {label}, which "
                                 f"{first_owner}{where} already generates")
            continue
        owners[(space, name)] = (owner, pos)
    return errors
