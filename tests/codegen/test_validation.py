"""Every spec mistake the generator must refuse, with its exact message.

Each test breaks the small valid spec `support.BASE` in one place (the edit is
the test's mistake) and asserts the complete list of errors, each formatted as
the CLI prints it: `spec.yaml:LINE:COL: message`, LINE:COL being where the
mistake's text sits in the broken spec. The same broken spec is also run through
`codegen.__main__.main` (the CLI's entry point, in-process): it must exit 1,
print exactly those lines plus the summary, and leave an output directory that
a good run filled byte-for-byte unchanged. A few end-to-end tests drive the real
`python3 -m codegen` in a subprocess.
"""

import contextlib
import io
import os
import shutil
import sys
import tempfile
import textwrap
import unittest

from codegen import schema
from codegen.__main__ import build_model, main
from codegen.errors import SpecErrors
from codegen.validate import ARRAY_COUNT_LIMIT

from .support import (BASE, REAL_SPEC, REPO, SPEC_NAME, build, edit, run_codegen, snapshot, spec_errors, where,
                      write_file)


def allowed(kind: str) -> str:
    return ", ".join(k.name for k in schema.RECORDS[kind])


GOOD = {}  # one good run of BASE per test run: its spec, output directory and snapshot


def setUpModule():
    tmp = tempfile.TemporaryDirectory()
    unittest.addModuleCleanup(tmp.cleanup)
    GOOD["dir"] = tmp.name
    GOOD["spec"] = write_file(tmp.name, "good.yaml", BASE)
    GOOD["out"] = os.path.join(tmp.name, "out")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["--spec", GOOD["spec"], "--out", GOOD["out"]]) == 0
    GOOD["snapshot"] = snapshot(GOOD["out"])


