"""The C names the handwritten headers (src/include/x86msr/*.h) export, so the
generator can refuse a spec entry whose generated names would collide with them.

The list lives in handwritten_names.txt next to this file (installed with the
generator, so an installed package checks overlays against the same names);
`python3 -m codegen --handwritten-names DIR` rewrites it from the headers and a
test fails when the file and the headers disagree.
"""

import os
import re
from typing import Dict, Iterable, List, Tuple

LIST_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "handwritten_names.txt")

_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_STRING = re.compile(r'"(?:\\.|[^"\\])*"')
_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)", re.M)
# A tag with a body, or declared ahead of one (`struct msr_linux;`).
_TAG = re.compile(r"\b(?:struct|union|enum)\s+([A-Za-z_]\w*)\s*[{;]")
_ENUM_BODY = re.compile(r"\benum\b[^{;]*\{([^}]*)\}")
_ENUM_CONSTANT = re.compile(r"(?:^|,)\s*([A-Za-z_]\w*)\s*(?==|,|$)")
_FUNCTION_POINTER = re.compile(r"\(\s*\*\s*([A-Za-z_]\w*)\s*\)")
# A declaration or definition at file scope: `type name(` or `type name[...]`/`type name;` after extern.
_FUNCTION = re.compile(r"(?:^|[;}])\s*(?:(?:static|inline|extern|const|unsigned|signed|struct|union|enum|"
                       r"MSR_ALWAYS_INLINE|__attribute__\s*\(\([^)]*\)\))\s+)*[A-Za-z_][\w\s\*]*?\b([A-Za-z_]\w*)\s*\(")
_EXTERN_OBJECT = re.compile(r"\bextern\b[^;(]*?\b([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*;")

PREFIXES = ("msr_", "MSR_")


def _file_scope(text: str) -> str:
    """`text` with comments, strings and function bodies removed, so only
    declarations at file scope remain (struct and enum bodies are kept)."""
    text = _STRING.sub('""', _COMMENT.sub(" ", text))
    text = re.sub(r"\\\n", " ", text)
    text = re.sub(r"^[ \t]*#.*$", lambda m: m.group(0) if re.match(r"\s*#\s*define", m.group(0)) else "", text,
                  flags=re.M)
    out, depth, i = [], 0, 0
    # Drop the bodies of functions: a `{` right after `)` (possibly with attributes between).
    while i < len(text):
        ch = text[i]
        if ch == "{" and depth == 0 and re.search(r"\)\s*$", text[max(0, i - 200):i]):
            depth, j = 1, i + 1
            while j < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            out.append(";")
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _typedef_names(body: str) -> List[str]:
    """The name each `typedef ...;` declares: `(*name)(...)` for a function
    pointer, else the last identifier outside braces and brackets."""
    out = []
    for m in re.finditer(r"\btypedef\b", body):
        depth, j = 0, m.end()
        while j < len(body) and not (body[j] == ";" and depth == 0):
            depth += {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}.get(body[j], 0)
            j += 1
        statement = body[m.end():j]
        pointer = _FUNCTION_POINTER.search(statement)
        if pointer:
            out.append(pointer.group(1))
            continue
        flat = re.sub(r"\{[^{}]*\}", " ", statement)
        while re.search(r"\{[^{}]*\}", flat):
            flat = re.sub(r"\{[^{}]*\}", " ", flat)
        flat = re.sub(r"\[[^\]]*\]", " ", flat)
        names = re.findall(r"[A-Za-z_]\w*", flat)
        if names:
            out.append(names[-1])
    return out


def extract(text: str) -> List[str]:
    """The msr_/MSR_ names a header declares: macros, tags, enum constants,
    typedefs, functions and extern objects."""
    found = set(_DEFINE.findall(text))
    body = _file_scope(text)
    found.update(_TAG.findall(body))
    for enum_body in _ENUM_BODY.findall(body):
        found.update(m for m in _ENUM_CONSTANT.findall(" ".join(enum_body.split())))
    found.update(_typedef_names(body))
    declarations = re.sub(r"^[ \t]*#.*$", "", body, flags=re.M)
    found.update(_FUNCTION.findall(declarations))
    found.update(_EXTERN_OBJECT.findall(declarations))
    return sorted(n for n in found if n.startswith(PREFIXES))


def scan(directory: str) -> List[Tuple[str, str]]:
    """(name, header) for every handwritten header in `directory`, sorted by name."""
    out: Dict[str, str] = {}
    for entry in sorted(os.listdir(directory)):
        if entry.endswith(".h"):
            with open(os.path.join(directory, entry), encoding="utf-8") as f:
                for name in extract(f.read()):
                    out.setdefault(name, f"x86msr/{entry}")
    return sorted(out.items())


def render_list(entries: Iterable[Tuple[str, str]]) -> str:
    lines = ["# C names the handwritten headers export (python3 -m codegen --handwritten-names src/include/x86msr).",
             "# The generator refuses spec entries whose names collide with these."]
    lines += [f"{name} {header}" for name, header in entries]
    return "\n".join(lines) + "\n"


_cache: Dict[str, Dict[str, str]] = {}


def names(path: str = LIST_FILE) -> Dict[str, str]:
    """name -> header, from the committed list."""
    if path not in _cache:
        table: Dict[str, str] = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    name, header = line.split()
                    table[name] = header
        _cache[path] = table
    return _cache[path]
