"""Which tables a program links (docs/consuming.md, "Which table a program
links"): the identity a generated check table defines, the references to it
from its text and from an overlay's metadata header, and the guard against
headers of two generations in one translation unit.

The C cases compile x86msr's core (src/core) with the headers of the golden
spec (golden/demo.yaml) or of that spec with an overlay, and link programs
from them the way a Make build would, with the right tables, the wrong ones
or none; they need gcc and are skipped without it.
"""

import glob
import os
import re
import shutil
import subprocess
import tempfile
import textwrap
import unittest

from codegen import naming, output, render

from .support import REPO, build_model, write_file

GOLDEN_SPEC = os.path.join(REPO, "tests", "codegen", "golden", "demo.yaml")
OVERLAY = textwrap.dedent("""\
    vendors:
      nvmm: {description: "A test hypervisor"}
    categories:
      nvmm: {description: "Its registers"}
    msrs:
      - name: NVMM_GUEST_CTL
        address: 0x40002000
        category: nvmm
        access: rw
        vendors: [nvmm]
        description: "Guest control."
        fields:
          - {name: ENABLE, bits: 0, description: "Enabled."}
    """)
SPEC_ID = re.compile(r"\bmsr_spec_id_([0-9a-f]{16})\b")
PROGRAM = textwrap.dedent("""\
    #include <stdio.h>
    #include "x86msr/meta.h"
    int main(void)
    {
        const struct msr_instance *inst = msr_find_by_name("NVMM_GUEST_CTL");
        printf("%s\\n", inst != NULL ? msr_name(inst) : "none");
        return inst == NULL;
    }
    """)


def ids(text):
    return set(SPEC_ID.findall(text))


class Identity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tmp = tempfile.TemporaryDirectory()
        cls.tmp = tmp.name
        cls.addClassCleanup(tmp.cleanup)
        cls.overlay_path = write_file(cls.tmp, "nvmm.yaml", OVERLAY)
        cls.base = render.render(build_model(GOLDEN_SPEC), "demo.yaml")
        cls.overlay = render.render(build_model([GOLDEN_SPEC, cls.overlay_path]), ["demo.yaml", "nvmm.yaml"])

    def test_the_table_defines_it_and_its_text_refers_to_it(self):
        for files in (self.base, self.overlay):
            table, text = files["src/msr_table.c"], files["src/msr_text.c"]
            (digest,) = ids(table)
            self.assertIn(f"const char {naming.spec_id(digest)}[] = ", table)
            self.assertEqual(ids(text), {digest})
            self.assertIn(f".quad {naming.spec_id(digest)}", text)

    def test_a_digest_of_the_table(self):
        (base,) = ids(self.base["src/msr_table.c"])
        (overlay,) = ids(self.overlay["src/msr_table.c"])
        self.assertNotEqual(base, overlay)
        # Text alone (a description) leaves the table and its identity as they were.
        with open(GOLDEN_SPEC, encoding="utf-8") as f:
            spec = f.read()
        reworded = spec.replace('"A read/write register."', '"A read/write register, reworded."', 1)
        self.assertNotEqual(spec, reworded, "the edit must change the spec")
        edited = write_file(self.tmp, "demo.yaml", reworded)
        files = render.render(build_model(edited), "demo.yaml")
        self.assertEqual(files["src/msr_table.c"], self.base["src/msr_table.c"])
        self.assertNotEqual(files["src/msr_text.c"], self.base["src/msr_text.c"])

    def test_only_an_overlay_header_refers_to_it(self):
        (overlay,) = ids(self.overlay["src/msr_table.c"])
        self.assertEqual(ids(self.overlay["include/x86msr/msr_schema.h"]), {overlay})
        for name, text in self.base.items():
            if name.startswith("include/"):
                self.assertEqual(ids(text), set(), f"the base {name} refers to a table")

    def test_every_header_names_its_generation(self):
        base = naming.generation(["demo.yaml"])
        overlay = naming.generation(["demo.yaml", "nvmm.yaml"])
        self.assertNotEqual(base, overlay)
        for files, value in ((self.base, base), (self.overlay, overlay)):
            for name, text in files.items():
                if name.startswith("include/"):
                    self.assertIn(f"#define {naming.GENERATION_MACRO} {value} ", text, name)


