"""What the register reference must show, computed here from the spec's model
independently of the renderer (codegen/docs.py): the registers, and for each
bit diagram the boxes it must have.

A diagram is 32 bits wide when every field lies in bits 31:0, else 64, drawn
as rows of 32 bits; each field is one box per row it reaches, each maximal run
of bits no field covers (within a row) one greyed box.
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from codegen.__main__ import build_model  # noqa: E402


def load(spec_paths):
    return build_model(spec_paths)


def width(msr):
    return 32 if msr.fields and max(f.msb for f in msr.fields) < 32 else 64


def boxes(msr):
    """(field boxes as sorted (name, 'msb:lsb' or 'bit') pairs, reserved boxes as sorted bit strings)."""
    def bits(msb, lsb):
        return str(msb) if msb == lsb else f"{msb}:{lsb}"

    fields, reserved = [], []
    for hi in range(width(msr) - 1, -1, -32):
        lo = hi - 31
        covered = set()
        for f in msr.fields:
            top, bottom = min(f.msb, hi), max(f.lsb, lo)
            if top >= bottom:
                fields.append((f.name, bits(top, bottom)))
                covered.update(range(bottom, top + 1))
        run = None
        for b in range(hi, lo - 1, -1):
            if b not in covered:
                run = (run[0], b) if run else (b, b)
            elif run:
                reserved.append(bits(*run))
                run = None
        if run:
            reserved.append(bits(*run))
    return sorted(fields), sorted(reserved)
