"""Shared helpers for the generator tests: a small valid spec, ways to break it
one mistake at a time, and runners for the in-process API and the real CLI."""

import functools
import os
import subprocess
import sys
import tempfile
import textwrap
from typing import Dict, List, Optional, Tuple

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from codegen import render  # noqa: E402
from codegen.__main__ import build_model  # noqa: E402
from codegen.errors import SpecErrors  # noqa: E402

# In-process runs share one Jinja2 environment, so templates compile once per
# test run instead of once per render (60 ms each); subprocess runs are unaffected.
if not hasattr(render.environment, "cache_info"):
    render.environment = functools.lru_cache(maxsize=None)(render.environment)

REAL_SPEC = os.path.join(REPO, "spec", "msrs.yaml")
SPEC_NAME = "spec.yaml"

# A small spec that passes validation and uses every feature: declared vendors
# and categories, a shared enum, an inline enum, a shared layout, rw/ro/wo
# registers, field access modes, reset values, field vendors, a canonical
# field, presence conditions of every kind (cpuid, msr, family, context,
# any_of, all_of, the array index n), an alias, an array, a vendor-split
# shared address and two VMX control sets, one activated by the other. Tests
# break it with `edit()`; each test shows its mistake.
BASE = textwrap.dedent("""\
    vendors:
      myhv:
        description: "The project's own hypervisor"

    categories:
      test:
        description: "Test registers"
      other:
        description: "Other registers"

    enums:
      memory_type:
        description: "Memory types"
        values:
          - {name: UC, value: 0, description: "Uncacheable"}
          - {name: WB, value: 6, description: "Write back"}

    layouts:
      bank:
        description: "The bank registers"
        fields:
          - {name: VALUE, bits: "15:0", description: "Value."}

    msrs:
      - name: TEST_CTL
        address: 0x10
        category: test
        access: rw
        vendors: [intel, amd]
        aliases: [CTL]
        present_if: {leaf: 0x1, register: ecx, bit: 5}
        description: "A read/write register."
        fields:
          - {name: ENABLE, bits: 0, access: rwo, reset: 0, description: "Enable."}
          - {name: STATUS, bits: 1, access: rw1c, description: "Status."}
          - {name: TYPE, bits: "10:8", enum: memory_type, description: "Memory type."}
          - name: MODE
            bits: "13:12"
            enum:
              - {name: IDLE, value: 0, description: "Idle"}
              - {name: ON_FAST, value: 3, description: "On"}
            description: "Mode."
          - {name: EXTRA, bits: 16, vendors: [amd], present_if: {msr: TEST_CAP, bit: 40}, description: "Extra."}
          - {name: TARGET, bits: "63:20", canonical: true, description: "A linear address."}

      - name: TEST_CAP
        address: 0x11
        category: test
        access: ro
        vendors: [intel]
        present_if:
          any_of:
            - {leaf: 0x7, subleaf: 0, register: ebx, bit: 2}
            - {leaf: 0x80000001, register: edx, bit: 29}
        description: "A read-only capability register."
        fields:
          - {name: ALLOWED0, bits: "31:0", description: "Allowed 0-settings."}
          - {name: ALLOWED1, bits: "63:32", description: "Allowed 1-settings."}

      - name: TEST_CMD
        address: 0x12
        category: other
        access: wo
        vendors: [amd]
        present_if: {family: 0x17, models: [0x31, 0x71]}
        description: "A write-only command register."
        fields:
          - {name: GO, bits: 0, description: "Start."}

      - name: TEST_BANK{n}_CTL
        address: 0x100
        count: 4
        stride: 2
        category: test
        access: rw
        vendors: [intel]
        present_if:
          all_of:
            - {leaf: 0xA, register: eax, bits: "15:8", above: n}
            - {msr: TEST_CAP, bit: n}
        description: "An array of bank controls."
        layout: bank

      - name: INTEL_THING
        address: 0x200
        category: other
        access: rw
        vendors: [intel]
        description: "Intel's register at 0x200."

      - name: AMD_THING
        address: 0x200
        category: other
        access: rw
        vendors: [amd]
        shares_address_with: INTEL_THING
        description: "AMD's different register at 0x200."

      - name: HV_THING
        address: 0x40000010
        category: other
        access: ro
        vendors: [myhv]
        present_if: {context: guest}
        description: "A register of the project's own hypervisor."

    vmx_control_sets:
      - name: pins
        description: "Test controls"
        width: 32
        capability: TEST_CAP
        bits:
          - {bit: 0, name: EXIT_ON_X, description: "Exit on X"}
          - {bit: 3, name: EXIT_ON_Y, description: "Exit on Y"}
      - name: more
        description: "More test controls"
        width: 64
        capability: TEST_CAP
        activated_by: {set: pins, bit: 3}
        bits:
          - {bit: 1, name: EXIT_ON_Z, description: "Exit on Z"}
    """)


def edit(text: str, *replacements: Tuple[str, str]) -> str:
    """`text` with each (old, new) applied; `old` must occur exactly once, so an
    edit can never silently miss after the base spec changes."""
    for old, new in replacements:
        count = text.count(old)
        if count != 1:
            raise AssertionError(f"edit target {old!r} occurs {count} times in the spec")
        text = text.replace(old, new)
    return text


def where(text: str, needle: str, nth: Optional[int] = None) -> Tuple[int, int]:
    """1-based (line, column) of the first character of `needle` in `text`, or
    of the character after a `^` in it (`"address: ^0x12"`); `needle` must occur
    exactly once unless `nth` picks one of several occurrences."""
    caret = max(needle.find("^"), 0)
    needle = needle.replace("^", "", 1)
    count = text.count(needle)
    if nth is None and count != 1:
        raise AssertionError(f"{needle!r} occurs {count} times in the spec; make it unique or pass nth")
    offset = -1
    for _ in range(nth or 1):
        offset = text.find(needle, offset + 1)
        if offset < 0:
            raise AssertionError(f"{needle!r} (occurrence {nth}) not in the spec")
    offset += caret
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def write_file(directory: str, name: str, data) -> str:
    path = os.path.join(directory, name)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as f:
        f.write(data)
    return path


def spec_errors(data) -> List[str]:
    """The errors build_model reports for spec text/bytes, formatted as the CLI
    prints them (`spec.yaml:LINE:COL: message`); [] when the spec is valid."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_file(tmp, SPEC_NAME, data)
        try:
            build_model(path)
        except SpecErrors as exc:
            return [e.format(SPEC_NAME) for e in exc.errors]
    return []


def build(text: str):
    """The model of a valid spec text."""
    with tempfile.TemporaryDirectory() as tmp:
        return build_model(write_file(tmp, SPEC_NAME, text))


@functools.lru_cache(maxsize=None)
def real_model():
    """The model of spec/msrs.yaml, built once per test run (do not mutate: it is frozen)."""
    return build_model(REAL_SPEC)


@functools.lru_cache(maxsize=None)
def real_raw():
    """spec/msrs.yaml as plain YAML data, loaded once per test run (do not mutate)."""
    import yaml
    with open(REAL_SPEC, encoding="utf-8") as f:
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def run_codegen(*args: str, cwd: str = REPO) -> subprocess.CompletedProcess:
    """The real CLI: python3 -m codegen ARGS, from the repo root."""
    env = dict(os.environ, PYTHONPATH=REPO, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "codegen", *args], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)


def snapshot(directory: str) -> Dict[str, Tuple[bytes, int]]:
    """Every file under `directory`: relative path -> (content, mtime_ns)."""
    out = {}
    for root, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, directory)] = (f.read(), os.stat(path).st_mtime_ns)
    return out
