"""Render the model through the Jinja2 templates in codegen/templates/.

Templates see only the model, the schema's enumerations and the small filters
below; every C name they print comes from naming.py (attached to the model), and
every output file name is decided here.
"""

import os
from typing import Dict, List, Optional

import jinja2

from . import naming, schema
from .model import Model, hex64

TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


def _wrap(words, width: int):
    """Greedy word wrap (a word longer than the width gets a line of its own)."""
    lines, line = [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


def _comment(text: str, width: int = 88, prefix: str = " * ") -> str:
    """Wrap `text` as the body lines of a /* */ comment, safe against '*/'."""
    words = text.replace("*/", "* /").split()
    return "\n".join(prefix + line for line in _wrap(words, width - len(prefix))) if words else prefix.rstrip()


def _defines(pairs) -> str:
    """`#define NAME VALUE` lines, values aligned one column after the longest name."""
    width = max(len(name) for name, _ in pairs)
    return "\n".join(f"#define {name.ljust(width)} {value}" for name, value in pairs)


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
                       defines=_defines, prefix=lambda text, p: p + text)
    env.globals.update(max=max, len=len, models_table=naming.condition_models_table)
    return env


def _context(model: Model, spec_names: List[str]) -> Dict[str, object]:
    """What every template may use besides the model: the schema's
    enumerations and, for each, spec spelling -> C constant (from naming.py)."""
    constants = {key: dict(zip(schema.CLOSED_ENUMS[key][0], e.constants)) for key, e in model.names.schema_enums}
    meanings = {
        "access": [schema.ACCESS_MODES[a][2] for a in schema.ACCESS_MODES],
        "cpuid_reg": ["" for _ in schema.CPUID_REGISTERS],
        "condition_kind": [c.meaning for c in schema.CONDITION_KINDS],
        "compare": [c.meaning for c in schema.COMPARISONS],
        "context": [c.meaning for c in schema.CONTEXTS],
    }
    vendor_constant = {v.name: v.names.constant for v in model.vendors}
    vendor_title = {v.name: v.title for v in model.vendors}
    return {
        "model": model,
        "spec_names": spec_names,
        "schema_enums": schema.CLOSED_ENUMS,
        "schema_meanings": meanings,
        "access_constant": constants["access"],
        "reg_constant": constants["cpuid_reg"],
        "kind_constant": constants["condition_kind"],
        "compare_constant": constants["compare"],
        "context_constant": constants["context"],
        "category_constant": {c.name: c.names.constant for c in model.categories},
        "set_ids": {s.name: s.names.id for s in model.control_sets},
        "builtin_vendor_names": ", ".join(schema.VENDOR_NAMES),
        "vendor_constant": vendor_constant,
        "vendor_title": vendor_title,
        "field_attributes": schema.FIELD_ATTRIBUTES,
    }


def render(model: Model, spec_names, template_cache: Optional[str] = None) -> Dict[str, str]:
    """All output files: relative path -> text (`template_cache`: see environment())."""
    if isinstance(spec_names, str):
        spec_names = [spec_names]
    env = environment(template_cache)
    common = _context(model, list(spec_names))
    env.filters["vendor_set"] = lambda vendors: " | ".join(common["vendor_constant"][v] for v in vendors) or "0"
    env.filters["vendor_titles"] = lambda vendors: " and ".join(common["vendor_title"][v] for v in vendors)
    env.filters["reg_constant"] = lambda reg: common["reg_constant"][reg]
    files = {
        "include/x86msr/msr_schema.h": env.get_template("msr_schema.h.j2").render(**common),
        "include/x86msr/msr_enums.h": env.get_template("msr_enums.h.j2").render(**common),
        "include/x86msr/msr_vmx_controls.h": env.get_template("msr_vmx_controls.h.j2").render(**common),
        "include/x86msr/msrs.h": env.get_template("msrs.h.j2").render(**common),
        "src/msr_table.c": env.get_template("msr_table.c.j2").render(**common),
        "tests/msr_selftest.c": env.get_template("msr_selftest.c.j2").render(**common),
    }
    category = env.get_template("msr_category.h.j2")
    for c in model.used_categories:
        files["include/" + c.names.header] = category.render(category=c, msrs=model.msrs_in(c.name), **common)
    return files
