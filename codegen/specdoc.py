"""Keep spec/README.md's key tables equal to the schema: the text between
`<!-- schema:KIND -->` and `<!-- /schema:KIND -->` is rendered from schema.py
(KIND: a record kind of schema.RECORDS, or one of SPECIAL)."""

import re
import sys
from typing import Callable, Dict, List

from . import schema

MARKER = re.compile(r"(<!-- schema:(\w+) -->\n)(.*?)(<!-- /schema:\2 -->)", re.S)

# Tables that are no record kind: the enumerations.
SPECIAL: Dict[str, Callable[[], str]] = {
    "access": schema.access_table_markdown,
    "vendors": schema.vendor_table_markdown,
    "categories": schema.category_table_markdown,
    "conditions": schema.condition_table_markdown,
    "guest_states": lambda: schema.enum_table_markdown("guest_state", schema.GUEST_STATES),
    "merge_rules": lambda: schema.enum_table_markdown("merge", schema.MERGE_RULES),
}


def unknown(text: str) -> List[str]:
    """The markers of `text` that name no table."""
    return [m.group(2) for m in MARKER.finditer(text) if m.group(2) not in SPECIAL and m.group(2) not in schema.RECORDS]


def rendered(text: str) -> str:
    def table(m: "re.Match[str]") -> str:
        kind = m.group(2)
        body = SPECIAL[kind]() if kind in SPECIAL else schema.record_table_markdown(kind)
        return f"{m.group(1)}{body}\n{m.group(4)}"

    return MARKER.sub(table, text)


def main(path: str, check: bool) -> int:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        print(f"{path}: cannot read: {exc.strerror}", file=sys.stderr)
        return 2
    bad = unknown(text)
    if bad:
        kinds = ", ".join(sorted(set(schema.RECORDS) | set(SPECIAL)))
        print(f"{path}: no schema table called {', '.join(bad)} (tables: {kinds})", file=sys.stderr)
        return 1
    new = rendered(text)
    if new == text:
        return 0
    if check:
        print(f"{path}: key tables differ from codegen/schema.py; run python3 -m codegen --spec-doc {path}",
              file=sys.stderr)
        return 1
    with open(path, "w", encoding="utf-8") as f:
        f.write(new)
    return 0
