"""Keep spec/README.md's key tables equal to the schema: the text between
`<!-- schema:KIND -->` and `<!-- /schema:KIND -->` is rendered from schema.py."""

import re
import sys

from . import schema

MARKER = re.compile(r"(<!-- schema:(\w+) -->\n)(.*?)(<!-- /schema:\2 -->)", re.S)


def rendered(text: str) -> str:
    def table(m: "re.Match[str]") -> str:
        kind = m.group(2)
        body = schema.access_table_markdown() if kind == "access" else schema.record_table_markdown(kind)
        return f"{m.group(1)}{body}\n{m.group(4)}"

    return MARKER.sub(table, text)


def main(path: str, check: bool) -> int:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        print(f"{path}: cannot read: {exc.strerror}", file=sys.stderr)
        return 2
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
