"""The spec error corpus: broken specs and exactly what the generator says about them.

Each case is a file in this directory with its expected standard error next to it:

- `NAME.yaml` + `NAME.expected`: a small broken spec and the generator's complete
  stderr for it (`NAME.yaml:LINE:COL: message` lines, then the summary line);
- `NAME.yaml` + `NAME.overlay` + `NAME.expected`: a base spec and an overlay
  validated together (`--spec NAME.yaml --spec NAME.overlay`): positions name
  their file, so what only a second file can get wrong (a redeclared enum,
  a reused name or address) shows where the overlay says it;
- `NAME.patch` + `NAME.expected`: edits to a copy of the real spec/msrs.yaml.
  The patch holds `# comment` lines and operations, each on one line with a
  JSON string: `replace: "OLD"` followed by `with: "NEW"` (OLD must occur
  exactly once), or `cut: "TEXT"` (the file ends right before TEXT). The real
  spec changes, so the expected file names positions by text instead of by
  number: `<<NEEDLE>>` stands for the LINE:COL of NEEDLE in the patched spec
  (`^` in NEEDLE marks the column, as in tests/codegen/support.where; `\\n`
  and `\\t` stand for a newline and a tab) and `<<line:NEEDLE>>` for its line
  alone; the patched copy is called msrs.yaml.

Every case runs the real command line (`python3 -m codegen --spec NAME.yaml --out
DIR`, from this directory) on top of a good run's output, and must exit 1,
print nothing on stdout, print exactly the expected stderr, and leave DIR
byte-for-byte (contents and mtimes) as it was.

After an intended change of messages, rewrite the expected files of the .yaml
cases (those of the .patch cases are edited by hand) and review the diff:

    X86MSR_UPDATE_CORPUS=1 python3 -m unittest tests.spec_corpus.test_spec_corpus
    git diff tests/spec_corpus/
"""

import ast
import concurrent.futures
import json
import os
import re
import shutil
import tempfile
import unittest

from tests.codegen.support import BASE, REAL_SPEC, REPO, edit, run_codegen, snapshot, where, write_file

CORPUS = os.path.dirname(os.path.abspath(__file__))
UPDATE = os.environ.get("X86MSR_UPDATE_CORPUS") == "1"
PATCHED_NAME = "msrs.yaml"
PLACEHOLDER = re.compile(r"<<(line:)?(.+?)>>")


def cases():
    """Case name -> its input file (NAME.yaml or NAME.patch), sorted by name."""
    found = {}
    for name in sorted(os.listdir(CORPUS)):
        stem, ext = os.path.splitext(name)
        if ext in (".yaml", ".patch"):
            if stem in found:
                raise AssertionError(f"two inputs for case {stem}")
            found[stem] = os.path.join(CORPUS, name)
    return found


def read_patch(path):
    """A .patch file's operations: [("replace", old, new) | ("cut", text, None)]."""
    ops, pending = [], None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            op, _, arg = line.partition(":")
            text = json.loads(arg)
            if op == "with" and pending is not None:
                ops.append(("replace", pending, text))
                pending = None
            elif op == "replace" and pending is None:
                pending = text
            elif op == "cut" and pending is None:
                ops.append(("cut", text, None))
            else:
                raise AssertionError(f"{path}:{number}: expected replace:, with: or cut:")
    if pending is not None:
        raise AssertionError(f"{path}: 'replace' without 'with'")
    return ops


def apply_patch(text, ops):
    for op, old, new in ops:
        if op == "replace":
            text = edit(text, (old, new))
        else:
            where(text, old)  # exactly once
            text = text[:text.index(old)]
    return text


# The modules whose error messages the corpus must show, and the messages it
# cannot: each exemption says why no spec reaches it.
MESSAGE_SOURCES = ("codegen/loader.py", "codegen/validate.py", "codegen/naming.py")
UNREACHABLE = {
    "YAML error: ": "PyYAML raises only positioned (Marked) errors for text input; kept for a future PyYAML",
    "array : instances  and  collide at ": "needs stride 0, which the stride rule refuses first "
                                          "(case array_stride_zero)",
}


