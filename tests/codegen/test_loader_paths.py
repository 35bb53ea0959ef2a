"""The loader's two parsers agree: libyaml (the fast path, for printable-ASCII
text) and the pure-Python parser give the same positioned tree, or the same
errors, for the real spec, the golden spec and every corpus case. A
difference would mean a message or a position depends on which parser ran."""

import glob
import os
import unittest

from codegen import loader
from codegen.errors import SpecErrors

from .support import REPO


def outcome(data: bytes, fast: bool):
    saved = loader._C_LOADER
    if not fast:
        loader._C_LOADER = None
    try:
        tree, errors = loader.load(data)
        return "ok", [(e.position, e.message) for e in errors], shape(tree)
    except SpecErrors as exc:
        return "errors", [(e.position, e.message) for e in exc.errors]
    finally:
        loader._C_LOADER = saved


def shape(node):
    if node.kind == "map":
        return "map", node.pos, tuple((k, p, shape(v)) for k, (p, v) in node.entries.items())
    if node.kind == "list":
        return "list", node.pos, tuple(shape(i) for i in node.items)
    return "scalar", node.pos, type(node.value).__name__, repr(node.value)


class LoaderPaths(unittest.TestCase):
    def test_fast_and_python_parsers_agree(self):
        files = [os.path.join(REPO, "spec", "msrs.yaml")]
        files += sorted(glob.glob(os.path.join(REPO, "tests", "spec_corpus", "*.yaml")))
        files += sorted(glob.glob(os.path.join(REPO, "tests", "codegen", "golden", "*.yaml")))
        self.assertGreater(len(files), 100)
        for path in files:
            with self.subTest(os.path.relpath(path, REPO)):
                with open(path, "rb") as f:
                    data = f.read()
                self.assertEqual(outcome(data, True), outcome(data, False))

    def test_the_real_spec_takes_the_fast_path(self):
        with open(os.path.join(REPO, "spec", "msrs.yaml"), encoding="utf-8") as f:
            self.assertIsNotNone(loader._compose_fast(f.read()))


if __name__ == "__main__":
    unittest.main()
