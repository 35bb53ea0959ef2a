"""The JSON Schema of the spec format (spec/msrs.schema.json, generated from
codegen/schema.py): in sync with the schema, valid draft 2020-12, accepting the
real spec, and refusing every corpus case whose mistake a schema can express
(wrong types, unknown or missing keys, values outside a closed set, bad names)."""

import glob
import os
import re
import unittest

import yaml

from codegen import jsonschema as spec_schema

from .support import REPO

try:
    import jsonschema
except ImportError:  # Debian: python3-jsonschema (.ci/install-deps installs it)
    jsonschema = None

SCHEMA_FILE = os.path.join(REPO, "spec", "msrs.schema.json")
CORPUS = os.path.join(REPO, "tests", "spec_corpus")

# Validator messages for mistakes a JSON Schema can express on its own.
EXPRESSIBLE = re.compile("|".join([
    r"unknown key '", r"missing required key", r"must be an integer, not", r"must be a string, not",
    r"must be a mapping, not", r"must be a list, not", r"must be a list of", r"must be true or false",
    r"must be one of ", r"is not a valid C identifier", r"must not be empty", r"must be upper case",
    r"must give exactly one of 'bit' and 'bits'", r"must hold one of the keys",
    r"must be a name \(C identifier\), not", r"must be a bit number or a",
]))


def json_native(value) -> bool:
    """Whether YAML gave only what JSON has (no dates, bytes, sets): a schema sees
    nothing else, so other cases are not its to judge."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and json_native(v) for k, v in value.items())
    if isinstance(value, list):
        return all(json_native(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def expected_messages(case: str):
    with open(os.path.join(CORPUS, case + ".expected"), encoding="utf-8") as f:
        return [line.split(": ", 1)[1] for line in f.read().splitlines()[:-1] if ": " in line]


class JsonSchema(unittest.TestCase):
    def test_committed_schema_is_current(self):
        with open(SCHEMA_FILE, encoding="utf-8") as f:
            self.assertEqual(f.read(), spec_schema.text(),
                             "regenerate: python3 -m codegen --json-schema spec/msrs.schema.json")

    def test_the_spec_names_its_schema_for_editors(self):
        with open(os.path.join(REPO, "spec", "msrs.yaml"), encoding="utf-8") as f:
            self.assertEqual(f.readline(), "# yaml-language-server: $schema=msrs.schema.json\n")

    @unittest.skipIf(jsonschema is None, "the jsonschema package is not installed (python3-jsonschema)")
    def test_schema_is_valid_and_accepts_the_real_spec(self):
        document = spec_schema.document()
        jsonschema.Draft202012Validator.check_schema(document)
        with open(os.path.join(REPO, "spec", "msrs.yaml"), encoding="utf-8") as f:
            spec = yaml.safe_load(f)
        errors = list(jsonschema.Draft202012Validator(document).iter_errors(spec))
        self.assertEqual([e.message for e in errors], [])

    @unittest.skipIf(jsonschema is None, "the jsonschema package is not installed (python3-jsonschema)")
    def test_expressible_corpus_mistakes_fail_the_schema(self):
        validator = jsonschema.Draft202012Validator(spec_schema.document())
        checked = 0
        for path in sorted(glob.glob(os.path.join(CORPUS, "*.yaml"))):
            case = os.path.splitext(os.path.basename(path))[0]
            messages = expected_messages(case)
            if not messages or not all(EXPRESSIBLE.search(m) for m in messages):
                continue
            try:
                with open(path, encoding="utf-8") as f:
                    instance = yaml.safe_load(f)
            except (yaml.YAMLError, UnicodeDecodeError):
                continue  # YAML-level damage: not a schema matter
            if not json_native(instance):
                continue
            with self.subTest(case):
                checked += 1
                self.assertFalse(validator.is_valid(instance),
                                 f"{case}: the schema accepts it, the generator says {messages}")
        self.assertGreater(checked, 40)


if __name__ == "__main__":
    unittest.main()
