"""python3 -m codegen --spec spec/msrs.yaml [--spec OVERLAY.yaml ...] --out DIR [--check | --list-outputs]
   python3 -m codegen --spec spec/msrs.yaml --docs DIR [--source-url URL]
   python3 -m codegen --spec spec/msrs.yaml --rust DIR [--check | --list-outputs]   (the Rust crate's generated part)

Exit status: 0 done (or, with --check, up to date); 1 spec errors (each printed
as FILE:LINE:COL: message, nothing written) or stale output under --check;
2 bad command line or unreadable spec file.
"""

import argparse
import gc
import os
import sys
from typing import List, Optional, Sequence

from . import handwritten, jsonschema, loader, model, output, render, specdoc, validate
from .errors import SpecError, SpecErrors


def build_model(spec_paths, name_files: bool = False) -> model.Model:
    """Load and validate the spec (a path, or a base path followed by overlays);
    raises SpecErrors listing every mistake. With several files, or with
    `name_files`, every position carries its file's path."""
    paths: Sequence[str] = [spec_paths] if isinstance(spec_paths, str) else spec_paths
    label = name_files or len(paths) > 1
    roots, errors = [], []
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        try:
            tree, more = loader.load(data, path if label else "")
        except SpecErrors as exc:
            errors.extend(exc.errors)
            continue
        roots.append(tree)
        errors.extend(more)  # duplicate keys, tags, ...: the tree stands, so its other mistakes are reported too
    if len(roots) < len(paths):  # a file without a tree: the others' cross-file checks would mislead
        raise SpecErrors(errors)
    spec_model, more = validate.validate(roots)
    errors.extend(more)
    if errors or spec_model is None:
        raise SpecErrors(errors or [SpecError(loader.Position(1, 1), "the spec has errors")])
    return spec_model


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m codegen", description=__doc__.splitlines()[0])
    parser.add_argument("--spec", action="append", help="the spec file (spec/msrs.yaml); repeat for overlays")
    parser.add_argument("--out", help="output directory (generated/ or the build tree's)")
    parser.add_argument("--docs", metavar="DIR",
                        help="write the register reference: DIR/html (a site) and DIR/md (Markdown)")
    parser.add_argument("--source-url", metavar="URL",
                        help="with --docs: link the spec at URL/<path>#L<line> instead of the file itself")
    parser.add_argument("--rust", metavar="DIR",
                        help="write the generated part of the Rust crate (generated/rust or the build tree's)")
    parser.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 if stale")
    parser.add_argument("--list-outputs", action="store_true", help="print the files that would be generated")
    parser.add_argument("--spec-doc", metavar="README",
                        help="rewrite the key tables in this spec format document (with --check: compare)")
    parser.add_argument("--handwritten-names", metavar="DIR",
                        help="rewrite codegen/handwritten_names.txt from the headers in DIR (with --check: compare)")
    parser.add_argument("--json-schema", metavar="FILE",
                        help="write the spec format's JSON Schema to FILE (with --check: compare)")
    parser.add_argument("--template-cache", metavar="DIR",
                        help="keep the compiled templates in DIR and reuse them (the build passes a directory "
                             "of its tree; they are recompiled when a template or the Python version changes)")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = parser.parse_args(argv)
    if args.spec_doc:
        return specdoc.main(args.spec_doc, args.check)
    if args.handwritten_names:
        return handwritten_main(args.handwritten_names, args.check)
    if args.json_schema:
        return json_schema_main(args.json_schema, args.check)
    if not args.spec or not (args.out or args.docs or args.rust):
        parser.error("give --spec FILE and --out DIR, --docs DIR or --rust DIR (or --spec-doc FILE, --json-schema FILE or "
                     "--handwritten-names DIR)")
    if args.rust and (args.out or args.docs):
        parser.error("--rust is a run of its own: give it without --out and --docs")
    if args.docs and (args.check or args.list_outputs):
        parser.error("--check and --list-outputs go with --out, not --docs")

    label = ", ".join(args.spec)
    # A short run that builds one large, acyclic-enough object graph: the cyclic
    # collector would only walk it again and again (a fifth of the run time).
    gc.disable()
    try:
        spec_model = build_model(args.spec)
    except OSError as exc:
        print(f"{exc.filename or label}: cannot read the spec: {exc.strerror}", file=sys.stderr)
        return 2
    except SpecErrors as exc:
        for err in exc.errors:
            print(err.format(args.spec[0]), file=sys.stderr)
        print(f"{label}: {len(exc.errors)} error(s); nothing was written", file=sys.stderr)
        return 1

    if args.rust:
        from . import rust  # the Rust renderer: not needed for a C run

        return rust.main(spec_model, args.spec, args.rust, args.check, args.list_outputs, args.quiet)

    if args.docs:
        from . import docs  # the register reference's module: not needed for a plain run

        pages = docs.render_docs(spec_model, args.spec, args.docs, args.source_url)
        changed = output.write(args.docs, pages)
        if not args.quiet:
            print(f"codegen: register reference of {len(spec_model.msrs)} MSRs; {len(changed)} of {len(pages) + 1} "
                  f"files updated in {args.docs} (open {os.path.join(args.docs, 'html', 'index.html')})")
        if not args.out:
            return 0

    files = render.render(spec_model, [os.path.basename(p) for p in args.spec], args.template_cache)
    if args.list_outputs:
        for name in sorted(files):
            print(os.path.join(args.out, name))
        return 0
    if args.check:
        stale = output.stale(args.out, files)
        for name in stale:
            print(f"{os.path.join(args.out, name)}: out of date", file=sys.stderr)
        if stale:
            specs = " ".join(f"--spec {p}" for p in args.spec)
            print(f"regenerate: python3 -m codegen {specs} --out {args.out}", file=sys.stderr)
            return 1
        return 0
    changed = output.write(args.out, files)
    if not args.quiet:
        print(f"codegen: {len(spec_model.msrs)} MSRs, {spec_model.field_count} fields; "
              f"{len(changed)} of {len(files) + 1} files updated in {args.out}")
    return 0


def json_schema_main(path: str, check: bool) -> int:
    text = jsonschema.text()
    try:
        with open(path, encoding="utf-8") as f:
            current = f.read()
    except FileNotFoundError:
        current = ""
    if text == current:
        return 0
    if check:
        print(f"{path}: differs from codegen/schema.py; run python3 -m codegen --json-schema {path}", file=sys.stderr)
        return 1
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


def handwritten_main(directory: str, check: bool) -> int:
    try:
        text = handwritten.render_list(handwritten.scan(directory))
    except OSError as exc:
        print(f"{directory}: cannot read the headers: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        with open(handwritten.LIST_FILE, encoding="utf-8") as f:
            current = f.read()
    except FileNotFoundError:
        current = ""
    if text == current:
        return 0
    if check:
        print(f"{handwritten.LIST_FILE}: differs from the names the headers in {directory} export; run "
              f"python3 -m codegen --handwritten-names {directory}", file=sys.stderr)
        return 1
    with open(handwritten.LIST_FILE, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