@unittest.skipUnless(shutil.which("gcc"), "needs gcc")
class Linking(unittest.TestCase):
    """Programs built from the core, the headers and tables of one generation or another."""

    @classmethod
    def setUpClass(cls):
        tmp = tempfile.TemporaryDirectory()
        cls.tmp = tmp.name
        cls.addClassCleanup(tmp.cleanup)
        overlay = write_file(cls.tmp, "nvmm.yaml", OVERLAY)
        cls.base = os.path.join(cls.tmp, "base")
        cls.over = os.path.join(cls.tmp, "overlay")
        output.write(cls.base, render.render(build_model(GOLDEN_SPEC), "demo.yaml"))
        output.write(cls.over, render.render(build_model([GOLDEN_SPEC, overlay]), ["demo.yaml", "nvmm.yaml"]))
        # libx86msr.a as x86msr's build makes it: the core and the base tables.
        cls.core = []
        for src in sorted(glob.glob(os.path.join(REPO, "src", "core", "*.c"))):
            cls.core.append(cls.compile(src, cls.base))
        cls.lib = os.path.join(cls.tmp, "libx86msr.a")
        objs = cls.core + [cls.compile(os.path.join(cls.base, "src", f), cls.base, "base_")
                           for f in ("msr_table.c", "msr_text.c")]
        subprocess.run(["ar", "rcs", cls.lib, *objs], check=True)
        cls.table = cls.compile(os.path.join(cls.over, "src", "msr_table.c"), cls.over, "overlay_")
        cls.text = cls.compile(os.path.join(cls.over, "src", "msr_text.c"), cls.over, "overlay_")
        cls.main = cls.compile(write_file(cls.tmp, "main.c", PROGRAM), cls.over)

    @classmethod
    def compile(cls, src, generated, prefix=""):
        obj = os.path.join(cls.tmp, prefix + os.path.basename(src) + ".o")
        subprocess.run(["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-ffunction-sections", "-fdata-sections",
                        "-c", "-I" + os.path.join(generated, "include"), "-I" + os.path.join(REPO, "src", "include"),
                        src, "-o", obj], check=True)
        return obj

    def link(self, *objs, gc=True):
        exe = os.path.join(self.tmp, "program")
        if os.path.exists(exe):
            os.unlink(exe)
        flags = ["-Wl,--gc-sections"] if gc else []
        done = subprocess.run(["gcc", *flags, "-o", exe, *objs, self.lib], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        return done.returncode, done.stdout, exe

    def test_with_the_overlay_tables(self):
        for gc in (True, False):
            rc, out, exe = self.link(self.main, self.table, self.text, gc=gc)
            self.assertEqual(rc, 0, out)
            run = subprocess.run([exe], stdout=subprocess.PIPE, text=True)
            self.assertEqual((run.returncode, run.stdout), (0, "NVMM_GUEST_CTL\n"))

    def test_without_them(self):
        """The silent fallback to libx86msr.a's table is a link error, with or without --gc-sections."""
        with open(os.path.join(self.over, "src", "msr_table.c"), encoding="utf-8") as f:
            (digest,) = ids(f.read())
        for gc in (True, False):
            rc, out, _ = self.link(self.main, gc=gc)
            self.assertNotEqual(rc, 0, "a program compiled with the overlay's headers linked with the base table")
            self.assertIn(f"undefined reference to `{naming.spec_id(digest)}'", out)

    def test_overlay_table_with_base_text(self):
        """The overlay's table without its text: the archive's text needs the archive's table,
        whose definitions clash with the overlay's (without the reference the program would
        link and name the overlay's registers from the base pool)."""
        rc, out, _ = self.link(self.main, self.table)
        self.assertNotEqual(rc, 0, "the overlay's table linked with the base text")
        self.assertIn("multiple definition of `msr_spec'", out)

    def test_headers_of_two_generations(self):
        """Base headers first on the include path, then an overlay header: an #error, not a silent mix."""
        src = write_file(self.tmp, "mixed.c", '#include "x86msr/meta.h"\n#include "x86msr/msr_nvmm.h"\n'
                                              "int main(void) { return 0; }\n")
        done = subprocess.run(["gcc", "-std=c11", "-fsyntax-only", "-I" + os.path.join(self.base, "include"),
                               "-I" + os.path.join(REPO, "src", "include"), "-I" + os.path.join(self.over, "include"),
                               src], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("x86msr headers generated from different specs: put the overlay's include directory first",
                      done.stdout)


if __name__ == "__main__":
    unittest.main()