class SpecErrorTestCase(unittest.TestCase):
    """Runs each broken spec twice: build_model (the API) and main() (the CLI)."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.out, self.before = GOOD["out"], GOOD["snapshot"]

    def assertErrors(self, spec, *expected):
        """`expected`: (needle, message) or (needle, nth, message) per error, in
        the order reported; the position is that of the nth `needle`."""
        text = spec if isinstance(spec, str) else spec.decode("utf-8", "replace")
        lines = []
        for item in expected:
            needle, nth, message = item if len(item) == 3 else (item[0], None, item[1])
            line, col = where(text, needle, nth) if needle is not None else (1, 1)
            lines.append(f"{SPEC_NAME}:{line}:{col}: {message}")
        self.assertEqual(spec_errors(spec), lines)

        path = write_file(self.tmp.name, SPEC_NAME, spec)
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = main(["--spec", path, "--out", self.out])
        self.assertEqual(status, 1)
        self.assertEqual(stdout.getvalue(), "")
        self.assertEqual(stderr.getvalue().splitlines(),
                         [path + line[len(SPEC_NAME):] for line in lines]
                         + [f"{path}: {len(lines)} error(s); nothing was written"])
        self.assertEqual(snapshot(self.out), self.before, "a failed run changed the output directory")

    def assertError(self, spec, at, message, nth=None):
        self.assertErrors(spec, (at, nth, message))


class YamlLevel(SpecErrorTestCase):
    def test_base_spec_is_valid(self):
        self.assertEqual(spec_errors(BASE), [])

    def test_syntax_error(self):
        spec = edit(BASE, ("address: 0x12", "address: 0x12: 3"))
        self.assertError(spec, "0x12^: 3", "YAML syntax error: mapping values are not allowed here")

    def test_unclosed_flow_sequence(self):
        spec = edit(BASE, ("vendors: [amd]\n    present_if: {family", "vendors: [amd\n    present_if: {family"))
        self.assertError(spec, "present_if^: {family",
                         "YAML syntax error: while parsing a flow sequence: expected ',' or ']', but got ':'")

    def test_tab_indentation(self):
        spec = edit(BASE, ("    category: other\n    access: wo", "    category: other\n\taccess: wo"))
        self.assertError(spec, "\taccess", "YAML syntax error: while scanning for the next token: "
                                           "found character '\\t' that cannot start any token")

    def test_duplicate_key(self):
        spec = edit(BASE, ("    address: 0x12\n", "    address: 0x12\n    address: 0x13\n"))
        line, _ = where(spec, "address: 0x12")
        self.assertError(spec, "address: 0x13",
                         f"duplicate key 'address' (first at line {line}); YAML would keep only the last")

    def test_merge_key(self):
        spec = edit(BASE, ("  - name: TEST_CMD\n", "  - name: TEST_CMD\n    <<: {ref: x}\n"))
        self.assertError(spec, "<<", "YAML merge keys ('<<') are not supported; write the keys out")

    def test_non_string_key(self):
        spec = edit(BASE, ("  - name: TEST_CMD\n", "  - name: TEST_CMD\n    3: x\n"))
        self.assertError(spec, "3: x", "a key must be a string, not integer 3")

    def test_empty_file(self):
        self.assertError("", None, "the spec is empty: expected a mapping with the key 'msrs'")

    def test_only_comments(self):
        self.assertError("# nothing here\n", None, "the spec is empty: expected a mapping with the key 'msrs'")

    def test_file_is_a_list(self):
        self.assertError("- name: IA32_EFER\n- name: IA32_PAT\n", None, "the spec must be a mapping, not a list")

    def test_file_is_a_scalar(self):
        self.assertError("IA32_EFER\n", None, "the spec must be a mapping, not string 'IA32_EFER'")

    def test_invalid_utf8(self):
        spec = BASE.encode().replace(b"A write-only", b"A \xff write-only")
        self.assertError(spec, "\ufffd", "the file is not valid UTF-8")

    def test_control_character(self):
        spec = edit(BASE, ('"Start."', '"St\x00art."'))
        self.assertError(spec, "\x00", "YAML syntax error: character U+0000 is not allowed")

    def test_nesting_too_deep(self):
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(400)  # what 1000 levels do under the default limit, 20 times faster
        try:
            self.assertError("msrs: " + "[" * 300 + "]" * 300 + "\n", None, "YAML nesting is too deep")
        finally:
            sys.setrecursionlimit(limit)

    def test_impossible_date(self):  # YAML 1.1 reads 2001-13-45 as a timestamp
        spec = edit(BASE, ('description: "Start."', "description: 2001-13-45"))
        self.assertError(spec, "2001-13-45", "bad value: month must be in 1..12")

    def test_unknown_tag(self):
        spec = edit(BASE, ('description: "Start."', "description: !shell ls"))
        self.assertError(spec, "!shell", "bad value: could not determine a constructor for the tag '!shell'")

    def test_byte_order_mark_is_fine(self):
        self.assertEqual(spec_errors("\ufeff" + BASE), [])


class Keys(SpecErrorTestCase):
    def test_unknown_key_lists_allowed_keys(self):
        spec = edit(BASE, ("    address: 0x12\n", "    address: 0x12\n    adress: 0x13\n"))
        self.assertError(spec, "adress", f"unknown key 'adress' in MSR TEST_CMD; allowed keys: {allowed('msr')}")
        self.assertIn("allowed keys: name, address, category, access, description", spec_errors(spec)[0])

    def test_unknown_key_in_field(self):
        spec = edit(BASE, ('{name: GO, bits: 0,', '{name: GO, bit: 0, bits: 0,'))
        self.assertError(spec, "{name: GO, ^bit: 0", f"unknown key 'bit' in field GO of MSR TEST_CMD; "
                                         f"allowed keys: {allowed('field')}")

    def test_unknown_top_level_key(self):
        spec = edit(BASE, ("msrs:\n", "registers: []\nmsrs:\n"))
        self.assertError(spec, "registers: []", f"unknown key 'registers' in the spec; allowed keys: "
                                                f"{allowed('top')}")

    def test_missing_required_key(self):
        spec = edit(BASE, ("    address: 0x12\n", ""))
        self.assertError(spec, "name: TEST_CMD", "MSR TEST_CMD: missing required key 'address'")

    def test_missing_field_description(self):
        spec = edit(BASE, ('{name: GO, bits: 0, description: "Start."}', "{name: GO, bits: 0}"))
        self.assertError(spec, "{name: GO", "field GO of MSR TEST_CMD: missing required key 'description'")

    def test_missing_msrs(self):
        self.assertError("enums: {}\n", None, "the spec: missing required key 'msrs'")

    def test_no_msrs(self):
        self.assertError("msrs: []\n", "[]", "'msrs' is empty: the spec describes no register")


class Types(SpecErrorTestCase):
    def test_string_address(self):
        spec = edit(BASE, ("address: 0x12", 'address: "0x12"'))
        self.assertError(spec, '"0x12"', "'address' of MSR TEST_CMD must be an integer, not string '0x12'")

    def test_float_address(self):
        spec = edit(BASE, ("address: 0x12", "address: 18.5"))
        self.assertError(spec, "18.5", "'address' of MSR TEST_CMD must be an integer, not number 18.5")

    def test_bool_address(self):
        spec = edit(BASE, ("address: 0x12", "address: on"))
        self.assertError(spec, "on\n", "'address' of MSR TEST_CMD must be an integer, not boolean true")

    def test_list_for_bits(self):
        spec = edit(BASE, ("{name: GO, bits: 0,", "{name: GO, bits: [0],"))
        self.assertError(spec, "[0]", "'bits' of field GO of MSR TEST_CMD must be a bit number or a "
                                      "\"msb:lsb\" string, not a list")

    def test_float_for_bits(self):
        spec = edit(BASE, ("{name: GO, bits: 0,", "{name: GO, bits: 1.5,"))
        self.assertError(spec, "1.5", "'bits' of field GO of MSR TEST_CMD must be a bit number or a "
                                      "\"msb:lsb\" string, not number 1.5")

    def test_null_field(self):
        spec = edit(BASE, ('      - {name: GO, bits: 0, description: "Start."}', "      - null"))
        self.assertError(spec, "null", "a field of MSR TEST_CMD must be a mapping, not null")

    def test_null_value(self):
        spec = edit(BASE, ('description: "Start."', "description: null"))
        self.assertError(spec, "null", "'description' of field GO of MSR TEST_CMD must be a string, "
                                       "not null (quote it)")

    def test_empty_string(self):
        spec = edit(BASE, ('description: "Start."', 'description: " "'))
        self.assertError(spec, '" "', "'description' of field GO of MSR TEST_CMD must not be empty")

    def test_yes_as_field_name(self):
        spec = edit(BASE, ("{name: GO,", "{name: yes,"))
        self.assertError(spec, "yes", "'name' of a field of MSR TEST_CMD must be a name (C identifier), "
                                      "not boolean true (quote it)")

    def test_on_as_msr_name(self):
        spec = edit(BASE, ("name: TEST_CMD", "name: ON"))
        self.assertError(spec, "name: ^ON\n", "'name' of an MSR must be a name, not boolean true (quote it)")

    def test_off_as_enum_value_name(self):
        spec = edit(BASE, ("{name: IDLE,", "{name: OFF,"))
        self.assertError(spec, "OFF", "'name' of a value of the enum of field MODE of MSR TEST_CTL must be "
                                      "a name (C identifier), not boolean false (quote it)")

    CMD_VENDORS = "vendors: [amd]\n    present_if: {family"

    def test_vendors_not_a_list(self):
        spec = edit(BASE, (self.CMD_VENDORS, "vendors: amd\n    present_if: {family"))
        self.assertError(spec, "vendors: ^amd\n", "'vendors' of MSR TEST_CMD must be a list of vendor names, "
                                                  "not string 'amd'")

    def test_unknown_vendor(self):
        spec = edit(BASE, (self.CMD_VENDORS, "vendors: [arm]\n    present_if: {family"))
        self.assertError(spec, "arm]", "'vendors' of MSR TEST_CMD: unknown vendor 'arm' (vendors: amd, "
                                       "hyperv, intel, kvm, myhv, xen; declare others under the top-level key "
                                       "'vendors')")

    def test_no_vendor(self):
        spec = edit(BASE, (self.CMD_VENDORS, "vendors: []\n    present_if: {family"))
        self.assertError(spec, "vendors: ^[]", "'vendors' of MSR TEST_CMD must name at least one vendor")

    def test_integer_alias(self):
        spec = edit(BASE, ("aliases: [CTL]", "aliases: [3]"))
        self.assertError(spec, "3]", "an entry of 'aliases' of MSR TEST_CTL must be a string, not integer 3 (quote it)")

    def test_fields_not_a_list(self):
        spec = edit(BASE, ('    fields:\n      - {name: GO, bits: 0, description: "Start."}', "    fields: {GO: 0}"))
        self.assertError(spec, "{GO: 0}", "'fields' of MSR TEST_CMD must be a list, not a mapping")

    def test_msr_not_a_mapping(self):
        spec = edit(BASE, ("  - name: TEST_CMD\n", "  - 42\n  - name: TEST_CMD\n"))
        self.assertError(spec, "42", "an MSR must be a mapping, not integer 42")

    def test_msrs_not_a_list(self):
        self.assertError("msrs: 3\n", "3", "'msrs' of the spec must be a list, not integer 3")

    def test_enum_reference_not_a_name(self):
        spec = edit(BASE, ("enum: memory_type", "enum: 3"))
        self.assertError(spec, "3, description: \"Memory type.",
                         "'enum' of field TYPE of MSR TEST_CTL must name a shared enum or list values, not integer 3")

    def test_string_stride(self):  # a present optional key with a wrong type drops the MSR (no traceback)
        spec = edit(BASE, ("stride: 2", "stride: two"))
        self.assertError(spec, "two", "'stride' of MSR TEST_BANK{n}_CTL must be an integer, not string 'two'")

    def test_null_stride(self):
        spec = edit(BASE, ("stride: 2", "stride: ~"))
        self.assertError(spec, "~", "'stride' of MSR TEST_BANK{n}_CTL must be an integer, not null")


class Names(SpecErrorTestCase):
    def test_duplicate_msr_name(self):
        spec = edit(BASE, ("name: TEST_CMD", "name: TEST_CAP"))
        line, _ = where(spec, "- name: TEST_CAP", nth=1)
        self.assertError(spec, "- name: ^TEST_CAP", f"duplicate MSR name TEST_CAP (first at line {line})", nth=2)

    def test_alias_duplicates_an_msr_name(self):
        spec = edit(BASE, ("aliases: [CTL]", "aliases: [TEST_CMD]"))
        line, _ = where(spec, "- name: TEST_CTL")
        self.assertError(spec, "TEST_CMD", f"duplicate MSR name TEST_CMD (first at line {line})", nth=2)

    def test_alias_duplicates_an_array_instance(self):
        spec = edit(BASE, ("aliases: [CTL]", "aliases: [TEST_BANK0_CTL]"))
        line, _ = where(spec, "- name: TEST_CTL")
        self.assertError(spec, "TEST_BANK{n}_CTL", f"duplicate MSR name TEST_BANK0_CTL (first at line {line})")

    def test_alias_is_its_own_name(self):
        spec = edit(BASE, ("aliases: [CTL]", "aliases: [TEST_CTL]"))
        self.assertError(spec, "[^TEST_CTL]", "alias 'TEST_CTL' of MSR TEST_CTL is its own name")

    def test_array_alias_needs_the_placeholder(self):
        spec = edit(BASE, ("count: 4\n", "count: 4\n    aliases: [BANK_CTL]\n"))
        self.assertError(spec, "BANK_CTL]", "alias 'BANK_CTL' of array MSR TEST_BANK{n}_CTL lacks the index "
                                            "placeholder {n}")

    def test_placeholder_alias_of_a_plain_msr(self):
        spec = edit(BASE, ("aliases: [CTL]", 'aliases: ["CTL{n}"]'))
        self.assertError(spec, '"CTL{n}"', "alias 'CTL{n}' of MSR TEST_CTL holds {n} but the MSR is not an array")

    def test_array_alias_instances_collide_with_a_name(self):
        spec = edit(BASE, ("count: 4\n", 'count: 4\n    aliases: ["TEST_CM{n}"]\n'),
                    ("name: TEST_CMD", "name: TEST_CM2"))
        line, _ = where(spec, "- name: TEST_CM2")
        self.assertError(spec, '"TEST_CM{n}"', f"duplicate MSR name TEST_CM2 (first at line {line})")

    def test_duplicate_field_name(self):
        spec = edit(BASE, ("{name: STATUS, bits: 1,", "{name: ENABLE, bits: 1,"))
        line, _ = where(spec, "{name: ENABLE", nth=1)
        self.assertError(spec, "{name: ENABLE", f"duplicate field name in MSR TEST_CTL 'ENABLE' (first at line {line})",
                         nth=2)

    def test_invalid_identifier(self):
        spec = edit(BASE, ("{name: GO,", "{name: G-O,"))
        self.assertError(spec, "G-O", "'name' of field G-O of MSR TEST_CMD: 'G-O' is not a valid C identifier")

    def test_identifier_starting_with_a_digit(self):
        spec = edit(BASE, ("category: other\n    access: wo", "category: 2nd\n    access: wo"))
        self.assertError(spec, "2nd", "'category' of MSR TEST_CMD: '2nd' is not a valid C identifier")

    def test_c_keyword(self):
        spec = edit(BASE, ("{name: GO,", "{name: int,"))
        self.assertError(spec, "int,", "'name' of field int of MSR TEST_CMD: 'int' is a C or C++ keyword ('int')")

    def test_cxx_keyword_after_lower_casing(self):
        spec = edit(BASE, ("{name: GO,", "{name: NEW,"))
        self.assertError(spec, "NEW", "'name' of field NEW of MSR TEST_CMD: 'NEW' is a C or C++ keyword ('new')")

    def test_keyword_as_enum_name(self):
        spec = edit(BASE, ("  memory_type:\n", "  memory_type:\n    description: x\n    values: [{name: A, value: 0}]\n"
                                               "  class:\n"))
        self.assertError(spec, "class", "enum name: 'class' is a C or C++ keyword ('class')")

    def test_keyword_as_alias(self):
        spec = edit(BASE, ("aliases: [CTL]", "aliases: [auto]"))
        self.assertError(spec, "auto", "alias of MSR TEST_CTL: 'auto' is a C or C++ keyword ('auto')")

    def test_reserved_member_raw(self):
        spec = edit(BASE, ("{name: GO,", "{name: RAW,"))
        self.assertError(spec, "RAW", "field RAW of MSR TEST_CMD: the name 'RAW' is reserved for the generated union")

    def test_field_named_like_a_reserved_run(self):  # reserved runs are unnamed members: any name is free
        self.assertEqual(build(edit(BASE, ("{name: GO,", "{name: RSVD_3,"))).msr("TEST_CMD").fields[0].names.member,
                         "rsvd_3")

    def test_non_ascii_msr_name(self):
        spec = edit(BASE, ("name: TEST_CMD", "name: TEST_CMDÄ"))
        self.assertError(spec, "TEST_CMDÄ", "'name' of MSR TEST_CMDÄ: 'TEST_CMDÄ' is not a valid C identifier")

    def test_non_ascii_field_name(self):
        spec = edit(BASE, ("{name: GO,", "{name: GÖ,"))
        self.assertError(spec, "GÖ", "'name' of field GÖ of MSR TEST_CMD: 'GÖ' is not a valid C identifier")

    def test_placeholder_twice(self):
        spec = edit(BASE, ("name: TEST_BANK{n}_CTL", "name: TEST_BANK{n}_CTL{n}"))
        self.assertError(spec, "TEST_BANK{n}_CTL{n}", "'name' of MSR TEST_BANK{n}_CTL{n}: 'TEST_BANK{n}_CTL{n}' "
                                                      "holds the index placeholder {n} more than once")


class Addresses(SpecErrorTestCase):
    COLLIDE_HINT = ("one register with two names is one entry with 'aliases'; "
                    "vendor-specific registers declare 'shares_address_with'")

    def test_duplicate_address(self):
        spec = edit(BASE, ("address: 0x12", "address: 0x11"))
        line, _ = where(spec, "- name: TEST_CAP")
        self.assertError(spec, "0x11", f"TEST_CMD at 0x11 collides with TEST_CAP (line {line}); {self.COLLIDE_HINT}",
                         nth=2)

    def test_shared_address_with_disjoint_vendors_is_allowed(self):
        self.assertEqual(spec_errors(BASE), [])
        at_0x200 = [(i.name, i.msr.vendors) for i in build(BASE).instances if i.address == 0x200]
        self.assertEqual(at_0x200, [("AMD_THING", ("amd",)), ("INTEL_THING", ("intel",))])

    def test_shared_address_with_common_vendor(self):
        spec = edit(BASE, ("vendors: [amd]\n    shares", "vendors: [intel, amd]\n    shares"))
        self.assertError(spec, "shares_address_with: ^INTEL_THING",
                         "MSR AMD_THING declares 'shares_address_with: INTEL_THING', but both list vendor intel; "
                         "one register with two names is one entry with 'aliases'")

    def test_shared_address_without_declaration(self):
        spec = edit(BASE, ("    shares_address_with: INTEL_THING\n", ""))
        line, _ = where(spec, "- name: INTEL_THING")
        self.assertError(spec, "address: ^0x200", f"AMD_THING at 0x200 collides with INTEL_THING (line {line}); "
                                        f"{self.COLLIDE_HINT}", nth=2)

    def test_shares_address_with_unknown_msr(self):
        spec = edit(BASE, ("shares_address_with: INTEL_THING", "shares_address_with: INTEL_THINGY"),
                    ("address: 0x200\n    category: other\n    access: rw\n    vendors: [amd]",
                     "address: 0x201\n    category: other\n    access: rw\n    vendors: [amd]"))
        self.assertError(spec, "INTEL_THINGY", "'shares_address_with' of MSR AMD_THING names 'INTEL_THINGY', which "
                                               "is not another MSR of the spec")

    def test_shares_address_with_msr_elsewhere(self):
        spec = edit(BASE, ("address: 0x200\n    category: other\n    access: rw\n    vendors: [amd]",
                           "address: 0x201\n    category: other\n    access: rw\n    vendors: [amd]"))
        self.assertError(spec, "shares_address_with: ^INTEL_THING",
                         "MSR AMD_THING at 0x201 declares 'shares_address_with: INTEL_THING', but INTEL_THING is at 0x200")

    def test_address_over_32_bits(self):
        spec = edit(BASE, ("address: 0x12", "address: 0x100000000"))
        self.assertError(spec, "0x100000000", "address 0x100000000 of MSR TEST_CMD does not fit in 32 bits")

    def test_negative_address(self):
        spec = edit(BASE, ("address: 0x12", "address: -1"))
        self.assertError(spec, "-1", "address -0x1 of MSR TEST_CMD does not fit in 32 bits")

    def test_huge_address(self):
        spec = edit(BASE, ("address: 0x12", "address: 0x" + "F" * 40))
        self.assertError(spec, "0xFFFF", f"address 0x{'F' * 40} of MSR TEST_CMD does not fit in 32 bits")

    def test_highest_address_is_fine(self):
        self.assertEqual(spec_errors(edit(BASE, ("address: 0x12", "address: 0xFFFFFFFF"))), [])


class Bits(SpecErrorTestCase):
    def broken(self, bits: str) -> str:
        return edit(BASE, ("{name: GO, bits: 0,", f"{{name: GO, bits: {bits},"))

    def test_bit_64(self):
        spec = self.broken("64")
        self.assertError(spec, "bits: ^64", "'bits' of field GO of MSR TEST_CMD: bit 64 is outside 0..63")

    def test_range_past_63(self):
        spec = self.broken('"64:60"')
        self.assertError(spec, '"64:60"', "'bits' of field GO of MSR TEST_CMD: bit 64 is outside 0..63")

    def test_negative_bit(self):
        spec = self.broken('"-1"')
        self.assertError(spec, '"-1"', "'bits' of field GO of MSR TEST_CMD: bit -1 is outside 0..63")

    def test_huge_bit(self):
        spec = self.broken("99999999999999999999999")
        self.assertError(spec, "bits: ^9999", "'bits' of field GO of MSR TEST_CMD: bit 99999999999999999999999 is "
                                       "outside 0..63")

    def test_msb_below_lsb(self):
        spec = self.broken('"3:5"')
        self.assertError(spec, '"3:5"', "'bits' of field GO of MSR TEST_CMD: msb 3 is below lsb 5 "
                                        "(write \"msb:lsb\")")

    def test_malformed_range(self):
        for bits in ('"3-5"', '"3:"', '"a:b"', '"1:2:3"'):
            with self.subTest(bits=bits):
                self.assertError(self.broken(bits), bits, "'bits' of field GO of MSR TEST_CMD must be a bit number "
                                                          f"or a \"msb:lsb\" string, not string '{bits[1:-1]}'")

    def test_bool_bits(self):
        spec = self.broken("yes")
        self.assertError(spec, "yes", "'bits' of field GO of MSR TEST_CMD must be a bit number or a \"msb:lsb\" "
                                      "string, not boolean true")

    def test_overlapping_fields(self):
        spec = edit(BASE, ('{name: STATUS, bits: 1,', '{name: STATUS, bits: "9:1",'))
        self.assertError(spec, '"10:8"', "field TYPE overlaps STATUS at bit 8 (MSR TEST_CTL)")

    def test_whole_register_field(self):
        self.assertEqual(spec_errors(self.broken('"63:0"')), [])


class Enums(SpecErrorTestCase):
    def test_inline_value_does_not_fit(self):
        spec = edit(BASE, ("{name: ON_FAST, value: 3", "{name: ON_FAST, value: 4"))
        self.assertError(spec, "4, description: \"On\"",
                         "the enum of field MODE of MSR TEST_CTL: value ON_FAST = 4 does not fit in 2 bit(s) (max 3)")

    def test_shared_value_does_not_fit(self):
        spec = edit(BASE, ('{name: TYPE, bits: "10:8"', '{name: TYPE, bits: "9:8"'))
        self.assertError(spec, "memory_type, description",
                         "field TYPE of MSR TEST_CTL: enum memory_type value WB = 6 does not fit in 2 bit(s) (max 3)")

    def test_duplicate_inline_name(self):
        spec = edit(BASE, ("{name: ON_FAST, value: 3", "{name: IDLE, value: 3"))
        line, _ = where(spec, "{name: IDLE", nth=1)
        self.assertError(spec, "{name: IDLE", f"duplicate name in the enum of field MODE of MSR TEST_CTL 'IDLE' "
                                              f"(first at line {line})", nth=2)

    def test_duplicate_shared_name(self):
        spec = edit(BASE, ("{name: WB, value: 6", "{name: UC, value: 6"))
        line, _ = where(spec, "{name: UC", nth=1)
        self.assertError(spec, "{name: UC", f"duplicate name in enum memory_type 'UC' (first at line {line})", nth=2)

    def test_duplicate_value(self):
        spec = edit(BASE, ("{name: ON_FAST, value: 3", "{name: ON_FAST, value: 0"))
        self.assertError(spec, "0, description: \"On\"",
                         "the enum of field MODE of MSR TEST_CTL: duplicate value 0 (IDLE and ON_FAST)")

    def test_unknown_shared_enum(self):
        spec = edit(BASE, ("enum: memory_type", "enum: memory_types"))
        self.assertError(spec, "memory_types", "field TYPE of MSR TEST_CTL: unknown enum 'memory_types' "
                                               "(shared enums: memory_type)")

    def test_negative_value(self):
        spec = edit(BASE, ("{name: WB, value: 6", "{name: WB, value: -6"))
        self.assertError(spec, "-6", "enum memory_type: value WB = -6 is outside 0..2^64-1")

    def test_huge_value(self):
        spec = edit(BASE, ("{name: WB, value: 6", "{name: WB, value: 0x10000000000000000"))
        self.assertError(spec, "0x1000", "enum memory_type: value WB = 18446744073709551616 is outside 0..2^64-1")

    def test_value_above_the_largest_c_enum_constant(self):  # ISO C enum constants are ints
        spec = edit(BASE, ("{name: WB, value: 6", "{name: WB, value: 0x80000000"), ("enum: memory_type, ", ""))
        self.assertError(spec, "0x80000000", "enum memory_type: value WB = 0x80000000 is above 0x7FFFFFFF, the "
                                             "largest C enum constant")

    def test_inline_value_of_a_wide_field_above_the_largest_c_enum_constant(self):
        spec = edit(BASE, ('{name: ALLOWED1, bits: "63:32",', '{name: ALLOWED1, bits: "63:32", enum: [{name: BIG, '
                                                             'value: 0xFFFFFFFF}],'))
        self.assertError(spec, "0xFFFFFFFF", "the enum of field ALLOWED1 of MSR TEST_CAP: value BIG = 0xFFFFFFFF is "
                                             "above 0x7FFFFFFF, the largest C enum constant")

    def test_largest_c_enum_constant_is_fine(self):
        spec = edit(BASE, ('{name: ALLOWED1, bits: "63:32",', '{name: ALLOWED1, bits: "63:32", enum: [{name: BIG, '
                                                             'value: 0x7FFFFFFF}],'))
        self.assertEqual(spec_errors(spec), [])

    def test_empty_values(self):
        spec = edit(BASE, ("    values:\n      - {name: UC, value: 0, description: \"Uncacheable\"}\n"
                           "      - {name: WB, value: 6, description: \"Write back\"}\n", "    values: []\n"),
                    ("enum: memory_type, ", ""))
        self.assertError(spec, "[]", "the values of enum memory_type must be a non-empty list, not an empty one")


class Resets(SpecErrorTestCase):
    def broken(self, reset: str) -> str:
        return edit(BASE, ("bits: 0, access: rwo, reset: 0", f"bits: 0, access: rwo, reset: {reset}"))

    def test_reset_does_not_fit(self):
        self.assertError(self.broken("2"), "2, description",
                         "field ENABLE of MSR TEST_CTL: reset 0x2 does not fit in 1 bit(s) (max 0x1)")

    def test_negative_reset(self):
        self.assertError(self.broken("-1"), "-1",
                         "field ENABLE of MSR TEST_CTL: reset -0x1 does not fit in 1 bit(s) (max 0x1)")

    def test_huge_reset(self):
        self.assertError(self.broken(str(2 ** 100)), str(2 ** 100),
                         f"field ENABLE of MSR TEST_CTL: reset 0x{2 ** 100:X} does not fit in 1 bit(s) (max 0x1)")

    def test_reset_of_a_32_bit_field(self):
        spec = edit(BASE, ('{name: ALLOWED1, bits: "63:32",', '{name: ALLOWED1, bits: "63:32", reset: 0x100000000,'))
        self.assertError(spec, "0x100000000", "field ALLOWED1 of MSR TEST_CAP: reset 0x100000000 does not fit in "
                                              "32 bit(s) (max 0xFFFFFFFF)")


class Access(SpecErrorTestCase):
    def test_unknown_register_access(self):
        spec = edit(BASE, ("access: wo\n", "access: wr\n"))
        self.assertError(spec, "wr\n", "'access' of MSR TEST_CMD must be one of ro, rw, wo, not 'wr'")

    def test_unknown_field_access(self):
        spec = edit(BASE, ("bits: 1, access: rw1c", "bits: 1, access: rc"))
        self.assertError(spec, "rc,", "'access' of field STATUS of MSR TEST_CTL must be one of "
                                      f"{', '.join(schema.ACCESS_MODES)}, not 'rc'")
        self.assertIn("one of ro, rw, wo, rw1c, rwo,", spec_errors(spec)[0])

    def test_writable_field_in_read_only_register(self):
        spec = edit(BASE, ('{name: ALLOWED0, bits: "31:0",', '{name: ALLOWED0, bits: "31:0", access: rw,'))
        # TEST_CAP has an error of its own: the control set naming it must not claim it is missing.
        self.assertError(spec, "rw, description: \"Allowed 0",
                         "field ALLOWED0 of MSR TEST_CAP is 'rw' but the register is 'ro' (allowed: ro)")

    def test_lock_field_in_read_only_register(self):
        spec = edit(BASE, ('{name: ALLOWED0, bits: "31:0",', '{name: ALLOWED0, bits: "31:0", access: rwo,'))
        self.assertError(spec, "rwo, description: \"Allowed 0",
                         "field ALLOWED0 of MSR TEST_CAP is 'rwo' but the register is 'ro' (allowed: ro)")

    def test_read_only_field_in_write_only_register(self):
        spec = edit(BASE, ("{name: GO, bits: 0,", "{name: GO, bits: 0, access: ro,"))
        self.assertError(spec, "ro,", "field GO of MSR TEST_CMD is 'ro' but the register is 'wo' (allowed: wo)")


class Arrays(SpecErrorTestCase):
    def test_count_without_placeholder(self):
        spec = edit(BASE, ("name: TEST_BANK{n}_CTL", "name: TEST_BANK_CTL"))
        self.assertError(spec, "TEST_BANK_CTL", "MSR TEST_BANK_CTL is an array ('count' 4) but its name lacks the "
                                                "index placeholder {n}")

    def test_placeholder_without_count(self):
        spec = edit(BASE, ("    count: 4\n    stride: 2\n", ""))
        self.assertError(spec, "TEST_BANK{n}_CTL", "MSR TEST_BANK{n}_CTL holds the index placeholder {n} but has "
                                                   "no 'count'")

    def test_stride_without_count(self):
        spec = edit(BASE, ("    address: 0x12\n", "    address: 0x12\n    stride: 2\n"))
        self.assertError(spec, "2\n    category: other",
                         "MSR TEST_CMD has 'stride' but no 'count'")

    def test_count_zero(self):
        spec = edit(BASE, ("count: 4", "count: 0"))
        self.assertError(spec, "0\n    stride", "'count' of MSR TEST_BANK{n}_CTL must be at least 1, not 0")

    def test_count_too_large(self):  # would otherwise expand 10 million instances
        spec = edit(BASE, ("count: 4", "count: 10000000"), ("stride: 2", "stride: 1"), ("0x100", "0x1000000"))
        self.assertError(spec, "10000000", f"'count' of MSR TEST_BANK{{n}}_CTL must be at most "
                                           f"{ARRAY_COUNT_LIMIT}, not 10000000")

    def test_stride_zero(self):
        spec = edit(BASE, ("stride: 2", "stride: 0"))
        self.assertError(spec, "stride: ^0", "'stride' of MSR TEST_BANK{n}_CTL must be at least 1, not 0")

    def test_stride_over_32_bits(self):
        spec = edit(BASE, ("count: 4", "count: 1"), ("stride: 2", "stride: 0x100000000"))
        self.assertError(spec, "0x100000000", "'stride' 0x100000000 of MSR TEST_BANK{n}_CTL does not fit in 32 bits")

    def test_instance_collides_with_another_msr(self):
        spec = edit(BASE, ("address: 0x100", "address: 0xC"))
        line, _ = where(spec, "- name: TEST_CTL")
        self.assertError(spec, "0xC", f"array TEST_BANK{{n}}_CTL: instance TEST_BANK2_CTL at 0x10 collides with "
                                      f"TEST_CTL (line {line}); {Addresses.COLLIDE_HINT}")

    def test_last_instance_past_32_bits(self):
        spec = edit(BASE, ("address: 0x100", "address: 0xFFFFFFFC"))
        self.assertError(spec, "4\n    stride", "MSR TEST_BANK{n}_CTL: the last instance's address 0x100000002 does "
                                                "not fit in 32 bits")


class PresentIf(SpecErrorTestCase):
    """Presence conditions (`present_if:`): each kind, and every way to get one wrong."""

    CTL = "present_if: {leaf: 0x1, register: ecx, bit: 5}"

    def ctl(self, condition: str) -> str:
        """BASE with TEST_CTL's condition replaced."""
        return edit(BASE, (self.CTL, f"present_if: {condition}"))

    def bank(self, condition: str) -> str:
        """BASE with the array TEST_BANK{n}_CTL's condition replaced."""
        return edit(BASE, ("present_if:\n      all_of:\n        - {leaf: 0xA, register: eax, bits: \"15:8\", above: n}\n"
                           "        - {msr: TEST_CAP, bit: n}\n", f"present_if: {condition}\n"))

    def test_each_kind_is_accepted(self):
        for condition in ("{leaf: 0x7, subleaf: 1, register: edx, bits: \"7:0\", equals: 3}",
                          "{leaf: 0x80000008, register: eax, bits: \"7:0\", at_least: 0x30}",
                          "{msr: TEST_CAP, bits: \"63:32\", above: 0}", "{msr: TEST_BANK2_CTL, bit: 3}",
                          "{msr: AMD_THING, bit: 0}", "{family: 6}", "{family: 0x10E, models: [0, 0xFF]}",
                          "{context: smm}", "{context: guest}", "{context: sev_snp_guest}",
                          "{context: model_specific}",
                          "{any_of: [{all_of: [{family: 6}, {context: smm}]}, {leaf: 1, register: eax, bit: 0}]}"):
            with self.subTest(condition=condition):
                self.assertEqual(spec_errors(self.ctl(condition)), [])
        for condition in ("{msr: TEST_CAP, bits: \"15:0\", equals: n}", "{leaf: 0xA, register: ecx, bit: n}", "{msr: TEST_CAP, bits: \"7:0\", at_least: n}"):
            with self.subTest(condition=condition):
                self.assertEqual(spec_errors(self.bank(condition)), [])

    def test_not_a_mapping(self):
        spec = self.ctl("[leaf, 1]")
        self.assertError(spec, "[leaf, 1]", "a presence condition of MSR TEST_CTL must be a mapping, not a list")

    def test_unknown_kind(self):
        spec = self.ctl("{feature: sse3}")
        self.assertError(spec, "{feature: sse3}", "a presence condition of MSR TEST_CTL must hold one of the keys "
                                                  "leaf, msr, family, context, index, any_of, all_of, not")

    def test_unknown_kind_in_a_field(self):
        spec = edit(BASE, ("present_if: {msr: TEST_CAP, bit: 40}", "present_if: {cpu: x}"))
        self.assertError(spec, "{cpu: x}", "a presence condition of field EXTRA of MSR TEST_CTL must hold one of the "
                                           "keys leaf, msr, family, context, index, any_of, all_of, not")

    def test_two_kinds_in_one_mapping(self):
        spec = self.ctl("{leaf: 0x1, register: ecx, bit: 5, family: 6}")
        self.assertError(spec, "family: 6", "unknown key 'family' in a presence condition of MSR TEST_CTL; allowed "
                                            f"keys: {allowed('cond_cpuid')}")

    def test_unknown_key(self):
        spec = edit(BASE, ("{leaf: 0x7, subleaf: 0,", "{leaf: 0x7, sub: 0,"))
        self.assertError(spec, "sub: 0", f"unknown key 'sub' in a presence condition of MSR TEST_CAP; allowed keys: "
                                         f"{allowed('cond_cpuid')}")

    def test_missing_register(self):
        spec = self.ctl("{leaf: 0x1, bit: 5}")
        self.assertError(spec, "{leaf: 0x1, bit: 5}", "a presence condition of MSR TEST_CTL: missing required key "
                                                      "'register'")

    def test_bad_register(self):
        spec = edit(BASE, ("register: ecx, bit: 5", "register: esx, bit: 5"))
        self.assertError(spec, "esx", "'register' of a presence condition of MSR TEST_CTL must be one of "
                                      "eax, ebx, ecx, edx, not 'esx'")

    def test_cpuid_bit_32(self):
        spec = edit(BASE, ("register: ecx, bit: 5", "register: ecx, bit: 32"))
        self.assertError(spec, "32}", "a presence condition of MSR TEST_CTL: bit 32 is outside 0..31")

    def test_cpuid_bits_past_31(self):
        spec = self.ctl('{leaf: 0x1, register: ecx, bits: "32:0"}')
        self.assertError(spec, '"32:0"', "a presence condition of MSR TEST_CTL: bit 32 is outside 0..31")

    def test_msr_bit_64(self):
        spec = self.ctl("{msr: TEST_CAP, bit: 64}")
        self.assertError(spec, "bit: ^64}", "a presence condition of MSR TEST_CTL: bit 64 is outside 0..63")

    def test_msr_bits_past_63(self):
        spec = self.ctl('{msr: TEST_CAP, bits: "64:60"}')
        self.assertError(spec, '"64:60"', "'bits' of a presence condition of MSR TEST_CTL: bit 64 is outside 0..63")

    def test_negative_bit(self):
        spec = self.ctl("{msr: TEST_CAP, bit: -1}")
        self.assertError(spec, "-1}", "a presence condition of MSR TEST_CTL: bit -1 is outside 0..63")

    def test_bit_neither_integer_nor_n(self):
        spec = self.ctl("{msr: TEST_CAP, bit: m}")
        self.assertError(spec, "bit: ^m}", "'bit' of a presence condition of MSR TEST_CTL must be an integer or n "
                                          "(the array index), not string 'm'")

    def test_both_bit_and_bits(self):
        spec = self.ctl('{leaf: 0x1, register: ecx, bit: 5, bits: "7:5"}')
        self.assertError(spec, "{leaf: 0x1, register: ecx, bit: 5, bits",
                         "a presence condition of MSR TEST_CTL must give exactly one of 'bit' and 'bits'")

    def test_neither_bit_nor_bits(self):
        spec = self.ctl("{msr: TEST_CAP}")
        self.assertError(spec, "{msr: TEST_CAP}", "a presence condition of MSR TEST_CTL must give exactly one of "
                                                  "'bit' and 'bits'")

    def test_leaf_over_32_bits(self):
        spec = edit(BASE, ("{leaf: 0x1, register: ecx", "{leaf: 0x100000000, register: ecx"))
        self.assertError(spec, "0x100000000", "a presence condition of MSR TEST_CTL: leaf 0x100000000 does not fit "
                                              "in 32 bits")

    def test_negative_subleaf(self):
        spec = self.ctl("{leaf: 0x7, subleaf: -1, register: ecx, bit: 5}")
        self.assertError(spec, "-1,", "a presence condition of MSR TEST_CTL: subleaf -0x1 does not fit in 32 bits")

    def test_compares_twice(self):
        spec = self.ctl('{leaf: 0xA, register: eax, bits: "7:0", above: 1, equals: 2}')
        self.assertError(spec, "equals: ^2", "a presence condition of MSR TEST_CTL compares twice ('above' and "
                                            "'equals')")

    def test_operand_too_wide(self):
        spec = self.ctl('{leaf: 0xA, register: eax, bits: "15:8", above: 256}')
        self.assertError(spec, "256", "a presence condition of MSR TEST_CTL: 0x100 does not fit in the 8 bit(s) "
                                      "tested")

    def test_operand_of_a_single_bit(self):
        spec = self.ctl("{msr: TEST_CAP, bit: 3, equals: 2}")
        self.assertError(spec, "equals: ^2", "a presence condition of MSR TEST_CTL: 0x2 does not fit in the 1 bit(s) "
                                             "tested")

    def test_negative_operand(self):
        spec = self.ctl('{msr: TEST_CAP, bits: "7:0", at_least: -1}')
        self.assertError(spec, "-1}", "a presence condition of MSR TEST_CTL: -0x1 does not fit in the 8 bit(s) "
                                      "tested")

    def test_operand_neither_integer_nor_n(self):
        spec = self.ctl('{msr: TEST_CAP, bits: "7:0", above: "3"}')
        self.assertError(spec, '"3"', "'above' of a presence condition of MSR TEST_CTL must be an integer or n (the "
                                      "array index), not string '3'")

    def test_n_in_a_register_that_is_no_array(self):
        spec = self.ctl("{leaf: 0xA, register: ecx, bit: n}")
        self.assertError(spec, "{leaf: 0xA, register: ecx, bit: n}",
                         "a presence condition of MSR TEST_CTL uses n, but TEST_CTL is not an array")

    def test_n_as_operand_in_a_field_of_a_register_that_is_no_array(self):
        spec = edit(BASE, ("present_if: {msr: TEST_CAP, bit: 40}", 'present_if: {msr: TEST_CAP, bits: "7:0", '
                                                                    'equals: n}'))
        self.assertError(spec, "TEST_CAP, bits", "a presence condition of field EXTRA of MSR TEST_CTL uses n, but "
                                                 "TEST_CTL is not an array")

    def test_n_inside_any_of(self):
        spec = self.ctl("{any_of: [{family: 6}, {leaf: 0xA, register: ecx, bit: n}]}")
        self.assertError(spec, "{leaf: 0xA, register: ecx, bit: n}",
                         "a presence condition of MSR TEST_CTL uses n, but TEST_CTL is not an array")

    def test_unknown_msr(self):
        spec = self.ctl("{msr: TEST_CAPS, bit: 1}")
        self.assertError(spec, "TEST_CAPS", "a presence condition of MSR TEST_CTL names 'TEST_CAPS', which is not an "
                                            "MSR of the spec")

    def test_instance_past_the_end(self):
        spec = self.ctl("{msr: TEST_BANK4_CTL, bit: 1}")
        self.assertError(spec, "TEST_BANK4_CTL", "a presence condition of MSR TEST_CTL names 'TEST_BANK4_CTL', which "
                                                 "is not an MSR of the spec")

    def test_msr_named_by_an_alias(self):
        spec = edit(BASE, ("present_if: {msr: TEST_CAP, bit: 40}", "present_if: {msr: CTL, bit: 0}"))
        self.assertError(spec, "msr: ^CTL, bit: 0", "a presence condition of field EXTRA of MSR TEST_CTL names 'CTL', "
                                                    "an alias of TEST_CTL; name the register by its name")

    def test_msr_of_a_register_with_errors(self):  # one error, about TEST_CAP itself
        spec = edit(BASE, ('{name: ALLOWED0, bits: "31:0",', '{name: ALLOWED0, bits: "31:0", access: rw,'))
        self.assertError(spec, "rw, description: \"Allowed 0",
                         "field ALLOWED0 of MSR TEST_CAP is 'rw' but the register is 'ro' (allowed: ro)")

    def test_instance_of_an_array_with_errors(self):  # one error, about the array itself
        spec = edit(BASE, (self.CTL, "present_if: {msr: TEST_BANK2_CTL, bit: 1}"), ("stride: 2", "stride: 0"))
        self.assertError(spec, "stride: ^0", "'stride' of MSR TEST_BANK{n}_CTL must be at least 1, not 0")

    def test_array_named_without_instance(self):
        spec = self.ctl('{msr: "TEST_BANK{n}_CTL", bit: 1}')
        self.assertError(spec, '"TEST_BANK{n}_CTL"', "a presence condition of MSR TEST_CTL names the array "
                                                     "TEST_BANK{n}_CTL; name one instance, or use {n} in an array's "
                                                     "condition")

    def test_same_index_of_a_shorter_array(self):
        spec = edit(self.bank('{msr: "TEST_BANK{n}_CTL", bit: 1}'), ("count: 4", "count: 8"),
                    ("name: TEST_BANK{n}_CTL", "name: TEST_BANK{n}_CTL\n    aliases: [\"BANK{n}\"]"))
        spec = edit(spec, ("  - name: INTEL_THING", "  - name: TEST_SHORT{n}\n    address: 0x180\n    count: 2\n"
                                                    "    category: other\n    access: rw\n    vendors: [intel]\n"
                                                    "    description: \"x\"\n\n  - name: INTEL_THING"),
                    ('{msr: "TEST_BANK{n}_CTL", bit: 1}', '{msr: "TEST_SHORT{n}", bit: 1}'))
        self.assertError(spec, '"TEST_SHORT{n}"', "a presence condition of MSR TEST_BANK{n}_CTL names TEST_SHORT{n}, "
                                                  "which has 2 instance(s), for each of the 8 of TEST_BANK{n}_CTL")

    def test_names_itself(self):
        spec = self.ctl("{msr: TEST_CTL, bit: 0}")
        self.assertError(spec, "msr: ^TEST_CTL", "the presence condition of MSR TEST_CTL names the register itself")

    def test_array_names_its_own_instance(self):
        spec = self.bank("{msr: TEST_BANK0_CTL, bit: 0}")
        self.assertError(spec, "TEST_BANK0_CTL", "the presence condition of MSR TEST_BANK{n}_CTL names the register "
                                                 "itself")

    def test_dependency_cycle(self):
        spec = edit(self.ctl("{msr: TEST_CMD, bit: 0}"),
                    ("present_if: {family: 0x17, models: [0x31, 0x71]}",
                     "present_if: {all_of: [{family: 0x17}, {msr: TEST_BANK1_CTL, bit: 2}]}"),
                    ("        - {msr: TEST_CAP, bit: n}\n", "        - {msr: TEST_CTL, bit: n}\n"))
        self.assertErrors(
            spec,
            ("msr: ^TEST_CMD", "the presence of MSR TEST_CTL depends on itself (through the presence conditions of "
                               "other MSRs)"),
            ("{all_of: [{family: 0x17}", "the presence of MSR TEST_CMD depends on itself (through the presence "
                                         "conditions of other MSRs)"),
            ("all_of:\n", "the presence of MSR TEST_BANK{n}_CTL depends on itself (through the presence conditions "
                          "of other MSRs)"))

    def test_field_condition_on_its_own_register_is_fine(self):  # a field present while another bit is 1
        spec = edit(BASE, ("present_if: {msr: TEST_CAP, bit: 40}", "present_if: {msr: TEST_CTL, bit: 0}"))
        self.assertEqual(spec_errors(spec), [])

    def test_context_choices(self):
        spec = self.ctl("{context: host}")
        self.assertError(spec, "host", "'context' of a presence condition of MSR TEST_CTL must be one of smm, guest, "
                                       "sev_snp_guest, model_specific, not 'host'")

    def test_context_with_other_keys(self):
        spec = self.ctl("{context: smm, bit: 1}")
        self.assertError(spec, "smm, ^bit: 1", "unknown key 'bit' in a presence condition of MSR TEST_CTL; allowed "
                                              "keys: context")

    def test_family_out_of_range(self):
        spec = self.ctl("{family: 0x10F}")
        self.assertError(spec, "0x10F", "a presence condition of MSR TEST_CTL: family 0x10F is outside 0..0x10E")

    def test_model_out_of_range(self):
        spec = edit(BASE, ("models: [0x31, 0x71]", "models: [0x31, 0x171]"))
        self.assertError(spec, "0x171", "a presence condition of MSR TEST_CMD: model 0x171 is outside 0..0xFF")

    def test_model_twice(self):
        spec = edit(BASE, ("models: [0x31, 0x71]", "models: [0x31, 0x31]"))
        self.assertError(spec, "0x31]", "'models' of a presence condition of MSR TEST_CMD lists '49' twice")

    def test_models_not_a_list(self):
        spec = edit(BASE, ("models: [0x31, 0x71]", "models: 0x31"))
        self.assertError(spec, "models: ^0x31", "'models' of a presence condition of MSR TEST_CMD must be a list of "
                                                "integers, not integer 49")

    def test_any_of_not_a_list(self):
        spec = self.ctl("{any_of: {family: 6}}")
        self.assertError(spec, "{family: 6}", "'any_of' of a presence condition of MSR TEST_CTL must be a list, not a "
                                              "mapping")

    def test_any_of_with_other_keys(self):
        spec = edit(BASE, ("      any_of:\n", "      leaf: 1\n      any_of:\n"))
        self.assertErrors(spec, ("leaf: 1", "a presence condition of MSR TEST_CAP: missing required key 'register'"),
                          ("any_of:\n", f"unknown key 'any_of' in a presence condition of MSR TEST_CAP; allowed "
                                        f"keys: {allowed('cond_cpuid')}"))

    def test_all_of_with_other_keys(self):
        spec = self.ctl("{all_of: [{family: 6}], context: smm}")  # the kind is the first of leaf, msr, ... all_of
        self.assertError(spec, "{^all_of: [{family: 6}]", "unknown key 'all_of' in a presence condition of MSR TEST_CTL; "
                                         f"allowed keys: {allowed('cond_context')}")

    def test_empty_any_of(self):
        spec = edit(BASE, ("any_of:\n        - {leaf: 0x7, subleaf: 0, register: ebx, bit: 2}\n"
                           "        - {leaf: 0x80000001, register: edx, bit: 29}", "any_of: []"))
        self.assertError(spec, "any_of", "'any_of' of MSR TEST_CAP must list at least one condition")

    def test_mistakes_in_two_branches(self):
        spec = self.ctl("{any_of: [{leaf: 0x1, register: exx, bit: 5}, {all_of: [{family: -1}]}]}")
        self.assertErrors(spec, ("exx", "'register' of a presence condition of MSR TEST_CTL must be one of eax, ebx, "
                                        "ecx, edx, not 'exx'"),
                          ("-1}", "a presence condition of MSR TEST_CTL: family -0x1 is outside 0..0x10E"))


