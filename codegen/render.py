"""Render the model through the Jinja2 templates in codegen/templates/.

Templates see only the model (and the small filters below); every output file
name is decided here.
"""

import os
import textwrap
from typing import Dict

import jinja2

from .model import Model, hex64

TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


def _comment(text: str, width: int = 88, prefix: str = " * ") -> str:
    """Wrap `text` as the body lines of a /* */ comment, safe against '*/'."""
    text = " ".join(text.replace("*/", "* /").split())
    return "\n".join(prefix + line for line in textwrap.wrap(text, width - len(prefix))) if text else prefix.rstrip()


def _inline(text: str) -> str:
    """One-line comment text (for trailing /* ... */)."""
    return " ".join(text.replace("*/", "* /").split())


def _cstr(text: str) -> str:
    """A C string literal: escaped, ASCII only (\\ooo for anything else)."""
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= byte < 127 and ch != "?":  # '?' avoids trigraphs
            out.append(ch)
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def _pad(text: str, width: int) -> str:
    return str(text).ljust(width)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(comment=_comment, inline=_inline, cstr=_cstr, pad=_pad, hex64=hex64)
    env.globals.update(max=max, len=len)
    return env


def render(model: Model, spec_name: str) -> Dict[str, str]:
    """All output files: relative path -> text."""
    env = environment()
    common = {"model": model, "spec_name": spec_name}
    files = {
        "include/x86msr/msr_enums.h": env.get_template("msr_enums.h.j2").render(**common),
        "include/x86msr/msr_vmx_controls.h": env.get_template("msr_vmx_controls.h.j2").render(**common),
        "include/x86msr/msrs.h": env.get_template("msrs.h.j2").render(**common),
        "src/msr_table.c": env.get_template("msr_table.c.j2").render(**common),
        "tests/msr_selftest.c": env.get_template("msr_selftest.c.j2").render(**common),
    }
    category = env.get_template("msr_category.h.j2")
    for name in model.categories:
        files[f"include/x86msr/msr_{name}.h"] = category.render(category=name, msrs=model.msrs_in(name), **common)
    return files
