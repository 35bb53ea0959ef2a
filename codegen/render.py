"""Render the model through the Jinja2 templates in codegen/templates/.

Templates see only the model, the schema's enumerations and the small filters
below; every C name they print comes from naming.py (attached to the model), and
every output file name is decided here.
"""

import hashlib
import os
from typing import Dict, List, Optional

import jinja2

from . import layout, naming, schema
from .model import Model, hex64

TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


def _split_long(words, width: int):
    """Words longer than the width, cut after a '/' (model lists: 3AH/3CH/3DH) where they have one."""
    for word in words:
        while len(word) > width and "/" in word[:width]:
            cut = word.rindex("/", 0, width) + 1
            yield word[:cut]
            word = word[cut:]
        yield word


def _wrap(words, width: int):
    """Greedy word wrap (a word longer than the width gets a line of its own)."""
    lines, line = [], ""
    for word in _split_long(words, width):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


def _comment(text: str, width: int = 100, prefix: str = " * ") -> str:
    """Wrap `text` as the body lines of a /* */ comment, safe against '*/'."""
    words = text.replace("*/", "* /").split()
    return "\n".join(prefix + line for line in _wrap(words, width - len(prefix))) if words else prefix.rstrip()


LINE = 100  # the longest line the generated headers have


def _defines(pairs) -> str:
    """`#define NAME VALUE` lines, values aligned one column after the longest name; a
    definition that would pass LINE columns continues on the next line."""
    if not pairs:
        return ""
    width = max(len(name) for name, _ in pairs)
    if any(len(f"#define {name.ljust(width)} {value}") > LINE for name, value in pairs):
        width = max([len(name) for name, value in pairs if len(f"#define {name} {value}") <= LINE] or [0])
    out = []
    for name, value in pairs:
        line = f"#define {name.ljust(width)} {value}"
        if len(line) > LINE:
            line = f"#define {name} {value}" if len(f"#define {name} {value}") <= LINE else \
                f"#define {name} \\\n    {value}"
        out.append(line)
    return "\n".join(out)


def _descriptor(pairs) -> str:
    """A register's descriptor: `#define NAME a, b, ...`, continued past LINE columns."""
    (name, values), = pairs
    values = [str(v) for v in values]
    line = f"#define {name} " + ", ".join(values)
    if len(line) <= LINE:
        return line
    lines, current = [], f"#define {name}"
    for i, v in enumerate(values):
        piece = " " + v + ("," if i + 1 < len(values) else "")
        if len(current) + len(piece) + 2 > LINE:
            lines.append(current + " \\")
            current = "   "
        current += piece
    return "\n".join(lines + [current])


def _first_sentence(text: str) -> str:
    """The description up to its first full stop (the whole of it when there is none)."""
    text = " ".join(text.split())
    for i, ch in enumerate(text):
        if ch == "." and (i + 1 == len(text) or text[i + 1] == " ") and not text[max(0, i - 3):i].endswith(("e.g", "i.e", "vs")):
            return text[:i + 1]
    return text


def _trailing(code: str, text: str, column: int = 0) -> str:
    """`code` and a comment after it (from `column`, or one space after the code), the
    comment's text wrapped under itself within LINE columns."""
    if not text:
        return code
    start = max(len(code) + 1, column)
    words = text.replace("*/", "* /").split()
    lines = _wrap(words, max(LINE - start - 6, 20))
    out = [code.ljust(start) + "/* " + lines[0]]
    out += [" " * (start + 3) + line for line in lines[1:]]
    return "\n".join(out) + " */"


def _summary(text: str, width: int) -> str:
    """What a field's one-line comment says: the first sentence of its description; when
    that does not fit `width`, the sentence up to a clause break that fits (the strongest
    kind first: '; ', then ': ', ', ', ' ('; of one kind, the last); when none does, the
    whole sentence (its comment wraps). The register reference and the metadata keep
    the whole description."""
    first = _first_sentence(text)
    if len(first) <= width:
        return first
    for sep in ("; ", ": ", ", ", " ("):
        cut = first.rfind(sep, 0, width)
        if cut >= 16:
            return first[:cut]
    return first


def _member_comment(decl: str, f, column: int) -> str:
    """A union member with its one comment: the field's access and a summary of its
    description, from `column` (the members' comments align)."""
    start = max(len(decl) + 1, column)
    prefix = f"{f.access}: "
    return _trailing(decl, prefix + _summary(f.description, LINE - start - 6 - len(prefix)), column)