class Clashes(SpecErrorTestCase):
    """Every C name the generator emits is checked against every other and against the
    names the handwritten headers export (codegen/handwritten_names.txt)."""

    def test_msr_named_like_a_core_status(self):  # MSR_OK is core.h's; an MSR's address is MSR_<name>_ADDR
        model = build(edit(BASE, ("name: TEST_CMD", "name: OK")))
        self.assertEqual(model.msr("OK").names.address, "MSR_OK_ADDR")

    def test_register_mask_produced_by_another_registers_field(self):
        # TEST_CTL's field X_RESERVED has the mask MSR_TEST_CTL_X_RESERVED_MASK, register TEST_CTL_X's reserved mask
        spec = edit(BASE, ('{name: EXTRA, bits: 16,', '{name: X_RESERVED, bits: 17, description: "x"}\n'
                                                      '      - {name: EXTRA, bits: 16,'),
                    ("name: INTEL_THING", "name: TEST_CTL_X"), ("shares_address_with: INTEL_THING",
                                                                 "shares_address_with: TEST_CTL_X"))
        line, _ = where(spec, "{name: X_RESERVED")
        self.assertError(spec, "name: TEST_CTL_X\n", "MSR TEST_CTL_X generates the C name "
                                                     f"MSR_TEST_CTL_X_RESERVED_MASK, which field X_RESERVED of MSR "
                                                     f"TEST_CTL (line {line}) already generates")

    def test_alias_produces_an_existing_name(self):
        spec = edit(BASE, ("aliases: [CTL]", "aliases: [TEST_BANK2_CTL]"))
        line, _ = where(spec, "- name: TEST_CTL")
        self.assertError(spec, "name: ^TEST_BANK{n}_CTL", f"duplicate MSR name TEST_BANK2_CTL (first at line {line})")

    def test_field_and_enum_value_produce_a_field_macro(self):  # field MODE, value MASK: MSR_TEST_CTL_MODE_MASK
        spec = edit(BASE, ("{name: IDLE, value: 0", "{name: MASK, value: 0"))
        self.assertError(spec, "name: MODE", "field MODE of MSR TEST_CTL generates the C name "
                                             "MSR_TEST_CTL_MODE_MASK twice")

    def test_enum_value_produces_another_fields_macro(self):  # MODE's value X_MASK vs field MODE_X's mask
        spec = edit(BASE, ("{name: IDLE, value: 0", "{name: X_MASK, value: 0"),
                    ('{name: EXTRA, bits: 16,', '{name: MODE_X, bits: 17, description: "x"}\n      - {name: EXTRA, '
                                                'bits: 16,'))
        line, _ = where(spec, "- name: MODE")
        self.assertError(spec, "{name: MODE_X", "field MODE_X of MSR TEST_CTL generates the C name "
                                                f"MSR_TEST_CTL_MODE_X_MASK, which field MODE of MSR TEST_CTL (line "
                                                f"{line}) already generates")

    def test_shared_enum_value_in_a_handwritten_header(self):  # MSR_SUPPORT_YES, x86msr/cpuid.h
        spec = edit(BASE, ("  memory_type:\n", "  support:\n    description: x\n    values: [{name: \"YES\", value: 1}]\n"
                                               "  memory_type:\n"))
        self.assertError(spec, "support:", "enum support generates the C name msr_support, which the handwritten "
                                           "header x86msr/cpuid.h already declares")

    def test_control_bit_in_a_handwritten_header(self):  # MSR_VMX_CAP_BASIC, x86msr/vmx.h
        spec = edit(BASE, ("{bit: 1, name: EXIT_ON_Z", "{bit: 2, name: BASIC, description: \"x\"}\n      - {bit: 1, "
                                                      "name: EXIT_ON_Z"),
                    ("name: more", "name: cap"))
        self.assertError(spec, "- ^name: cap", "VMX control set cap generates the C name MSR_VMX_CAP_BASIC, which the "
                                              "handwritten header x86msr/vmx.h already declares")

    def test_msr_tag_declared_by_a_handwritten_header(self):  # struct msr_linux; (x86msr/linux.h)
        spec = edit(BASE, ("name: TEST_CMD", "name: LINUX"))
        self.assertError(spec, "name: LINUX", "MSR LINUX generates the C name msr_linux, which the handwritten "
                                              "header x86msr/linux.h already declares")

    def test_declared_vendor_and_category_names(self):
        spec = edit(BASE, ("  myhv:\n", "  all:\n    description: \"x\"\n  myhv:\n"),
                    ("  other:\n", "  count:\n    description: \"x\"\n  other:\n"))
        self.assertErrors(spec, ("all:", "vendor all generates the C name MSR_VENDOR_ALL, which the generator itself "
                                         "already generates"),
                          ("count:\n    desc", "category count generates the C name MSR_CATEGORY_COUNT, which the "
                                               "generator itself already generates"))

    def test_enum_named_like_the_vendors_constants(self):  # MSR_VENDOR_INTEL (x86msr/msr_schema.h)
        spec = edit(BASE, ("  memory_type:\n", "  vendor:\n    description: x\n    values: [{name: INTEL, value: 1}]\n"
                                               "  memory_type:\n"))
        self.assertError(spec, "^vendor:", "enum vendor generates the C name MSR_VENDOR_INTEL, which vendor intel "
                                           "already generates")

    def test_msr_named_like_a_schema_enumeration(self):  # enum msr_access (x86msr/msr_schema.h)
        spec = edit(BASE, ("name: TEST_CMD", "name: ACCESS"))
        self.assertError(spec, "name: ACCESS", "MSR ACCESS generates the C name msr_access, which the generator "
                                               "itself already generates")

    def test_only_the_handwritten_list_decides(self):
        """The check reads the list, not the headers: a name added to the list is refused."""
        from codegen import handwritten, naming
        model = build(BASE)
        table = dict(handwritten.names(), MSR_TEST_CMD_ADDR="x86msr/mine.h")
        errors = naming.clashes(model, table)
        self.assertEqual([(e.position.line, e.message) for e in errors],
                         [(where(BASE, "- name: TEST_CMD")[0], "MSR TEST_CMD generates the C name MSR_TEST_CMD_ADDR, "
                                                               "which the handwritten header x86msr/mine.h already "
                                                               "declares")])
        self.assertEqual(naming.clashes(model, handwritten.names()), [])


