#!/usr/bin/env python3
"""The Markdown half of the register reference (build/docs/md), checked without
a browser: every register of the spec has its section, every relative link
reaches an existing file and anchor, and every diagram file is well-formed SVG
with role="img", a <title>, and one titled box per field (per row) and per run
of reserved bits.

Usage: test_docs_markdown.py --docs BUILD/docs [--spec spec/msrs.yaml]
"""

import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import expect  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"
LINK = re.compile(r"\]\(([^)\s]+)\)")
ANCHOR = re.compile(r'<a id="([^"]+)"></a>')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", required=True)
    parser.add_argument("--spec", action="append")
    args = parser.parse_args()
    md = os.path.join(args.docs, "md")
    model = expect.load(args.spec or [os.path.join(expect.ROOT, "spec", "msrs.yaml")])
    failures = []

    def check(ok, message):
        if not ok:
            failures.append(message)

    pages = {}
    for name in sorted(os.listdir(md)):
        if name.endswith(".md"):
            with open(os.path.join(md, name), encoding="utf-8") as f:
                pages[name] = f.read()
    check("README.md" in pages, "md/README.md is missing")
    anchors = {name: set(ANCHOR.findall(text)) for name, text in pages.items()}

    links = 0
    for name, text in pages.items():
        for target in LINK.findall(text):
            if re.match(r"^[a-z]+:", target):
                continue
            links += 1
            path, _, anchor = target.partition("#")
            full = os.path.normpath(os.path.join(md, path)) if path else os.path.join(md, name)
            if not check(os.path.exists(full), f"md/{name}: link to {target}: no such file"):
                continue
            if anchor and full.endswith(".md") and os.path.dirname(full) == os.path.normpath(md):
                check(anchor in anchors.get(os.path.basename(full), set()),
                      f"md/{name}: link to {target}: no such anchor")

    index = pages.get("README.md", "")
    svgs = 0
    for m in model.msrs:
        page = m.category + ".md"
        check(f"[{m.name}]" in index, f"md/README.md does not list {m.name}")
        check(f"\n## {m.name} " in pages.get(page, ""), f"md/{page} has no section for {m.name}")
        path = os.path.join(md, "svg", m.names.stem + ".svg")
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as exc:
            check(False, f"{path}: {exc}")
            continue
        svgs += 1
        check(root.tag == SVG + "svg" and root.get("role") == "img", f"{path}: not an <svg role=img>")
        title = root.find(SVG + "title")
        check(title is not None and m.name in (title.text or ""), f"{path}: no <title> naming {m.name}")
        fields, reserved = [], []
        for g in root.iter(SVG + "g"):
            kind = g.get("class", "").split()
            if "field" in kind or "reserved" in kind:
                t = g.find(SVG + "title")
                check(t is not None and (t.text or "").strip(), f"{path}: a box without a <title>")
                if "field" in kind:
                    fields.append((g.get("data-field"), g.get("data-bits")))
                else:
                    reserved.append(g.get("data-bits"))
        want_fields, want_reserved = expect.boxes(m)
        check(sorted(fields) == want_fields, f"{path}: field boxes {sorted(fields)} != {want_fields}")
        check(sorted(reserved) == want_reserved, f"{path}: reserved boxes {sorted(reserved)} != {want_reserved}")

    for s in model.control_sets:
        check(f'<a id="ctls-{s.name}"></a>' in pages.get("vmx-controls.md", ""),
              f"md/vmx-controls.md has no section for control set {s.name}")
    for item in failures:
        print("FAIL:", item)
    print(f"docs_markdown: {len(pages)} pages, {links} links, {svgs} diagrams; {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