def message_patterns():
    """(file:line, regex, the message's constant text) for every message the
    generator can give: the second argument of each `error(pos, message)` and
    `SpecError(pos, message)` call, f-string holes matching anything."""
    def regex(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return re.escape(node.value), node.value
        if isinstance(node, ast.JoinedStr):
            parts = [regex(v) if isinstance(v, ast.Constant) else (".*?", "") for v in node.values]
            return "".join(r for r, _ in parts), "".join(t for _, t in parts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            (lr, lt), (rr, rt) = regex(node.left), regex(node.right)
            if lr is None and rr is None:
                return None, None
            return (".*?" if lr is None else lr) + (".*?" if rr is None else rr), (lt or "") + (rt or "")
        return None, None  # a variable: the message was built elsewhere and is checked there

    found = []
    for source in MESSAGE_SOURCES:
        with open(os.path.join(REPO, source), encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in ("error", "SpecError"):
                pattern, constant = regex(node.args[1])
                if pattern is not None:
                    found.append((f"{source}:{node.lineno}", pattern, constant))
    return found


def resolve(expected, text):
    """An expected file of a patch case with its <<NEEDLE>> placeholders filled in from `text`."""
    def position(m):
        line, col = where(text, m.group(2).replace("\\n", "\n").replace("\\t", "\t"))
        return str(line) if m.group(1) else f"{line}:{col}"
    return PLACEHOLDER.sub(position, expected)


class SpecCorpus(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        tmp = tempfile.TemporaryDirectory()
        cls.addClassCleanup(tmp.cleanup)
        cls.tmp = tmp.name
        # A good run's output that no broken spec may touch.
        cls.good_out = os.path.join(tmp.name, "good")
        good = run_codegen("--spec", write_file(tmp.name, "good.yaml", BASE), "--out", cls.good_out, "--quiet")
        assert good.returncode == 0, good.stderr
        cls.good = snapshot(cls.good_out)
        with open(REAL_SPEC, encoding="utf-8") as f:
            cls.real = f.read()
        cls.cases = cases()
        # The runs are independent subprocesses: run them all at once, check them one by one.
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            cls.runs = dict(zip(cls.cases, pool.map(cls.run_case, cls.cases.items())))

    @classmethod
    def run_case(cls, item):
        name, path = item
        work = os.path.join(cls.tmp, name)
        os.mkdir(work)
        out = os.path.join(work, "out")
        shutil.copytree(cls.good_out, out)  # copy2: contents and mtimes
        if path.endswith(".patch"):
            text = apply_patch(cls.real, read_patch(path))
            write_file(work, PATCHED_NAME, text)
            run = run_codegen("--spec", PATCHED_NAME, "--out", out, cwd=work)
        else:
            text = None
            specs = ["--spec", os.path.basename(path)]
            if os.path.exists(path[:-len(".yaml")] + ".overlay"):
                specs += ["--spec", name + ".overlay"]
            run = run_codegen(*specs, "--out", out, cwd=CORPUS)
        return run, snapshot(out), text

    def test_corpus_size(self):
        self.assertGreaterEqual(len(self.cases), 40)

    def test_every_message_of_the_generator_is_in_the_corpus(self):
        """Each validation rule and loader check shows up in some case's expected output."""
        expected = []
        for name in os.listdir(CORPUS):
            if name.endswith(".expected"):
                with open(os.path.join(CORPUS, name), encoding="utf-8") as f:
                    expected.extend(f.read().splitlines())
        patterns = message_patterns()
        self.assertGreater(len(patterns), 50)
        missing = [f"{where_}: {constant!r}" for where_, pattern, constant in patterns
                   if constant not in UNREACHABLE and not any(re.search(pattern, line) for line in expected)]
        self.assertEqual(missing, [], "messages no corpus case produces")
        for constant in UNREACHABLE:
            self.assertIn(constant, [c for _, _, c in patterns], "a stale exemption")

    def test_every_expected_file_has_a_case(self):
        orphans = [n for n in os.listdir(CORPUS) if n.endswith((".expected", ".overlay"))
                   and os.path.splitext(n)[0] not in self.cases]
        self.assertEqual(orphans, [])
        for name, path in self.cases.items():
            self.assertTrue(os.path.exists(os.path.join(CORPUS, name + ".expected")), f"{name} has no .expected")
            if os.path.exists(os.path.join(CORPUS, name + ".overlay")):
                self.assertTrue(path.endswith(".yaml"), f"{name}: an overlay goes with a .yaml base")

    def test_cases(self):
        for name, path in self.cases.items():
            with self.subTest(case=name):
                run, after, text = self.runs[name]
                self.assertNotIn("Traceback", run.stderr)
                expected_path = os.path.join(CORPUS, name + ".expected")
                if UPDATE and text is None:  # patch cases' expected files hold placeholders: edit those by hand
                    with open(expected_path, "w", encoding="utf-8", newline="") as f:
                        f.write(run.stderr)
                    continue
                with open(expected_path, encoding="utf-8", newline="") as f:
                    expected = f.read()
                if text is not None:
                    expected = resolve(expected, text)
                self.assertEqual((run.returncode, run.stdout), (1, ""))
                self.assertEqual(run.stderr, expected)
                self.assertEqual(after, self.good, "a refused spec changed the output directory")


if __name__ == "__main__":
    unittest.main()
