"""The Rust renderer: the same model as the C headers, rendered through the
Jinja2 templates in codegen/templates/rust/ into the generated part of the
`x86msr` crate (src/rust/ is the hand-written part; it includes these files).

    python3 -m codegen --spec spec/msrs.yaml --rust generated/rust [--check]

Every Rust name comes from rust_naming.py, whose clash check runs first (a
spec whose Rust names collide is refused with positions, nothing written).
What each field's Rust type and code are is decided here, once, as
layout.py does for the C tables; the templates print it.
"""

import os
import sys
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import jinja2

from . import rust_naming, schema
from .errors import SpecErrors
from .model import Condition, Enum, Field, Model, Msr
from .render import _first_sentence, _wrap

TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates", "rust")
LINE = 100

# The files of the generated part (each included by the hand-written crate), besides one per category.
FIXED_FILES = ("schema.rs", "enums.rs", "msr.rs", "regs.rs", "reexports.rs", "vmx.rs", "defs.rs", "selftest.rs")


def hex_lit(value: int) -> str:
    """A Rust hex literal, digits in groups of four: 0xC000_0080, 0xFFFF_FFFF_FFFF_FFFF."""
    digits = f"{value:X}"
    groups = []
    while digits:
        groups.insert(0, digits[-4:])
        digits = digits[:-4]
    return "0x" + "_".join(groups or ["0"])


def small_lit(value: int) -> str:
    return str(value) if value < 10 else hex_lit(value)


_MARKDOWN = {c: "\\" + c for c in "\\`*<>[]#"}


def doc_text(text: str) -> str:
    """Spec text as rustdoc Markdown: one paragraph, the characters Markdown would take
    for markup (links, HTML, emphasis, headings) escaped."""
    return " ".join(text.split()).translate(str.maketrans(_MARKDOWN))


def doc_lines(paragraphs, indent: int) -> str:
    """`///` lines of the paragraphs (already Markdown), wrapped within LINE columns."""
    prefix = " " * indent + "/// "
    out: List[str] = []
    for i, p in enumerate(p for p in paragraphs if p):
        if i:
            out.append(prefix.rstrip())
        out += [prefix + line for line in _wrap(p.split(), LINE - len(prefix))]
    return "\n".join(out)


def int_type(width: int) -> str:
    for bits in (8, 16, 32):
        if width <= bits:
            return f"u{bits}"
    return "u64"


@dataclass(frozen=True)
class RustField:
    """One field of a register type: its names, its Rust type and its code."""

    field: Field
    index: int
    names: rust_naming.RustFieldNames
    kind: str                  # bool | int | enum
    bits_type: str             # u8 ... u64: the field's bits
    value_type: str            # bool, u8 ... u64, or the enum's type
    getter_type: str           # what the getter returns
    getter: str                # the getter's body
    builder: str               # the builder's body (writable fields)
    bits_builder: str          # the raw builder's body (writable enum fields that are not strict)
    doc: str                   # the getter's doc (Markdown)
    summary: str               # one line: bits, access, the description's first sentence
    enum_type: str             # the enum's type, or ""


@dataclass(frozen=True)
class RustMsr:
    msr: Msr
    id: int
    names: rust_naming.RustMsrNames
    fields: Tuple[RustField, ...]
    doc: Tuple[str, ...]       # paragraphs of the type's doc