def _register_comment(m, vendor_titles) -> str:
    """The comment above a register: name, address, access, vendors, aliases, what it
    does, when it is present, where it is documented."""
    head = f"{m.name} ({m.address_text}), {m.access}, " + " and ".join(vendor_titles[v] for v in m.vendors)
    if m.aliases:
        head += "; also " + ", ".join(m.aliases)
    text = head + ". " + " ".join(m.description.split())
    for a in m.attributes:
        text += " " + a.note
    if m.present_if is not None:
        text += " Present if " + m.present_if.text() + "."
    if m.ref:
        text += " Ref: " + m.ref + "."
    return _block_comment(text)


def _block_comment(text: str) -> str:
    """A comment of one paragraph, its first line on the opening `/*` (the generated
    headers' style: no line holds only the comment's delimiters)."""
    body = _comment(text, LINE - 3)
    return "/*" + body[2:] + " */" if body.startswith(" * ") else "/* */"


def _hex_mask(value: int) -> str:
    return f"0x{value:016X}ull"


def _hex_short(value: int) -> str:
    return f"0x{value:X}ull" if value else "0"


def _inline(text: str) -> str:
    """One-line comment text (for trailing /* ... */)."""
    return " ".join(text.replace("*/", "* /").split())


# Byte -> its spelling in a C string literal: printable ASCII as itself, quotes
# and backslashes escaped, '?' (trigraphs) and everything else as \ooo.
_C_BYTES = [chr(b) if 32 <= b < 127 and chr(b) not in '"\\?' else f"\\{b:03o}" for b in range(256)]
_C_BYTES[ord('"')] = '\\"'
_C_BYTES[ord("\\")] = "\\\\"


# The same map as a str.translate table over the UTF-8 bytes read as Latin-1
# (one C call per string instead of a Python step per byte: ~10% of a run).
_C_TRANSLATE = {b: spelling for b, spelling in enumerate(_C_BYTES) if spelling != chr(b)}


def _cstr(text: str) -> str:
    """A C string literal: escaped, ASCII only (\\ooo for anything else)."""
    return '"' + text.encode("utf-8").decode("latin-1").translate(_C_TRANSLATE) + '"'


ALWAYS_SHOWN = {"field": ("msb", "lsb"), "cond": ("kind", "size"), "def": ("address", "id"), "masks": ("reserved",)}


def _cell(args) -> str:
    """A cell initializer `{ .kind = { .a = 1, .b = 2 } }, /* note */` of the non-zero
    members only (and the ones that say what the row is); a field is one line, so a
    change to a field changes its row only; other cells wrap at 100 columns."""
    kind, pairs, note = args
    shown = ALWAYS_SHOWN.get(kind, ())
    members = [f".{k} = {v if v not in ('', None) else 0}" for k, v in pairs
               if k in shown or v not in (0, "0", "", None)]
    tail = f" }} }},{' /* ' + note + ' */' if note else ''}"
    line = f"    {{ .{kind} = {{ " + ", ".join(members) + tail
    if len(line) <= 100 or kind == "field":
        return line
    lines, current = [], f"    {{ .{kind} = {{"
    for i, mem in enumerate(members):
        piece = " " + mem + ("," if i + 1 < len(members) else "")
        if len(current) + len(piece) > 100:
            lines.append(current)
            current = "          "
        current += piece
    lines.append(current + tail)
    return "\n".join(lines)


def _pool_literal(text: str) -> str:
    """One string of the text pool: adjacent literals of at most 80 characters of text,
    the last ending in \\0 (its terminator in the pool)."""
    pieces = [text[i:i + 80] for i in range(0, len(text), 80)] or [""]
    lines = ["    " + _cstr(p) for p in pieces]
    lines[-1] = lines[-1][:-1] + '\\0"'
    return "\n".join(lines)


def _hex_ull(value: int) -> str:
    return f"0x{value:X}ull" if value > 9 else f"{value}ull" if value else "0"


def _pad(text: str, width: int) -> str:
    return str(text).ljust(width)


def _hex8(value: int) -> str:
    return f"0x{value:02X}"


def environment(template_cache: Optional[str] = None) -> jinja2.Environment:
    """The templates' environment; with `template_cache`, a directory where Jinja2
    keeps each template compiled (keyed by the template's text and the Python
    version, so an edited template or another interpreter compiles afresh).
    Compiling the templates is a third of the rendering time."""
    cache = None
    if template_cache:
        os.makedirs(template_cache, exist_ok=True)
        cache = jinja2.FileSystemBytecodeCache(template_cache, "x86msr-%s.cache")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        bytecode_cache=cache,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(comment=_comment, inline=_inline, cstr=_cstr, pad=_pad, hex64=hex64, hex8=_hex8,
                       defines=_defines, prefix=lambda text, p: p + text, descriptor=_descriptor,
                       member_comment=_member_comment, trailing=_trailing, block_comment=_block_comment,
                       hex_mask=_hex_mask, hex_mask_short=_hex_short, hex_ull=_hex_ull, cell=_cell,
                       pool_literal=_pool_literal, hex_u=lambda value: f"0x{value:X}u")
    env.globals.update(max=max, len=len)
    return env


