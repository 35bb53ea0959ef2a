"""The command line shared by the CLI test scripts: `--tool PATH` (or
X86MSR_TOOL) names the x86msr executable under test; the rest goes to unittest."""

import os
import sys
import unittest


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