class Layouts(SpecErrorTestCase):
    def test_unknown_layout(self):
        spec = edit(BASE, ("layout: bank", "layout: banks"))
        self.assertError(spec, "banks", "MSR TEST_BANK{n}_CTL: unknown layout 'banks' (layouts: bank)")

    def test_layout_and_fields(self):
        spec = edit(BASE, ("layout: bank", 'layout: bank\n    fields:\n      - {name: X, bits: 0, description: "x"}'))
        self.assertError(spec, "layout: ^bank", "MSR TEST_BANK{n}_CTL has both 'layout' and 'fields'; give one")

    def test_layout_not_a_name(self):
        spec = edit(BASE, ("layout: bank", "layout: [bank]"))
        self.assertError(spec, "[bank]", "'layout' of MSR TEST_BANK{n}_CTL must be a name (C identifier), not a list")

    def test_layouts_not_a_mapping(self):
        spec = edit(BASE, ("layouts:\n  bank:\n", "layouts: []\nxlayouts:\n  bank:\n"))
        self.assertErrors(spec, ("[]", "'layouts' must be a mapping from layout name to layout, not a list"),
                          ("xlayouts", f"unknown key 'xlayouts' in the spec; allowed keys: {allowed('top')}"),
                          ("layout: ^bank", "MSR TEST_BANK{n}_CTL: unknown layout 'bank' (layouts: none)"))

    def test_layout_missing_fields(self):
        spec = edit(BASE, ('    fields:\n      - {name: VALUE, bits: "15:0", description: "Value."}\n', ""))
        self.assertError(spec, 'description: "The bank registers"', "layout bank: missing required key 'fields'")

    def test_mistake_in_a_layout_is_reported_once(self):
        spec = edit(BASE, ('{name: VALUE, bits: "15:0"', '{name: VALUE, bits: "15:0", colour: red'))
        self.assertError(spec, "colour", f"unknown key 'colour' in field VALUE of layout bank; allowed keys: "
                                         f"{allowed('field')}")

    def test_layout_field_writable_in_a_read_only_register(self):
        spec = edit(BASE, ('{name: VALUE, bits: "15:0"', '{name: VALUE, bits: "15:0", access: rw'),
                    ("    vendors: [myhv]\n", "    vendors: [myhv]\n    layout: bank\n"))
        self.assertError(spec, "access: ^rw, description: \"Value",
                         "field VALUE of MSR HV_THING is 'rw' but the register is 'ro' (allowed: ro)")

    def test_layout_shared_by_rw_and_ro_registers(self):
        spec = edit(BASE, ("    vendors: [myhv]\n", "    vendors: [myhv]\n    layout: bank\n"))
        self.assertEqual(spec_errors(spec), [])
        model = build(spec)
        self.assertEqual([(f.name, f.access) for f in model.msr("HV_THING").fields], [("VALUE", "ro")])
        self.assertEqual([(f.name, f.access) for f in model.msr("TEST_BANK{n}_CTL").fields], [("VALUE", "rw")])

    def test_layout_field_with_vendors_the_register_lacks(self):
        spec = edit(BASE, ('{name: VALUE, bits: "15:0"', '{name: VALUE, bits: "15:0", vendors: [amd]'))
        self.assertError(spec, "[amd], description: \"Value", "field VALUE of MSR TEST_BANK{n}_CTL lists vendor amd, "
                                                              "which the register does not")

    def test_duplicate_layout_name(self):
        spec = edit(BASE, ("  bank:\n    description: \"The bank registers\"\n",
                           "  bank:\n    description: \"x\"\n    fields: []\n  bank:\n"
                           "    description: \"The bank registers\"\n"))
        line, _ = where(spec, "  bank:", nth=1)
        self.assertErrors(spec, ("  ^bank:", 2, "duplicate key 'bank' (first at line %d); YAML would keep only the last"
                                 % line))

    def test_layout_name_keyword(self):
        spec = edit(BASE, ("  bank:\n    description", "  case:\n    description"), ("layout: bank", "layout: case"))
        self.assertErrors(spec, ("case:", "layout name: 'case' is a C or C++ keyword ('case')"),
                          ("layout: ^case", "'layout' of MSR TEST_BANK{n}_CTL: 'case' is a C or C++ keyword ('case')"))

    def test_layout_with_overlapping_fields(self):
        spec = edit(BASE, ('{name: VALUE, bits: "15:0", description: "Value."}',
                           '{name: VALUE, bits: "15:0", description: "Value."}\n'
                           '      - {name: HIGH, bits: "16:15", description: "x"}'))
        self.assertError(spec, '"16:15"', "field HIGH overlaps VALUE at bit 15 (layout bank)")


