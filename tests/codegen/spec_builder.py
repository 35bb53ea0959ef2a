"""Small specs written by a test: `msr()` makes one register entry, `Build`
builds a model from entries (`build`) or returns the validator's messages
(`errors`)."""

import os
import tempfile
import textwrap
import unittest

from codegen.errors import SpecErrors

from .support import build_model

HEAD = textwrap.dedent("""\
    msrs:
    """)

ONE = textwrap.dedent("""\
      - name: {name}
        address: {address}
        category: perf
        access: rw
        vendors: [{vendor}]
        ref: "test"
    {extra}    description: "A register."
        fields:
    {fields}""")


def msr(name, address, vendor="intel", extra="", fields=None):
    fields = fields or '      - {name: VALUE, bits: "31:0", description: "Value."}\n'
    extra = "".join("    " + line + "\n" for line in extra.splitlines()) if extra else ""
    return ONE.format(name=name, address=address, vendor=vendor, extra=extra, fields=fields)


class Build(unittest.TestCase):
    def build(self, *entries):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        path = os.path.join(tmp.name, "spec.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(HEAD + "".join(entries))
        return build_model(path)

    def errors(self, *entries):
        with self.assertRaises(SpecErrors) as ctx:
            self.build(*entries)
        return [e.message for e in ctx.exception.errors]
