"""What the generator writes and how: golden files, determinism,
write-only-if-changed, --check, the manifest (removal of files no longer
generated), --list-outputs and atomic writes.

Golden files: `golden/demo.yaml` is rendered and compared with the files under
`golden/` (GOLDEN maps each to its output path). After an intended change to
the templates or the model, refresh them and review the diff:

    X86MSR_UPDATE_GOLDEN=1 python3 -m unittest tests.codegen.test_output
    git diff tests/codegen/golden/
"""

import contextlib
import difflib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import unittest
from unittest import mock

from codegen import output, render
from codegen.__main__ import main

from .support import BASE, REPO, build, build_model, edit, run_codegen, snapshot, write_file

GOLDEN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
GOLDEN_SPEC = os.path.join(GOLDEN_DIR, "demo.yaml")
# golden file name -> the output it pins (the self-test is left out: long, and
# checked by compiling and running it in the C test layer)
GOLDEN = {
    "msr_demo.h": "include/x86msr/msr_demo.h",
    "msr_schema.h": "include/x86msr/msr_schema.h",
    "msr_enums.h": "include/x86msr/msr_enums.h",
    "msr_vmx_controls.h": "include/x86msr/msr_vmx_controls.h",
    "msrs.h": "include/x86msr/msrs.h",
    "msr_defs.h": "include/x86msr/msr_defs.h",
    "msr_table.c": "src/msr_table.c",     # the check records' layout, cell by cell
    "msr_text.c": "src/msr_text.c",       # the text pool and its offset tables
}
UPDATE_GOLDEN = os.environ.get("X86MSR_UPDATE_GOLDEN") == "1"


