"""Writes the C block that follows an `<!-- example: NAME ... -->` marker of a
Markdown file to OUT, so the documented code is the code a test compiles.

Usage: extract_example.py DOC.md NAME OUT.c
"""
import re
import sys


def main() -> int:
    doc, name, out = sys.argv[1:4]
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    marker = re.search(r"<!-- example: " + re.escape(name) + r"\b[^>]*-->\s*```c\n(.*?)```", text, re.S)
    if not marker:
        print(f"{doc}: no C block after '<!-- example: {name} -->'", file=sys.stderr)
        return 1
    code = f'/* Extracted from {doc} (example {name}); edit the document, not this file. */\n' + marker.group(1)
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
