"""The command line shared by the CLI test scripts: `--tool PATH` (or
X86MSR_TOOL) names the x86msr executable under test; the rest goes to unittest."""

import json
import os
import sys
import unittest

SAMPLE_VARIABLE = "X86MSR_TEST_SAMPLE"


def sample(items):
    """`items`, or about N of them spread evenly (first and last kept) when
    X86MSR_TEST_SAMPLE=N: the per-register loops run the tool once per MSR
    (2,000 runs), which under valgrind would take an hour; a spread sample
    still meets every kind of register."""
    items = list(items)
    wanted = int(os.environ.get(SAMPLE_VARIABLE, "0") or 0)
    if wanted <= 0 or len(items) <= wanted:
        return items
    step = (len(items) - 1) / (wanted - 1) if wanted > 1 else len(items)
    return [items[round(i * step)] for i in range(wanted)] if wanted > 1 else items[:1]


ERROR_CODES = {"usage", "unknown_msr", "unknown_field", "unknown_name", "bad_number", "bad_value", "refused",
               "bad_file", "no_driver", "permission", "lockdown", "no_cpu", "fault", "no_vmx", "inconsistent", "io"}


def check_json_error(test, result, code=None):
    """`result` (a failed run with --json) printed exactly one JSON error object on
    stdout, {"error": {"code", "message"}}, whose message is the stderr line's."""
    test.assertNotEqual(result.returncode, 0)
    lines = result.stderr.splitlines()
    test.assertGreaterEqual(len(lines), 1, result.stderr)
    data = json.loads(result.stdout)
    test.assertEqual(list(data), ["error"])
    test.assertEqual(sorted(data["error"]), ["code", "message"])
    test.assertIn(data["error"]["code"], ERROR_CODES)
    if code is not None:
        test.assertEqual(data["error"]["code"], code, result.stderr)
    test.assertEqual("x86msr: " + data["error"]["message"], lines[0])
    return data["error"]


def run_tests(module):
    """Sets `module.TOOL` from --tool or the environment, then runs unittest."""
    argv = list(sys.argv)
    if "--tool" in argv:
        i = argv.index("--tool")
        module.TOOL = argv[i + 1]
        del argv[i:i + 2]
    if not module.TOOL or not os.access(module.TOOL, os.X_OK):
        sys.exit(f"{os.path.basename(argv[0])}: no x86msr executable (got {module.TOOL!r}); "
                 "pass --tool PATH or set X86MSR_TOOL")
    unittest.main(module=module, argv=argv)