def _field(m: Msr, f: Field, index: int, names: rust_naming.RustNames, vendor_titles: Dict[str, str]) -> RustField:
    fn = names.field(m, f)
    bits_t = int_type(f.width)
    mask = hex_lit(f.mask)
    shift = f.lsb
    extract = f"self.0 & {mask}" if shift == 0 else f"(self.0 >> {shift}) & {hex_lit(f.max_value)}"
    if f.width == 64:
        extract = "self.0"
    enum_type = names.enum(f.enum).type if f.enum is not None else ""

    def place(value: str) -> str:
        moved = value if shift == 0 else f"({value} << {shift})"
        if f.width == 64:
            return f"Self({value})"
        return f"Self((self.0 & !{mask}) | ({moved} & {mask}))"

    if f.enum is not None:
        kind, value_t = "enum", enum_type
        getter_t = f"Result<{enum_type}, {bits_t}>"
        getter = (f"let bits = ({extract}) as {bits_t};\n"
                  f"        match {enum_type}::from_value(bits as u64) {{\n"
                  f"            Some(v) => Ok(v),\n"
                  f"            None => Err(bits),\n"
                  f"        }}")
        builder = place("x.value()")
    elif f.width == 1:
        kind, value_t, getter_t = "bool", "bool", "bool"
        getter = f"self.0 & {mask} != 0"
        builder = place("(x as u64)")
    else:
        kind, value_t, getter_t = "int", bits_t, bits_t
        getter = extract if bits_t == "u64" else f"({extract}) as {bits_t}"
        builder = place("(x as u64)" if bits_t != "u64" else "x")
    bits_builder = place("(x as u64)" if bits_t != "u64" else "x") if fn.bits_builder else ""
    head = f"`{f.name}` ({f.bits_text}, {f.access}): "
    notes = [a.note for a in f.attributes]
    cond = f" Present if {f.present_if.text()}." if f.present_if is not None else ""
    vendors = f" Only on {' and '.join(vendor_titles[v] for v in f.vendors)} processors." if f.vendors else ""
    doc = head + doc_text(f"{f.description}{cond}{vendors} {' '.join(notes)}")
    if kind == "enum":
        doc += f" `Err` holds bits [`{enum_type}`] does not name."
    summary = head + doc_text(_first_sentence(f.description))
    return RustField(f, index, fn, kind, bits_t, value_t, getter_t, getter, builder, bits_builder, doc, summary,
                     enum_type)


def _msr_doc(m: Msr, vendor_titles: Dict[str, str]) -> Tuple[str, ...]:
    head = f"{m.name} ({m.address_text}), {m.access}, " + " and ".join(vendor_titles[v] for v in m.vendors)
    if m.aliases:
        head += "; also " + ", ".join(m.aliases)
    paragraphs = [doc_text(head + ".") , doc_text(m.description)]
    notes = " ".join(a.note for a in m.attributes)
    if notes:
        paragraphs.append(doc_text(notes))
    if m.present_if is not None:
        paragraphs.append(doc_text("Present if " + m.present_if.text() + "."))
    if m.ref:
        paragraphs.append(doc_text("Ref: " + m.ref + "."))
    return tuple(paragraphs)


@dataclass(frozen=True)
class RustEnum:
    enum: Enum
    names: rust_naming.RustEnumNames
    repr: str
    doc: str
    variants: Tuple[Tuple[str, str, str, str], ...]   # (variant, value literal, spec name, doc)


def _enum(e: Enum, names: rust_naming.RustNames, owner: str) -> RustEnum:
    en = names.enum(e)
    top = max((v.value for v in e.values), default=0)
    repr_t = int_type(max(top.bit_length(), 1))
    variants = tuple((name, small_lit(v.value), v.name, doc_text(f"{v.name} ({v.value})" +
                                                                  (f": {v.description}" if v.description else ".")))
                     for name, v in zip(en.variants, e.values))
    return RustEnum(e, en, repr_t, doc_text(owner + e.description), variants)


def _escape_str(text: str) -> str:
    """A Rust string literal."""
    out = []
    for ch in text:
        if ch in "\\\"":
            out.append("\\" + ch)
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.append(f"\\u{{{ord(ch):x}}}")
    return '"' + "".join(out) + '"'


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters.update(hex=hex_lit, small=small_lit, rstr=_escape_str, doc=doc_lines, doc_text=doc_text)
    return env


