"""Writes the C block that follows an `<!-- example: NAME ... -->` marker of a
Markdown file to OUT, so the documented code is the code a test compiles.
Further documents that show the same example must carry the same block
(the README quotes a guide's handler): one that differs is an error.

Usage: extract_example.py DOC.md NAME OUT.c [OTHER.md ...]
"""
import re
import sys


def block(doc: str, name: str):
    """The C block after the example's marker in `doc`, or None."""
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    marker = re.search(r"<!-- example: " + re.escape(name) + r"\b[^>]*-->\s*```c\n(.*?)```", text, re.S)
    if not marker:
        print(f"{doc}: no C block after '<!-- example: {name} -->'", file=sys.stderr)
        return None
    return marker.group(1)


def main() -> int:
    doc, name, out = sys.argv[1:4]
    body = block(doc, name)
    if body is None:
        return 1
    for other in sys.argv[4:]:
        copy = block(other, name)
        if copy is None:
            return 1
        if copy != body:
            print(f"{other}: example {name} differs from {doc}'s; keep the two copies identical", file=sys.stderr)
            return 1
    code = f'/* Extracted from {doc} (example {name}); edit the document, not this file. */\n' + body
    try:
        with open(out, encoding="utf-8") as f:
            if f.read() == code:
                return 0
    except OSError:
        pass
    with open(out, "w", encoding="utf-8") as f:
        f.write(code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