class VendorsAndCategories(SpecErrorTestCase):
    def test_built_in_vendor_redeclared(self):
        spec = edit(BASE, ("  myhv:\n", "  intel:\n    description: \"x\"\n  myhv:\n"))
        self.assertError(spec, "intel:", "vendor 'intel' is already declared (built in)")

    def test_built_in_category_redeclared(self):
        spec = edit(BASE, ("  other:\n", "  misc:\n    description: \"x\"\n  other:\n"))
        self.assertError(spec, "misc:", "category 'misc' is already declared (built in)")

    def test_undeclared_vendor(self):
        spec = edit(BASE, ("vendors: [myhv]", "vendors: [ownhv]"))
        self.assertError(spec, "ownhv", "'vendors' of MSR HV_THING: unknown vendor 'ownhv' (vendors: "
                                        "amd, hyperv, intel, kvm, myhv, xen; declare others under the top-level key "
                                        "'vendors')")

    def test_undeclared_category(self):
        spec = edit(BASE, ("  test:\n    description: \"Test registers\"\n", ""))
        self.assertErrors(spec, *[(f"category: ^test\n", i, "'category' of MSR %s: unknown category 'test' "
                                  "(spec/README.md lists the built-in ones; declare others under the top-level key "
                                  "'categories')" % name)
                                  for i, name in ((1, "TEST_CTL"), (2, "TEST_CAP"), (3, "TEST_BANK{n}_CTL"))])

    def test_category_test_is_not_built_in(self):
        self.assertNotIn("test", schema.CATEGORY_NAMES)

    def test_vendor_name_upper_case(self):
        spec = edit(BASE, ("  myhv:\n", "  MyHV:\n    description: \"x\"\n  myhv:\n"))
        self.assertError(spec, "MyHV", "vendor name 'MyHV' must be lower case")

    def test_category_name_upper_case(self):
        spec = edit(BASE, ("  other:\n", "  Other:\n    description: \"x\"\n  other:\n"))
        self.assertError(spec, "Other:", "category name 'Other' must be lower case")

    def test_vendor_name_not_an_identifier(self):
        spec = edit(BASE, ("  myhv:\n", "  my-hv:\n    description: \"x\"\n  myhv:\n"))
        self.assertError(spec, "my-hv", "vendor name: 'my-hv' is not a valid C identifier")

    def test_category_name_keyword(self):
        spec = edit(BASE, ("  other:\n", "  union:\n    description: \"x\"\n  other:\n"))
        self.assertError(spec, "union:", "category name: 'union' is a C or C++ keyword ('union')")

    def test_vendor_without_description(self):  # one error: its users add none
        spec = edit(BASE, ("  myhv:\n    description: \"The project's own hypervisor\"\n", "  myhv: {}\n"))
        self.assertError(spec, "{}", "vendor myhv: missing required key 'description'")

    def test_category_not_a_mapping(self):  # one error: the four MSRs of the category add none
        spec = edit(BASE, ("  other:\n    description: \"Other registers\"\n", "  other: \"Other registers\"\n"))
        self.assertError(spec, '"Other registers"', "category other must be a mapping, not string 'Other registers'")

    def test_badly_named_vendor_in_use(self):
        spec = edit(BASE, ("  myhv:\n", "  MyHv:\n"), ("vendors: [myhv]", "vendors: [MyHv]"))
        self.assertError(spec, "MyHv:", "vendor name 'MyHv' must be lower case")

    def test_vendors_not_a_mapping(self):
        spec = edit(BASE, ("vendors:\n  myhv:\n    description: \"The project's own hypervisor\"\n", "vendors: [myhv]\n"))
        self.assertErrors(spec, ("[myhv]\n", 1, "'vendors' must be a mapping from vendor name to vendor, not a list"),
                          ("myhv]\n    present_if: {context", "'vendors' of MSR HV_THING: unknown vendor "
                                                              "'myhv' (vendors: amd, hyperv, intel, kvm, xen; declare "
                                                              "others under the top-level key 'vendors')"))

    def test_too_many_vendors(self):
        extra = "".join(f"  v{i}:\n    description: \"x\"\n" for i in range(schema.VENDOR_LIMIT - len(schema.VENDORS)))
        spec = edit(BASE, ("  myhv:\n", extra + "  myhv:\n"))
        self.assertError(spec, "myhv:", f"vendor myhv: at most {schema.VENDOR_LIMIT} vendors fit the C vendor set")

    def test_field_vendors_not_a_subset(self):
        spec = edit(BASE, ("vendors: [amd], present_if", "vendors: [amd, kvm], present_if"))
        self.assertError(spec, "[amd, kvm]", "field EXTRA of MSR TEST_CTL lists vendor kvm, which the register does "
                                             "not")

    def test_field_vendors_empty(self):
        spec = edit(BASE, ("vendors: [amd], present_if", "vendors: [], present_if"))
        self.assertError(spec, "vendors: ^[], present_if", "'vendors' of field EXTRA of MSR TEST_CTL must name at "
                                                           "least one vendor")

    def test_field_vendor_unknown(self):
        spec = edit(BASE, ("vendors: [amd], present_if", "vendors: [arm], present_if"))
        self.assertError(spec, "arm]", "'vendors' of field EXTRA of MSR TEST_CTL: unknown vendor 'arm' "
                                       "(vendors: amd, hyperv, intel, kvm, myhv, xen; declare others under the "
                                       "top-level key 'vendors')")

    def test_canonical_not_a_boolean(self):
        spec = edit(BASE, ("canonical: true", "canonical: 1"))
        self.assertError(spec, "canonical: ^1", "'canonical' of field TARGET of MSR TEST_CTL must be true, false or a "
                                                "list of vendor names, not integer 1")

    def test_msr_name_lower_case(self):
        spec = edit(BASE, ("name: TEST_CMD", "name: Test_Cmd"))
        self.assertError(spec, "Test_Cmd", "'name' of MSR Test_Cmd: 'Test_Cmd' must be upper case (letters A-Z, "
                                           "digits, '_'), as the manuals write MSR names")

    def test_alias_lower_case(self):
        spec = edit(BASE, ("aliases: [CTL]", "aliases: [ctl]"))
        self.assertError(spec, "ctl]", "alias of MSR TEST_CTL: 'ctl' must be upper case (letters A-Z, digits, '_'), "
                                       "as the manuals write MSR names")