def render(model: Model, spec_names: List[str]) -> Dict[str, str]:
    """The generated part of the crate: relative path -> text. Raises SpecErrors when
    the spec's Rust names clash."""
    names = rust_naming.names_of(model, schema.CLOSED_ENUMS, schema.FIELD_ATTRIBUTES, schema.MSR_ATTRIBUTES)
    errors = rust_naming.clashes(model, names)
    if errors:
        raise SpecErrors(errors)
    env = environment()
    vendor_titles = {v.name: v.title for v in model.vendors}
    msrs = tuple(RustMsr(m, i, names.msr(m), tuple(_field(m, f, k, names, vendor_titles) for k, f in enumerate(m.fields)),
                         _msr_doc(m, vendor_titles)) for i, m in enumerate(model.msrs))
    enums = [_enum(e, names, "") for e in model.enums]
    enums += [_enum(f.enum, names, f"The values of {m.name}.{f.name}: ") for m in model.msrs for f in m.fields
              if f.enum is not None and not f.enum.shared]
    def_id = {r.msr.name: r.id for r in msrs}
    # For Msr::from_address: the first register at each address, in the C table's order.
    first_at: Dict[int, Tuple[RustMsr, int]] = {}
    by_name = {r.msr.name: r for r in msrs}
    for inst in model.instances:
        first_at.setdefault(inst.address, (by_name[inst.msr.name], inst.index))
    schema_names = names.schema_enums
    common = {
        "model": model,
        "names": names,
        "spec_names": spec_names,
        "msrs": msrs,
        "enums": enums,
        "def_id": def_id,
        "first_at": sorted(first_at.items()),
        "schema": schema,
        "schema_names": schema_names,
        "access_variant": dict(zip(schema.ACCESS_MODES, schema_names["access"].variants)),
        "reg_variant": dict(zip(schema.CPUID_REGISTERS, schema_names["cpuid_reg"].variants)),
        "kind_variant": dict(zip([c.name for c in schema.CONDITION_KINDS], schema_names["condition_kind"].variants)),
        "compare_variant": dict(zip([c.name for c in schema.COMPARISONS], schema_names["compare"].variants)),
        "context_variant": dict(zip([c.name for c in schema.CONTEXTS], schema_names["context"].variants)),
        "lock_variant": dict(zip([c.name for c in schema.LOCK_WRITES], schema_names["lock_writes"].variants)),
        "field_flag": dict(names.field_flags),
        "reg_flag": dict(names.reg_flags),
        "meanings": dict(schema.closed_enum_meanings(),
                         cpuid_reg=[f"The {r.upper()} output register." for r in schema.CPUID_REGISTERS]),
    }
    def vendor_set(vendors) -> str:
        return ".union(".join(f"Vendors::{names.vendors[v]}" for v in vendors) + ")" * (len(vendors) - 1) \
            if vendors else "Vendors::NONE"

    def flag_set(kind: str, flags: Dict[str, str], attributes) -> str:
        keys = [a.key for a in attributes]
        return ".union(".join(f"{kind}::{flags[k]}" for k in keys) + ")" * (len(keys) - 1) if keys else f"{kind}::NONE"

    def lock(m: Msr) -> str:
        if not m.has("locked_by"):
            return "None"
        field, writes = m.value("locked_by")
        index = [f.name for f in m.fields].index(field)
        return f"Some(Lock {{ field: {index}, writes: LockWrites::{common['lock_variant'][writes]} }})"

    env.globals.update(vendor_set=vendor_set, lock=lock,
                       field_flags=lambda f: flag_set("FieldFlags", common["field_flag"], f.attributes),
                       reg_flags=lambda m: flag_set("RegFlags", common["reg_flag"], m.attributes))
    common["vendor_all"] = sum(1 << v.bit for v in model.vendors)
    files = {name: env.get_template(name + ".j2").render(**common) for name in FIXED_FILES}
    category = env.get_template("category.rs.j2")
    for c in model.used_categories:
        files[f"regs/{c.name}.rs"] = category.render(category=c, members=[r for r in msrs if r.msr.category == c.name],
                                                     **common)
    return files


def main(model: Model, spec_paths: List[str], out: str, check: bool, list_outputs: bool, quiet: bool) -> int:
    """`python3 -m codegen --rust DIR`: write (or --check, or --list-outputs) the crate's generated part."""
    from . import output  # the C renderer's writer: atomic, change-only, with the manifest

    spec_names = [os.path.basename(p) for p in spec_paths]
    try:
        files = render(model, spec_names)
    except SpecErrors as exc:
        for err in exc.errors:
            print(err.format(spec_paths[0]), file=sys.stderr)
        print(f"{', '.join(spec_paths)}: {len(exc.errors)} error(s) in the Rust names; nothing was written",
              file=sys.stderr)
        return 1
    if list_outputs:
        for name in sorted(files):
            print(os.path.join(out, name))
        return 0
    if check:
        stale = output.stale(out, files)
        for name in stale:
            print(f"{os.path.join(out, name)}: out of date", file=sys.stderr)
        if stale:
            specs = " ".join(f"--spec {p}" for p in spec_paths)
            print(f"regenerate: python3 -m codegen {specs} --rust {out}", file=sys.stderr)
            return 1
        return 0
    changed = output.write(out, files)
    if not quiet:
        print(f"codegen: Rust crate part of {len(model.msrs)} MSRs; {len(changed)} of {len(files) + 1} files "
              f"updated in {out}")
    return 0