def _signature_words(signature: str) -> List[str]:
    """A 12-character vendor signature as the three little-endian 32-bit
    words CPUID returns it in (hex C literals, in the vendor's register order)."""
    raw = signature.encode("latin-1")
    return ["0x%08Xu" % int.from_bytes(raw[i:i + 4], "little") for i in range(0, 12, 4)]


def _context(model: Model, spec_names: List[str]) -> Dict[str, object]:
    """What every template may use besides the model: the schema's
    enumerations and, for each, spec spelling -> C constant (from naming.py)."""
    constants = {key: dict(zip(schema.CLOSED_ENUMS[key][0], e.constants)) for key, e in model.names.schema_enums}
    meanings = schema.closed_enum_meanings()
    vendor_constant = {v.name: v.names.constant for v in model.vendors}
    vendor_title = {v.name: v.title for v in model.vendors}
    return {
        "model": model,
        "spec_names": spec_names,
        "generation_macro": naming.GENERATION_MACRO,
        "generation": naming.generation(spec_names),
        "schema_enums": schema.CLOSED_ENUMS,
        "schema_meanings": meanings,
        "access_constant": constants["access"],
        "reg_constant": constants["cpuid_reg"],
        "kind_constant": constants["condition_kind"],
        "compare_constant": constants["compare"],
        "context_constant": constants["context"],
        "lock_writes_constant": constants["lock_writes"],
        "choice_constant": {key: constants[key] for key in ("guest_state", "merge")},
        "category_constant": {c.name: c.names.constant for c in model.categories},
        "set_ids": {s.name: s.names.id for s in model.control_sets},
        "builtin_vendor_names": ", ".join(schema.VENDOR_NAMES),
        "vendor_constant": vendor_constant,
        "vendor_title": vendor_title,
        "field_attributes": schema.FIELD_ATTRIBUTES,
        "reg_attributes": schema.MSR_ATTRIBUTES,
        "field_flag": dict(model.names.field_flags),
        "reg_flag": dict(model.names.reg_flags),
    }


def render(model: Model, spec_names, template_cache: Optional[str] = None) -> Dict[str, str]:
    """All output files: relative path -> text (`template_cache`: see environment())."""
    if isinstance(spec_names, str):
        spec_names = [spec_names]
    env = environment(template_cache)
    common = _context(model, list(spec_names))
    tables = layout.Tables.of(model)
    env.filters["vendor_set"] = lambda vendors: " | ".join(common["vendor_constant"][v] for v in vendors) or "0"
    env.filters["vendor_titles"] = lambda vendors: " and ".join(common["vendor_title"][v] for v in vendors)
    env.filters["reg_constant"] = lambda reg: common["reg_constant"][reg]
    env.filters["register_comment"] = lambda m: _register_comment(m, common["vendor_title"])
    env.filters["flag_of"] = lambda key: common["field_flag"][key]
    env.filters["reg_flag_of"] = lambda key: common["reg_flag"][key]
    env.filters["index_of"] = lambda items, item: list(items).index(item)
    env.filters["signature_words"] = _signature_words
    # The spec's identity (naming.spec_id) is a digest of the check table, which
    # names it too: rendered with a placeholder, then filled in everywhere.
    placeholder = naming.spec_id("@" * 16)
    common["spec_id"] = placeholder
    common["overlay"] = len(spec_names) > 1
    table = env.get_template("msr_table.c.j2").render(tables=tables, **common)
    files = {
        "include/x86msr/msr_schema.h": env.get_template("msr_schema.h.j2").render(**common),
        "include/x86msr/msr_enums.h": env.get_template("msr_enums.h.j2").render(**common),
        "include/x86msr/msr_vmx_controls.h": env.get_template("msr_vmx_controls.h.j2").render(**common),
        "include/x86msr/msrs.h": env.get_template("msrs.h.j2").render(**common),
        "include/x86msr/msr_defs.h": env.get_template("msr_defs.h.j2").render(**common),
        "src/msr_table.c": table,
        "src/msr_text.c": env.get_template("msr_text.c.j2").render(tables=tables, **common),
        "tests/msr_selftest.c": env.get_template("msr_selftest.c.j2").render(**common),
    }
    category = env.get_template("msr_category.h.j2")
    for c in model.used_categories:
        files["include/" + c.names.header] = category.render(category=c, msrs=model.msrs_in(c.name), **common)
    ident = naming.spec_id(hashlib.sha256(table.encode("utf-8")).hexdigest()[:16])
    return {name: text.replace(placeholder, ident) for name, text in files.items()}