def quiet_main(*args):
    """main(args) in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    return status, out.getvalue(), err.getvalue()


def contents(snap):
    return {name: data for name, (data, _) in snap.items()}


class Golden(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.files = render.render(build_model(GOLDEN_SPEC), "demo.yaml")

    def test_output_names(self):
        self.assertEqual(sorted(self.files), [
            "include/x86msr/msr_defs.h", "include/x86msr/msr_demo.h", "include/x86msr/msr_enums.h",
            "include/x86msr/msr_schema.h", "include/x86msr/msr_vmx_controls.h", "include/x86msr/msrs.h",
            "src/msr_table.c", "src/msr_text.c", "tests/msr_selftest.c"])

    def test_golden_files(self):
        for golden, name in GOLDEN.items():
            with self.subTest(golden=golden):
                path = os.path.join(GOLDEN_DIR, golden)
                if UPDATE_GOLDEN:
                    with open(path, "w", encoding="utf-8", newline="") as f:
                        f.write(self.files[name])
                    continue
                with open(path, encoding="utf-8", newline="") as f:
                    expected = f.read()
                if self.files[name] != expected:
                    diff = list(difflib.unified_diff(expected.splitlines(), self.files[name].splitlines(),
                                                     f"golden/{golden}", name, lineterm=""))
                    self.fail(f"{name} differs from tests/codegen/golden/{golden}; if intended, refresh with "
                              f"X86MSR_UPDATE_GOLDEN=1 (see {__name__} docstring)\n" + "\n".join(diff[:80]))

    def test_golden_spec_features(self):
        """The golden output shows what the real spec may not have yet."""
        text = self.files["include/x86msr/msr_demo.h"]
        for needle in ("#define MSR_DEMO_BANKx_COUNT", "#define MSR_DEMO_BANKx_ADDR(n)       (0x20u + (uint32_t)(n) * 4u)",
                       "#define msr_demo_ctl_modify(clear, set)", "#define msr_demo_bankx_write(n, v)",
                       "MSR_DEMO_CTL_MODE_FAST", "#define MSR_DEMO_CTL_W1C_MASK      0x0000000000000002ull",
                       "#define MSR_DEMO_CTL_TURBO_MASK 0x800ull",
                       "Present if\n * CPUID.(EAX=80000022H):EBX[15:10] > n and family 19H, model 11H/61H.",
                       "enum msr_demo_ctl_mode", "DEMO_HV (0x40000100), ro, demohv", "uint64_t       : 6;"):
            self.assertIn(needle, text)
        for absent, why in (("msr_demo_cap_write", "a read-only MSR must have no write accessor"),
                            ("msr_demo_bankx_read", "a write-only MSR must have no read accessor"),
                            ("MSR_DEMO_CAP_WRITABLE_MASK", "nor a writable mask"),
                            ("MSR_DEMO_CAP_W1C_MASK", "a register without write-1-to-clear fields has no W1C mask"),
                            ("_FIELD", "no per-field descriptor macros: MSR_GET/MSR_SET work from the masks"),
                            ("_SHIFT ", "no per-field shift macros: MSR_SHIFT(REG, FIELD) computes it"),
                            ("#define MSR_DEMO_BANK1", "no per-instance address macros: MSR_DEMO_BANKx_ADDR(1)"),
                            ("rsvd_", "reserved bits are unnamed members"), ("UINT64_C", "literals, not libc macros")):
            self.assertNotIn(absent, text, why)
        self.assertFalse([line for line in text.splitlines() if len(line) > 100], "no line over 100 columns")
        schema_h = self.files["include/x86msr/msr_schema.h"]
        for needle in ("#define MSR_VENDOR_DEMOHV", "MSR_CATEGORY_DEMO ", "MSR_ACCESS_RW1C", "MSR_CONTEXT_GUEST",
                       "MSR_COMPARE_AT_LEAST", "MSR_CONDITION_KIND_ALL_OF", "MSR_CPUID_REG_EDX",
                       "#define MSR_FIELD_F_CANONICAL    (1u << 0)", "#define MSR_FIELD_F_STRICT_ENUM  (1u << 3)"):
            self.assertIn(needle, schema_h)
        table = self.files["src/msr_table.c"]
        for needle in ("MSR_VMX_CTLS_DEMO, 31", "const union msr_cell msr_def_DEMO_BANKx[] = {",
                       "{ .models = { 0x11, 0x61 } }, /* models */", "MSR_VENDOR_DEMOHV",
                       "const struct msr_spec msr_spec = { defs, instances, MSR_COUNT_OF(defs), MSR_COUNT_OF(instances) };"):
            self.assertIn(needle, table)
        records = table[table.index("const union msr_cell"):table.index("static const struct msr_def *const defs")]
        self.assertNotIn('"', records.replace('#include "', ""), "the check records hold no text")

    def test_golden_output_compiles(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        output.write(tmp.name, self.files)
        main_c = write_file(tmp.name, "main.c", '#include "x86msr/msrs.h"\nint main(void) { return 0; }\n')
        flags = ["-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only",
                 "-I" + os.path.join(tmp.name, "include"), "-I" + os.path.join(REPO, "src", "include")]
        ran = 0
        for cc, std, src in (("gcc", "c99", main_c), ("gcc", "c11", os.path.join(tmp.name, "src", "msr_table.c")),
                             ("gcc", "c11", os.path.join(tmp.name, "src", "msr_text.c")),
                             ("clang", "c99", main_c), ("g++", "c++11", main_c)):
            if not shutil.which(cc):
                continue
            with self.subTest(cc=cc, src=os.path.basename(src)):
                lang = ["-x", "c++"] if cc == "g++" else []
                run = subprocess.run([cc, *lang, f"-std={std}", *flags, src], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
                self.assertEqual(run.returncode, 0, run.stdout)
                ran += 1
        if not ran:
            self.skipTest("no C compiler")


class RecordSymbols(unittest.TestCase):
    """Each register definition's check record is one exported object named by
    naming.py (msr_def_<macro stem>), so the clash check covers it; the table's
    own static arrays are distinct, and it compiles."""

    SPEC = textwrap.dedent("""\
        msrs:
          - name: TEST
            address: 0x10
            category: misc
            access: rw
            vendors: [intel]
            aliases: [TEST_ALIAS]
            description: "Its field CTL has a condition, as has the register TEST_CTL."
            present_if: {all_of: [{leaf: 1, register: ecx, bit: 1}, {family: 6, models: [0x55]}]}
            fields:
              - {name: CTL, bits: 0, description: "x", present_if: {any_of: [{context: smm}, {family: 6, models: [1]}]}}
              - {name: MODELS_0, bits: 1, description: "x", present_if: {family: 0xF, models: [2]}}
          - name: TEST_CTL
            address: 0x11
            category: misc
            access: rw
            vendors: [intel]
            description: "x"
            present_if: {family: 6, models: [0x55, 0x56]}
          - name: TEST_MODELS_0
            address: 0x12
            category: misc
            access: rw
            vendors: [intel]
            description: "x"
            present_if: {leaf: 1, register: ecx, bit: 3}
          - name: A{n}
            address: 0x20
            count: 2
            category: misc
            access: rw
            aliases: ["B{n}"]
            vendors: [intel]
            description: "x"
          - name: AX_0
            address: 0x30
            category: misc
            access: rw
            aliases: [C]
            vendors: [intel]
            description: "x"
        """)

    def test_distinct_and_compiling(self):
        files = render.render(build(self.SPEC), "spec.yaml")
        table = files["src/msr_table.c"]
        statics = re.findall(r"^static const [^=]*?\b(\w+)\[\] =", table, re.M)
        self.assertEqual(len(statics), len(set(statics)), sorted(n for n in statics if statics.count(n) > 1))
        records = re.findall(r"^const union msr_cell (\w+)\[\] =", table, re.M)
        self.assertEqual(records, ["msr_def_TEST", "msr_def_TEST_CTL", "msr_def_TEST_MODELS_0", "msr_def_Ax",
                                   "msr_def_AX_0"])
        cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
        if not cc:
            self.skipTest("no C compiler")
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        output.write(tmp.name, files)
        run = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only",
                              "-I" + os.path.join(tmp.name, "include"), "-I" + os.path.join(REPO, "src", "include"),
                              os.path.join(tmp.name, "src", "msr_table.c"), os.path.join(tmp.name, "src", "msr_text.c")],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(run.returncode, 0, run.stdout)


class OutputDirTestCase(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        self.out = os.path.join(tmp.name, "out")
        self.spec = write_file(tmp.name, "spec.yaml", BASE)

    def generate(self, spec_text=None, *extra):
        if spec_text is not None:
            write_file(self.tmp, "spec.yaml", spec_text)
        return quiet_main("--spec", self.spec, "--out", self.out, *extra)

    def age(self):
        """Put every output's mtime an hour back, so a rewrite cannot hide in the clock's resolution."""
        for name in snapshot(self.out):
            path = os.path.join(self.out, name)
            st = os.stat(path)
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 3600 * 10 ** 9))
        return snapshot(self.out)

    def tmp_files(self):
        return [os.path.join(root, n) for root, _, names in os.walk(self.out) for n in names if n.startswith(".tmp-")]


class Determinism(OutputDirTestCase):
    def test_render_twice(self):
        model = build(BASE)
        self.assertEqual(render.render(model, "spec.yaml"), render.render(build(BASE), "spec.yaml"))

    def test_template_cache(self):
        """Templates compiled into a cache directory render the same text, the
        first time (compiled and stored) and the next (loaded from the cache);
        an entry that does not match is compiled again."""
        model = build(BASE)
        expected = render.render(model, "spec.yaml")
        with tempfile.TemporaryDirectory() as cache:
            self.assertEqual(render.render(model, "spec.yaml", cache), expected)
            entries = sorted(os.listdir(cache))
            self.assertTrue(entries and all(e.startswith("x86msr-") for e in entries), entries)
            self.assertEqual(render.render(model, "spec.yaml", cache), expected)
            for entry in entries:  # stale or damaged entries: compiled again, not trusted
                with open(os.path.join(cache, entry), "wb") as f:
                    f.write(b"not a compiled template")
            self.assertEqual(render.render(model, "spec.yaml", cache), expected)

    def test_independent_of_hash_seed(self):
        """A subprocess with a fixed hash seed writes what this process (random seed) renders."""
        env = dict(os.environ, PYTHONHASHSEED="4242", PYTHONPATH=REPO, PYTHONDONTWRITEBYTECODE="1")
        run = subprocess.run([sys.executable, "-m", "codegen", "--spec", self.spec, "--out", self.out, "--quiet"],
                             cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual((run.returncode, run.stdout, run.stderr), (0, "", ""))
        written = contents(snapshot(self.out))
        written.pop(output.MANIFEST)
        self.assertEqual(written, {n: t.encode("utf-8") for n, t in render.render(build(BASE), "spec.yaml").items()})


class WriteIfChanged(OutputDirTestCase):
    def test_first_run_writes_everything(self):
        status, out, err = self.generate()
        self.assertEqual((status, err), (0, ""))
        self.assertEqual(out, f"codegen: 7 MSRs, 10 fields; 11 of 11 files updated in {self.out}\n")
        files = render.render(build(BASE), "spec.yaml")
        written = contents(snapshot(self.out))
        self.assertEqual(sorted(written), sorted(list(files) + [output.MANIFEST]))
        for name, text in files.items():
            self.assertEqual(written[name], text.encode("utf-8"), name)

    def test_second_run_rewrites_nothing(self):
        self.generate()
        before = self.age()
        status, out, _ = self.generate()
        self.assertEqual(status, 0)
        self.assertIn("; 0 of 11 files updated", out)
        self.assertEqual(snapshot(self.out), before)  # contents and mtimes
        self.assertEqual(output.write(self.out, render.render(build(BASE), "spec.yaml")), [])

    def test_only_changed_files_are_rewritten(self):
        self.generate()
        before = self.age()
        self.generate(edit(BASE, ('"A read/write register."', '"A read/write register, reworded."')))
        after = snapshot(self.out)
        rewritten = sorted(n for n in after if after[n][1] != before[n][1])
        self.assertEqual(rewritten, ["include/x86msr/msr_test.h", "src/msr_text.c"])  # text, not checks
        self.assertEqual(rewritten, sorted(n for n in after if after[n][0] != before[n][0]))

    def test_quiet(self):
        self.assertEqual(self.generate(None, "--quiet"), (0, "", ""))


class Check(OutputDirTestCase):
    def setUp(self):
        super().setUp()
        self.generate()

    def check(self):
        return quiet_main("--spec", self.spec, "--out", self.out, "--check")

    def stale_lines(self, *names):
        return "".join(f"{os.path.join(self.out, n)}: out of date\n" for n in names) + \
            f"regenerate: python3 -m codegen --spec {self.spec} --out {self.out}\n"

    def test_in_sync(self):
        self.assertEqual(self.check(), (0, "", ""))

    def test_edited_file(self):
        path = os.path.join(self.out, "include/x86msr/msr_test.h")
        with open(path, "a", encoding="utf-8") as f:
            f.write("/* local edit */\n")
        before = snapshot(self.out)
        self.assertEqual(self.check(), (1, "", self.stale_lines("include/x86msr/msr_test.h")))
        self.assertEqual(snapshot(self.out), before, "--check must not write")

    def test_missing_files(self):
        os.unlink(os.path.join(self.out, "src/msr_table.c"))
        os.unlink(os.path.join(self.out, output.MANIFEST))
        self.assertEqual(self.check(), (1, "", self.stale_lines(output.MANIFEST, "src/msr_table.c")))

    def test_spec_changed(self):
        write_file(self.tmp, "spec.yaml", edit(BASE, ("address: 0x12", "address: 0x13")))
        # (the text names its table's identity, a digest of the table: it changes with it)
        self.assertEqual(self.check(), (1, "", self.stale_lines("include/x86msr/msr_other.h", "src/msr_table.c",
                                                                 "src/msr_text.c")))

    def test_leftover_file(self):
        write_file(self.tmp, "spec.yaml", BASE.replace("category: other", "category: test"))  # no msr_other.h
        status, _, err = self.check()
        self.assertEqual(status, 1)
        self.assertIn(f"{os.path.join(self.out, 'include/x86msr/msr_other.h (no longer generated)')}: out of date\n",
                      err)

    def test_empty_directory(self):
        shutil.rmtree(self.out)
        status, _, err = self.check()
        self.assertEqual(status, 1)
        self.assertEqual(err.count(": out of date\n"), 11)
        self.assertFalse(os.path.exists(self.out), "--check must not create the output directory")

    def test_real_cli(self):
        os.unlink(os.path.join(self.out, "include/x86msr/msrs.h"))
        run = run_codegen("--spec", self.spec, "--out", self.out, "--check")
        self.assertEqual((run.returncode, run.stdout, run.stderr), (1, "", self.stale_lines("include/x86msr/msrs.h")))


class Manifest(OutputDirTestCase):
    def test_lists_generated_files(self):
        self.generate()
        with open(os.path.join(self.out, output.MANIFEST), encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertTrue(lines[0].startswith("# "))
        self.assertEqual(lines[1:], sorted(render.render(build(BASE), "spec.yaml")))

    def test_removes_files_no_longer_generated(self):
        self.generate()
        notes = write_file(os.path.join(self.out, "include/x86msr"), "my_notes.h", "/* mine */\n")
        changed = output.write(self.out, render.render(build(BASE.replace("category: other", "category: test")),
                                                       "spec.yaml"))
        self.assertEqual(changed, ["include/x86msr/msr_test.h", "include/x86msr/msrs.h", "src/msr_table.c",
                                   "src/msr_text.c", "tests/msr_selftest.c", "include/x86msr/msr_other.h",
                                   output.MANIFEST])
        self.assertFalse(os.path.exists(os.path.join(self.out, "include/x86msr/msr_other.h")))
        self.assertTrue(os.path.exists(notes), "a file the generator did not write must be left alone")
        with open(os.path.join(self.out, output.MANIFEST), encoding="utf-8") as f:
            self.assertNotIn("include/x86msr/msr_other.h", f.read())
        write_file(self.tmp, "spec.yaml", BASE.replace("category: other", "category: test"))
        self.assertEqual(quiet_main("--spec", self.spec, "--out", self.out, "--check"), (0, "", ""))


class ListOutputs(OutputDirTestCase):
    def test_lists_without_writing(self):
        run = run_codegen("--spec", self.spec, "--out", self.out, "--list-outputs")
        self.assertEqual((run.returncode, run.stderr), (0, ""))
        expected = [os.path.join(self.out, n) for n in sorted(render.render(build(BASE), "spec.yaml"))]
        self.assertEqual(run.stdout.splitlines(), expected)
        self.assertFalse(os.path.exists(self.out))

    def test_bad_spec(self):
        status, out, err = self.generate(edit(BASE, ("address: 0x12", "address: x")), "--list-outputs")
        self.assertEqual((status, out), (1, ""))
        self.assertIn("'address' of MSR TEST_CMD must be an integer", err)


class AtomicWrites(OutputDirTestCase):
    def setUp(self):
        super().setUp()
        self.generate()
        self.old = contents(snapshot(self.out))
        # Renamed spec: every rendered file names it, so every file (not the manifest) changes.
        self.new_files = render.render(build(BASE), "renamed.yaml")
        self.new = {n: t.encode("utf-8") for n, t in self.new_files.items()}
        self.assertTrue(all(self.new[n] != self.old[n] for n in self.new))

    def assertWholeFiles(self):
        """Every output is exactly its old or its new content; returns the names now new."""
        now = contents(snapshot(self.out))
        self.assertEqual(sorted(now), sorted(self.old))
        for name, data in now.items():
            self.assertIn(data, (self.old[name], self.new.get(name, self.old[name])), f"{name} is partial")
        return sorted(n for n in now if n in self.new and now[n] == self.new[n])

    def test_no_temp_files_left(self):
        self.assertEqual(self.tmp_files(), [])
        for name in self.old:
            self.assertEqual(os.stat(os.path.join(self.out, name)).st_mode & 0o777, 0o644, name)

    def test_failure_mid_run(self):
        for exc in (OSError(28, "No space left on device"), KeyboardInterrupt()):
            with self.subTest(exc=type(exc).__name__):
                real_replace, calls = os.replace, []

                def replace(src, dst):
                    calls.append(dst)
                    if len(calls) == 3:
                        raise exc
                    real_replace(src, dst)

                with mock.patch.object(output.os, "replace", replace):
                    with self.assertRaises(type(exc)):
                        output.write(self.out, self.new_files)
                self.assertEqual(self.tmp_files(), [])
                self.assertEqual(self.assertWholeFiles(), sorted(self.new)[:2])
                # The next run finishes the job.
                output.write(self.out, self.new_files)
                self.assertEqual(self.assertWholeFiles(), sorted(self.new))
                output.write(self.out, render.render(build(BASE), "spec.yaml"))  # back to the old output

    def test_killed_mid_run(self):
        """SIGKILL on the third rename: no output is truncated; a rerun repairs the tree."""
        script = ("import os, signal, sys\n"
                  "calls = []\n"
                  "real = os.replace\n"
                  "def replace(src, dst):\n"
                  "    calls.append(dst)\n"
                  "    if len(calls) == 3:\n"
                  "        os.kill(os.getpid(), signal.SIGKILL)\n"
                  "    real(src, dst)\n"
                  "os.replace = replace\n"
                  "from codegen.__main__ import main\n"
                  "sys.exit(main(sys.argv[1:]))\n")
        renamed = write_file(self.tmp, "renamed.yaml", BASE)
        env = dict(os.environ, PYTHONPATH=REPO, PYTHONDONTWRITEBYTECODE="1")
        run = subprocess.run([sys.executable, "-c", script, "--spec", renamed, "--out", self.out], cwd=REPO,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(run.returncode, -signal.SIGKILL)
        orphans = self.tmp_files()
        self.assertLessEqual(len(orphans), 1, "at most the temp file being renamed is left behind")
        for orphan in orphans:
            os.unlink(orphan)
        self.assertEqual(self.assertWholeFiles(), sorted(self.new)[:2])
        status, _, _ = quiet_main("--spec", renamed, "--out", self.out)
        self.assertEqual(status, 0)
        self.assertEqual(self.assertWholeFiles(), sorted(self.new))
        self.assertEqual(quiet_main("--spec", renamed, "--out", self.out, "--check"), (0, "", ""))


if __name__ == "__main__":
    unittest.main()
