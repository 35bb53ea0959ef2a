#!/bin/sh
# spec_mistake.sh OLD NEW: the generator's messages for spec/msrs.yaml with the
# first OLD replaced by NEW, as a person editing the spec would see them (file
# named spec/msrs.yaml, run from the top of the tree). The real spec and any
# output directory are left alone. Used by the docs' shown-output checks.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/spec"
python3 - "$repo/spec/msrs.yaml" "$tmp/spec/msrs.yaml" "$1" "$2" <<'PY'
import sys
src, dst, old, new = sys.argv[1:]
text = open(src, encoding="utf-8").read()
if old not in text:
    sys.exit(f"spec_mistake.sh: {old!r} is not in the spec")
open(dst, "w", encoding="utf-8").write(text.replace(old, new, 1))
PY
cd "$tmp"
if PYTHONPATH="$repo" python3 -m codegen --spec spec/msrs.yaml --out out 2>&1; then
    echo "spec_mistake.sh: the generator accepted the change" >&2
    exit 1
fi
exit 0