class ActivatedBy(SpecErrorTestCase):
    ACT = "activated_by: {set: pins, bit: 3}"

    def test_unknown_set(self):
        spec = edit(BASE, (self.ACT, "activated_by: {set: pin, bit: 3}"))
        self.assertError(spec, "{set: pin", "'activated_by' of VMX control set more names 'pin', which is not "
                                            "another control set")

    def test_itself(self):
        spec = edit(BASE, (self.ACT, "activated_by: {set: more, bit: 3}"))
        self.assertError(spec, "{set: more", "'activated_by' of VMX control set more names 'more', which is not "
                                             "another control set")

    def test_bit_outside_the_other_sets_width(self):
        spec = edit(BASE, (self.ACT, "activated_by: {set: pins, bit: 32}"))
        self.assertError(spec, "{set: pins, bit: 32}", "'activated_by' of VMX control set more: bit 32 is outside "
                                                       "0..31")

    def test_missing_bit(self):
        spec = edit(BASE, (self.ACT, "activated_by: {set: pins}"))
        self.assertError(spec, "{set: pins}", "'activated_by' of VMX control set more: missing required key 'bit'")

    def test_not_a_mapping(self):
        spec = edit(BASE, (self.ACT, "activated_by: pins"))
        self.assertError(spec, "activated_by: ^pins", "'activated_by' of VMX control set more must be a mapping, not "
                                                      "string 'pins'")

    def test_unknown_key(self):
        spec = edit(BASE, (self.ACT, "activated_by: {set: pins, bit: 3, value: 1}"))
        self.assertError(spec, "value: 1", "unknown key 'value' in 'activated_by' of VMX control set more; allowed "
                                           f"keys: {allowed('control_ref')}")

    def test_set_with_errors(self):  # one error, about pins itself
        spec = edit(BASE, ("{bit: 3, name: EXIT_ON_Y", "{bit: 32, name: EXIT_ON_Y"))
        self.assertError(spec, "32, name", "a control bit of VMX control set pins: bit 32 is outside 0..31")

    def test_chain(self):
        spec = edit(BASE, ("  - name: pins\n    description: \"Test controls\"\n",
                           "  - name: pins\n    description: \"Test controls\"\n    activated_by: {set: top, bit: 0}\n"),
                    ("vmx_control_sets:\n", "vmx_control_sets:\n  - name: top\n    description: \"x\"\n    width: 32\n"
                                            "    capability: TEST_CAP\n    bits: [{bit: 0, name: GO, description: "
                                            "\"x\"}]\n"))
        self.assertError(spec, self.ACT[len("activated_by: "):],
                         "'activated_by' of VMX control set more names 'pins', which is itself activated by 'top'; a "
                         "set activated by another must be activated by a set that is always on")

    def test_cycle(self):
        spec = edit(BASE, ("  - name: pins\n    description: \"Test controls\"\n",
                           "  - name: pins\n    description: \"Test controls\"\n    activated_by: {set: more, bit: 1}\n"))
        self.assertErrors(spec, ("{set: more, bit: 1}", "'activated_by' of VMX control set pins names 'more', which is "
                                                        "itself activated by 'pins'; a set activated by another must "
                                                        "be activated by a set that is always on"),
                          ("{set: pins, bit: 3}", "'activated_by' of VMX control set more names 'pins', which is "
                                                  "itself activated by 'more'; a set activated by another must be "
                                                  "activated by a set that is always on"))


