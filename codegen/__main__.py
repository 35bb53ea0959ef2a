"""python3 -m codegen --spec spec/msrs.yaml --out DIR [--check | --list-outputs]

Exit status: 0 done (or, with --check, up to date); 1 spec errors (each printed
as FILE:LINE:COL: message, nothing written) or stale output under --check;
2 bad command line or unreadable spec file.
"""

import argparse
import os
import sys
from typing import List, Optional

from . import loader, model, output, render, specdoc, validate
from .errors import SpecErrors


def build_model(spec_path: str) -> model.Model:
    """Load and validate the spec; raises SpecErrors listing every mistake."""
    with open(spec_path, "rb") as f:
        data = f.read()
    tree, errors = loader.load(data)
    clean, more = validate.validate(tree)
    errors = errors + more
    if errors:
        raise SpecErrors(errors)
    return model.build(clean)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m codegen", description=__doc__.splitlines()[0])
    parser.add_argument("--spec", required=True, help="the spec file (spec/msrs.yaml)")
    parser.add_argument("--out", help="output directory (generated/ or the build tree's)")
    parser.add_argument("--check", action="store_true", help="compare with --out instead of writing; exit 1 if stale")
    parser.add_argument("--list-outputs", action="store_true", help="print the files that would be generated")
    parser.add_argument("--spec-doc", metavar="README",
                        help="rewrite the key tables in this spec format document (with --check: compare)")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = parser.parse_args(argv)
    if not (args.out or args.spec_doc):
        parser.error("give --out DIR or --spec-doc FILE")

    if args.spec_doc:
        return specdoc.main(args.spec_doc, args.check)

    try:
        spec_model = build_model(args.spec)
    except OSError as exc:
        print(f"{args.spec}: cannot read the spec: {exc.strerror}", file=sys.stderr)
        return 2
    except SpecErrors as exc:
        for err in exc.errors:
            print(err.format(args.spec), file=sys.stderr)
        print(f"{args.spec}: {len(exc.errors)} error(s); nothing was written", file=sys.stderr)
        return 1

    files = render.render(spec_model, os.path.basename(args.spec))
    if args.list_outputs:
        for name in sorted(files):
            print(os.path.join(args.out, name))
        return 0
    if args.check:
        stale = output.stale(args.out, files)
        for name in stale:
            print(f"{os.path.join(args.out, name)}: out of date", file=sys.stderr)
        if stale:
            print(f"regenerate: python3 -m codegen --spec {args.spec} --out {args.out}", file=sys.stderr)
            return 1
        return 0
    changed = output.write(args.out, files)
    if not args.quiet:
        print(f"codegen: {len(spec_model.msrs)} MSRs, {spec_model.field_count} fields; "
              f"{len(changed)} of {len(files) + 1} files updated in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