class Overlays(unittest.TestCase):
    """A base spec and overlays share one name space: build_model([base, overlay])
    refuses an overlay that reuses a base name or address, at the overlay's position,
    with the overlay's file name in the position."""

    OVERLAY = textwrap.dedent("""\
        categories:
          mine:
            description: "My registers"

        msrs:
          - name: MY_CTL
            address: 0x40001000
            category: mine
            access: rw
            vendors: [myhv]
            present_if: {msr: TEST_CAP, bit: 7}
            description: "My hypervisor's control register."
            fields:
              - {name: RUN, bits: 0, description: "Run."}
        """)

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name
        self.base = write_file(self.dir, "base.yaml", BASE)

    def errors(self, overlay_text, base_text=BASE):
        write_file(self.dir, "base.yaml", base_text)
        overlay = write_file(self.dir, "overlay.yaml", overlay_text)
        try:
            build_model([self.base, overlay])
        except SpecErrors as exc:
            return [e.format("unused") for e in exc.errors]
        return []

    def at(self, text, needle, file="overlay.yaml", nth=None):
        line, col = where(text, needle, nth)
        return f"{os.path.join(self.dir, file)}:{line}:{col}"

    def test_overlay_extends_the_base(self):
        self.assertEqual(self.errors(self.OVERLAY), [])
        model = build_model([self.base, write_file(self.dir, "overlay.yaml", self.OVERLAY)])
        mine = model.msr("MY_CTL")
        self.assertEqual((mine.category, mine.vendors, mine.present_if.msr_address), ("mine", ("myhv",), 0x11))
        self.assertIn("mine", [c.name for c in model.used_categories])
        self.assertEqual(mine.position.file, os.path.join(self.dir, "overlay.yaml"))
        self.assertEqual(model.msr("TEST_CTL").position.file, self.base)

    def test_reused_name(self):
        overlay = edit(self.OVERLAY, ("name: MY_CTL", "name: TEST_CMD"))
        line, _ = where(BASE, "- name: TEST_CMD")
        self.assertEqual(self.errors(overlay), [
            f"{self.at(overlay, 'name: ^TEST_CMD')}: duplicate MSR name TEST_CMD (first at {self.base}:{line})"])

    def test_name_of_a_base_alias(self):
        overlay = edit(self.OVERLAY, ("name: MY_CTL", "name: CTL"))
        line, _ = where(BASE, "- name: TEST_CTL")
        self.assertEqual(self.errors(overlay), [
            f"{self.at(overlay, 'name: ^CTL')}: duplicate MSR name CTL (first at {self.base}:{line})"])

    def test_reused_address(self):
        overlay = edit(self.OVERLAY, ("address: 0x40001000", "address: 0x12"))
        line, _ = where(BASE, "- name: TEST_CMD")
        self.assertEqual(self.errors(overlay), [
            f"{self.at(overlay, '0x12')}: MY_CTL at 0x12 collides with TEST_CMD ({self.base}:{line}); one register "
            f"with two names is one entry with 'aliases'; vendor-specific registers declare 'shares_address_with'"])

    def test_address_of_a_base_array_instance(self):
        overlay = edit(self.OVERLAY, ("address: 0x40001000", "address: 0x106"))
        line, _ = where(BASE, "- name: TEST_BANK{n}_CTL")
        self.assertEqual(self.errors(overlay), [
            f"{self.at(overlay, '0x106')}: MY_CTL at 0x106 collides with TEST_BANK3_CTL ({self.base}:{line}); one "
            f"register with two names is one entry with 'aliases'; vendor-specific registers declare "
            f"'shares_address_with'"])

    def test_redeclared_category(self):
        overlay = edit(self.OVERLAY, ("  mine:\n", "  test:\n    description: \"x\"\n  mine:\n"))
        self.assertEqual(self.errors(overlay), [f"{self.at(overlay, 'test:')}: category 'test' is already declared"])

    def test_redeclared_vendor(self):
        overlay = "vendors:\n  myhv:\n    description: \"again\"\n" + self.OVERLAY
        self.assertEqual(self.errors(overlay), [f"{self.at(overlay, 'myhv:')}: vendor 'myhv' is already declared"])

    def test_redeclared_enum_and_layout(self):
        overlay = ("enums:\n  memory_type:\n    description: x\n    values: [{name: A, value: 0}]\n"
                   "layouts:\n  bank:\n    description: x\n    fields: []\n" + self.OVERLAY)
        enum_line, _ = where(BASE, "  memory_type:")
        layout_line, _ = where(BASE, "  bank:")
        self.assertEqual(self.errors(overlay), [
            f"{self.at(overlay, 'memory_type:')}: duplicate enum name 'memory_type' (first at {self.base}:{enum_line})",
            f"{self.at(overlay, 'bank:')}: duplicate layout name 'bank' (first at {self.base}:{layout_line})"])

    def test_clash_of_c_names_across_files(self):  # msr_test_bankx_ctl_t: base array TEST_BANK{n}_CTL, overlay
        overlay = edit(self.OVERLAY, ("name: MY_CTL", "name: TEST_BANKX_CTL"))
        line, _ = where(BASE, "- name: TEST_BANK{n}_CTL")
        self.assertEqual(self.errors(overlay), [
            f"{self.at(overlay, '- ^name: TEST_BANKX')}: MSR TEST_BANKX_CTL generates the C name "
            f"msr_test_bankx_ctl, which MSR TEST_BANK{{n}}_CTL ({self.base}:{line}) already generates"])

    def test_mistakes_in_both_files_sorted_by_file(self):
        base = edit(BASE, ("address: 0x12", "address: x"))
        overlay = edit(self.OVERLAY, ("access: rw", "access: rx"))
        self.assertEqual(self.errors(overlay, base), [
            f"{self.at(base, 'address: ^x', 'base.yaml')}: 'address' of MSR TEST_CMD must be an integer, not "
            f"string 'x'",
            f"{self.at(overlay, 'rx')}: 'access' of MSR MY_CTL must be one of ro, rw, wo, not 'rx'"])

    def test_yaml_error_in_the_overlay(self):
        overlay = edit(self.OVERLAY, ("address: 0x40001000", "address: [0x40001000"))
        self.assertEqual(len(self.errors(overlay)), 1)
        self.assertTrue(self.errors(overlay)[0].startswith(os.path.join(self.dir, "overlay.yaml") + ":"))

    def test_cli_with_an_overlay(self):
        overlay_text = edit(self.OVERLAY, ("name: MY_CTL", "name: TEST_CMD"))
        overlay = write_file(self.dir, "overlay.yaml", overlay_text)
        out = os.path.join(self.dir, "out")
        run = run_codegen("--spec", self.base, "--spec", overlay, "--out", out)
        line, _ = where(BASE, "- name: TEST_CMD")
        self.assertEqual(run.returncode, 1)
        self.assertEqual(run.stderr.splitlines(), [
            f"{self.at(overlay_text, 'name: ^TEST_CMD')}: duplicate MSR name TEST_CMD (first at {self.base}:{line})",
            f"{self.base}, {overlay}: 1 error(s); nothing was written"])
        self.assertFalse(os.path.exists(out))
        good = write_file(self.dir, "overlay.yaml", self.OVERLAY)
        run = run_codegen("--spec", self.base, "--spec", good, "--out", out, "--quiet")
        self.assertEqual((run.returncode, run.stdout, run.stderr), (0, "", ""))
        with open(os.path.join(out, "include", "x86msr", "msr_mine.h"), encoding="utf-8") as f:
            self.assertIn("from base.yaml,\n * overlay.yaml;", f.read())


class ControlSets(SpecErrorTestCase):
    def test_unknown_capability(self):
        spec = edit(BASE, ("width: 32\n    capability: TEST_CAP", "width: 32\n    capability: TEST_CAPS"))
        self.assertError(spec, "TEST_CAPS", "'capability' of VMX control set pins names 'TEST_CAPS', which is not "
                                            "an MSR of the spec")

    def test_unknown_true_capability(self):
        spec = edit(BASE, ("width: 32\n    capability: TEST_CAP",
                           "width: 32\n    capability: TEST_CAP\n    true_capability: TEST_TRUE_CAP"))
        self.assertError(spec, "TEST_TRUE_CAP", "'true_capability' of VMX control set pins names 'TEST_TRUE_CAP', "
                                                "which is not an MSR of the spec")

    def test_bit_outside_width(self):
        spec = edit(BASE, ("{bit: 3, name: EXIT_ON_Y", "{bit: 32, name: EXIT_ON_Y"))
        self.assertError(spec, "32, name", "a control bit of VMX control set pins: bit 32 is outside 0..31")

    def test_duplicate_bit(self):
        spec = edit(BASE, ("{bit: 3, name: EXIT_ON_Y", "{bit: 0, name: EXIT_ON_Y"))
        line, _ = where(spec, "{bit: 0", nth=1)
        self.assertError(spec, "{bit: 0", f"duplicate control bit in VMX control set pins '0' (first at line {line})",
                         nth=2)

    def test_duplicate_control_name(self):
        spec = edit(BASE, ("{bit: 3, name: EXIT_ON_Y", "{bit: 3, name: EXIT_ON_X"))
        line, _ = where(spec, "{bit: 0")
        self.assertError(spec, "{bit: 3", f"duplicate control name in VMX control set pins 'EXIT_ON_X' "
                                          f"(first at line {line})")

    def test_width_16(self):
        spec = edit(BASE, ("width: 32", "width: 16"))
        self.assertError(spec, "width: ^16", "'width' of VMX control set pins must be 32 or 64, not 16")


class GeneratedNames(SpecErrorTestCase):
    def test_field_clashes_with_register_macro(self):
        spec = edit(BASE, ("{name: GO,", "{name: RESERVED,"))
        line, _ = where(spec, "- name: TEST_CMD")
        self.assertError(spec, "{name: RESERVED", "field RESERVED of MSR TEST_CMD generates the C name "
                                                  f"MSR_TEST_CMD_RESERVED_MASK, which MSR TEST_CMD (line {line}) "
                                                  "already generates")

    def test_array_and_plain_msr_mangle_alike(self):  # {n} is x in C names: both are msr_test_bankx_ctl
        spec = edit(BASE, ("name: TEST_CMD", "name: TEST_BANKX_CTL"))
        line, _ = where(spec, "- name: TEST_BANKX_CTL")
        self.assertError(spec, "name: TEST_BANK{n}_CTL", "MSR TEST_BANK{n}_CTL generates the C name "
                                                         f"msr_test_bankx_ctl, which MSR TEST_BANKX_CTL (line {line}) "
                                                         "already generates")

    def test_fields_differing_only_in_case(self):  # both would be struct member `go`
        spec = edit(BASE, ('{name: GO, bits: 0, description: "Start."}',
                           '{name: GO, bits: 0, description: "Start."}\n      - {name: go, bits: 1, description: "x"}'))
        line, _ = where(spec, "{name: GO")
        self.assertError(spec, "{name: go", "field go of MSR TEST_CMD generates the C name MSR_TEST_CMD_GO_MASK, "
                                            f"which field GO of MSR TEST_CMD (line {line}) already generates")

    def test_enum_value_clashes_with_field_macro(self):
        spec = edit(BASE, ("{name: IDLE, value: 0", "{name: MASK, value: 0"))
        self.assertError(spec, "name: MODE", "field MODE of MSR TEST_CTL generates the C name "
                                             "MSR_TEST_CTL_MODE_MASK twice")

    def test_msr_clashes_with_core_name(self):
        spec = edit(BASE, ("name: TEST_CMD", "name: SPEC"))
        self.assertError(spec, "name: SPEC", "MSR SPEC generates the C name msr_spec, which the handwritten "
                                              "header x86msr/meta.h already declares")


class CollectAll(SpecErrorTestCase):
    def test_every_independent_mistake_is_reported_sorted_by_line(self):
        spec = edit(BASE,
                    ("vmx_control_sets:", "vmx_control_sets:\n  - {name: extra}"),      # last in the file
                    ("{name: GO, bits: 0,", "{name: GO, bits: 64,"),
                    ("address: 0x11", "address: 0x1_0000_0000"),
                    ("{name: UC, value: 0", "{name: UC, value: 0, colour: red"),       # first in the file
                    ('{name: STATUS, bits: 1,', '{name: STATUS, bits: "9:1",'))
        self.assertErrors(
            spec,
            ("colour", f"unknown key 'colour' in a value of enum memory_type; allowed keys: {allowed('enum_value')}"),
            ('"10:8"', "field TYPE overlaps STATUS at bit 8 (MSR TEST_CTL)"),
            ("0x1_0000_0000", "address 0x100000000 of MSR TEST_CAP does not fit in 32 bits"),
            ("64,", "'bits' of field GO of MSR TEST_CMD: bit 64 is outside 0..63"),
            ("{name: extra}", "VMX control set extra: missing required key 'bits'"),
            ("{name: extra}", "VMX control set extra: missing required key 'capability'"),
            ("{name: extra}", "VMX control set extra: missing required key 'description'"),
            ("{name: extra}", "VMX control set extra: missing required key 'width'"),
        )


class EndToEnd(unittest.TestCase):
    """The real command line: `python3 -m codegen` in a subprocess."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.out = os.path.join(self.tmp.name, "out")

    def assertRefused(self, spec_text, expected_lines):
        """On top of a good run's output: exit 1, exactly these lines, output unchanged."""
        shutil.copytree(GOOD["out"], self.out)  # copy2: contents and mtimes
        before = snapshot(self.out)
        path = write_file(self.tmp.name, "spec.yaml", spec_text)
        bad = run_codegen("--spec", path, "--out", self.out)
        self.assertEqual(bad.returncode, 1)
        self.assertEqual(bad.stdout, "")
        self.assertNotIn("Traceback", bad.stderr)
        self.assertEqual(bad.stderr.splitlines(),
                         [f"{path}:{line}" for line in expected_lines]
                         + [f"{path}: {len(expected_lines)} error(s); nothing was written"])
        self.assertEqual(snapshot(self.out), before)

    def test_yaml_syntax_error(self):
        spec = edit(BASE, ("address: 0x12", "address: 0x12: 3"))
        line, col = where(spec, "0x12^: 3")
        self.assertRefused(spec, [f"{line}:{col}: YAML syntax error: mapping values are not allowed here"])

    def test_several_mistakes(self):
        spec = edit(BASE, ("address: 0x12", "address: -5"), ("{name: GO,", "{name: int,"))
        l1, c1 = where(spec, "-5")
        l2, c2 = where(spec, "int,")
        self.assertRefused(spec, [f"{l1}:{c1}: address -0x5 of MSR TEST_CMD does not fit in 32 bits",
                                  f"{l2}:{c2}: 'name' of field int of MSR TEST_CMD: 'int' is a C or C++ keyword "
                                  f"('int')"])

    def test_a_mistake_in_a_copy_of_the_real_spec(self):
        with open(REAL_SPEC, encoding="utf-8") as f:
            real = f.read()
        shutil.copytree(os.path.join(REPO, "generated"), self.out)  # stands for the previous output
        before = snapshot(self.out)
        broken = edit(real, ("{name: NXE, bits: 11,", '{name: NXE, bits: "11:10",'))
        path = write_file(self.tmp.name, "msrs.yaml", broken)
        run = run_codegen("--spec", path, "--out", self.out)
        line, col = where(broken, 'NXE, bits: ^"11:10"')
        self.assertEqual(run.returncode, 1)
        self.assertEqual(run.stderr.splitlines(), [
            f"{path}:{line}:{col}: field NXE overlaps LMA at bit 10 (MSR IA32_EFER)",
            f"{path}: 1 error(s); nothing was written"])
        self.assertEqual(snapshot(self.out), before)

    def test_unreadable_spec_exits_2(self):
        missing = os.path.join(self.tmp.name, "nope.yaml")
        run = run_codegen("--spec", missing, "--out", self.out)
        self.assertEqual(run.returncode, 2)
        self.assertEqual(run.stderr, f"{missing}: cannot read the spec: No such file or directory\n")
        self.assertFalse(os.path.exists(self.out))


if __name__ == "__main__":
    unittest.main()
