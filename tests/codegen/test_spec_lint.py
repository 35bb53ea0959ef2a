"""The real spec (spec/msrs.yaml) beyond what the validator enforces: the
conventions spec/README.md documents, the registers issue 2 requires, the
README's key tables in sync with codegen/schema.py, and the list of names the
handwritten headers export (codegen/handwritten_names.txt) in sync with them."""

import contextlib
import io
import os
import re
import shutil
import tempfile
import unittest

from codegen import handwritten, schema, specdoc
from codegen.__main__ import main

from .support import REAL_SPEC, REPO, real_model, real_raw, run_codegen

SPEC_README = os.path.join(REPO, "spec", "README.md")

UPPER = re.compile(r"^[A-Z][A-Z0-9_]*$")
LOWER = re.compile(r"^[a-z][a-z0-9_]*$")

# The MSRs of the original design and the VMX block (issue 2), with their addresses.
REQUIRED = {
    "IA32_FEATURE_CONTROL": 0x3A, "IA32_PAT": 0x277, "IA32_XSS": 0xDA0, "IA32_EFER": 0xC0000080,
    "IA32_STAR": 0xC0000081, "IA32_LSTAR": 0xC0000082, "IA32_CSTAR": 0xC0000083, "IA32_FMASK": 0xC0000084,
    "IA32_FS_BASE": 0xC0000100, "IA32_GS_BASE": 0xC0000101, "IA32_KERNEL_GS_BASE": 0xC0000102,
    "IA32_VMX_BASIC": 0x480, "IA32_VMX_PINBASED_CTLS": 0x481, "IA32_VMX_PROCBASED_CTLS": 0x482,
    "IA32_VMX_EXIT_CTLS": 0x483, "IA32_VMX_ENTRY_CTLS": 0x484, "IA32_VMX_MISC": 0x485,
    "IA32_VMX_CR0_FIXED0": 0x486, "IA32_VMX_CR0_FIXED1": 0x487, "IA32_VMX_CR4_FIXED0": 0x488,
    "IA32_VMX_CR4_FIXED1": 0x489, "IA32_VMX_VMCS_ENUM": 0x48A, "IA32_VMX_PROCBASED_CTLS2": 0x48B,
    "IA32_VMX_EPT_VPID_CAP": 0x48C, "IA32_VMX_TRUE_PINBASED_CTLS": 0x48D, "IA32_VMX_TRUE_PROCBASED_CTLS": 0x48E,
    "IA32_VMX_TRUE_EXIT_CTLS": 0x48F, "IA32_VMX_TRUE_ENTRY_CTLS": 0x490, "IA32_VMX_VMFUNC": 0x491,
    "IA32_VMX_PROCBASED_CTLS3": 0x492, "IA32_VMX_EXIT_CTLS2": 0x493,
}


class RealSpec(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.raw = real_raw()
        cls.model = real_model()

    def test_every_msr_has_category_description_vendors_and_ref(self):
        vendors = set(schema.VENDOR_NAMES) | set(self.raw.get("vendors", {}))
        for m in self.raw["msrs"]:
            with self.subTest(msr=m.get("name")):
                self.assertRegex(m.get("category", ""), LOWER, "category: a lower-case group")
                self.assertIsInstance(m.get("description"), str)
                self.assertTrue(m["description"].strip())
                self.assertNotRegex(m["description"], r"\b(TODO|TBD|FIXME|XXX)\b")
                self.assertTrue(m.get("vendors"), "vendors: at least one")
                self.assertTrue(set(m["vendors"]) <= vendors)
                self.assertTrue(str(m.get("ref", "")).strip(), "ref: where the manual documents it")

    def test_names_follow_the_documented_case(self):
        for m in self.raw["msrs"]:
            with self.subTest(msr=m.get("name")):
                self.assertRegex(m["name"].replace("{n}", ""), UPPER, "MSR names are upper case")
                for a in m.get("aliases", []):
                    self.assertRegex(a.replace("{n}", ""), UPPER)
                for f in m.get("fields", []):
                    self.assertRegex(f["name"], UPPER, "field names are upper case")
                    self.assertTrue(str(f.get("description", "")).strip(), f"{f['name']} has no description")
                    if isinstance(f.get("enum"), list):
                        for v in f["enum"]:
                            self.assertRegex(v["name"], UPPER)
        for name, e in self.raw.get("enums", {}).items():
            self.assertRegex(name, LOWER, "shared enum names are lower case")
            for v in e["values"]:
                self.assertRegex(v["name"], UPPER)
        for s in self.raw.get("vmx_control_sets", []):
            self.assertRegex(s["name"], LOWER, "control set names are lower case")
            for b in s["bits"]:
                self.assertRegex(b["name"], UPPER)
        for key in ("vendors", "categories", "layouts"):
            for name in self.raw.get(key, {}):
                self.assertRegex(name, LOWER, f"{key} are lower case")

    def test_no_field_lists_its_registers_vendors(self):
        """A field's `vendors` narrows the register's; the same list again says nothing."""
        for m in self.raw["msrs"]:
            for f in m.get("fields", []):
                if "vendors" in f:
                    with self.subTest(msr=m["name"], field=f["name"]):
                        self.assertNotEqual(sorted(f["vendors"]), sorted(m["vendors"]))

    def test_declared_categories_are_used(self):
        used = {m["category"] for m in self.raw["msrs"]}
        for name in self.raw.get("categories", {}):
            self.assertIn(name, used, f"category {name} is declared but no MSR has it")

    def test_required_msrs_present(self):
        by_name = {m.name: m for m in self.model.msrs}
        for name, address in REQUIRED.items():
            with self.subTest(msr=name):
                self.assertIn(name, by_name)
                self.assertEqual(by_name[name].address, address)
                self.assertFalse(by_name[name].is_array)

    def test_vmx_capabilities_have_fields(self):
        """Issue 2: every bit of BASIC, MISC and EPT_VPID_CAP, the allowed-0/1 halves of the control MSRs."""
        by_name = {m.name: m for m in self.model.msrs}
        for name in REQUIRED:
            if name.startswith("IA32_VMX_"):
                with self.subTest(msr=name):
                    self.assertTrue(by_name[name].fields)
                    self.assertEqual(by_name[name].access, "ro")
        for name in ("IA32_VMX_PINBASED_CTLS", "IA32_VMX_PROCBASED_CTLS", "IA32_VMX_EXIT_CTLS",
                     "IA32_VMX_ENTRY_CTLS", "IA32_VMX_PROCBASED_CTLS2", "IA32_VMX_TRUE_PINBASED_CTLS",
                     "IA32_VMX_TRUE_PROCBASED_CTLS", "IA32_VMX_TRUE_EXIT_CTLS", "IA32_VMX_TRUE_ENTRY_CTLS"):
            with self.subTest(msr=name):
                self.assertEqual([(f.msb, f.lsb) for f in by_name[name].fields], [(31, 0), (63, 32)])


# An MSR name as descriptions write it: IA32_EFER, MSR_PLATFORM_INFO, IA32_MC{n}_CTL,
# IA32_MCi_STATUS, IA32_PMCn (the manuals' index letters stand for {n}).
MSR_TOKEN = re.compile(r"(?<![A-Za-z0-9_{])(?:IA32|MSR)_[A-Za-z0-9_{}]*[A-Za-z0-9}]")
INDEX_LETTER = re.compile(r"(?<=[A-Z0-9])(?:\{n\}|[nix])(?=_|$)")


def normalized(token):
    """IA32_MCi_STATUS, IA32_MC{n}_STATUS, IA32_PMCn -> IA32_MC{n}_STATUS / IA32_PMC{n}; None when the
    token is no MSR name (lower-case words)."""
    token = INDEX_LETTER.sub("{n}", token)
    return token if re.fullmatch(r"[A-Z0-9_]*(\{n\}[A-Z0-9_]*)?", token) else None
# Tokens that look like MSR names but name something else (with the reason).
NOT_MSR_NAMES = {
    "MSR_VIRTUAL_ENUMERATION_SUPPORTED": "a field of IA32_ARCH_CAPABILITIES",
}


def field_signature(fields, with_descriptions):
    return tuple((f["name"], str(f["bits"]), f.get("access"), str(f.get("enum")), f.get("undocumented", False),
                  f.get("description") if with_descriptions else None) for f in fields)


class SpecTrust(unittest.TestCase):
    """Issue 12: a spec people can trust."""

    @classmethod
    def setUpClass(cls):
        cls.raw = real_raw()
        cls.model = real_model()

    def test_every_register_has_fields(self):
        """No register without fields: one without inner structure gets one field of its documented
        width, so its reserved mask is true."""
        empty = [m.name for m in self.model.msrs if not m.fields]
        self.assertEqual(empty, [], "registers without fields")

    def test_no_field_list_written_twice(self):
        """A field list two registers share is a layout (`layouts:` + `layout:`), not two copies.
        Lists of two or more fields compare by name, bits, access, enum and undocumented; single-field
        lists also by description (a lone 63:0 VALUE field is often the whole register)."""
        seen = {}
        for m in self.raw["msrs"]:
            fields = m.get("fields")
            if not fields:
                continue
            key = field_signature(fields, with_descriptions=len(fields) == 1)
            seen.setdefault(key, []).append(m["name"])
        repeated = [names for names in seen.values() if len(names) > 1]
        self.maxDiff = None
        self.assertEqual(repeated, [], "registers with the same field list written out twice: use a layout")

    def test_layouts_are_used_twice(self):
        """A layout exists to be shared: each is referenced by at least two registers."""
        uses = {}
        for m in self.raw["msrs"]:
            if "layout" in m:
                uses[m["layout"]] = uses.get(m["layout"], 0) + 1
        lonely = sorted(name for name in self.raw.get("layouts", {}) if uses.get(name, 0) < 2)
        self.assertEqual(lonely, [], "layouts used by fewer than two registers")

    def test_descriptions_name_only_msrs_of_the_spec(self):
        """Every MSR a description names exists in the spec (by name or alias; the SDM's MSR_ prefix
        of model-specific registers is dropped, as the spec names them)."""
        known = set()
        for m in self.model.msrs:
            known.update((m.name,) + m.aliases)
            for i in m.instances:
                known.add(i.name)
                known.update(i.aliases)
        missing = {}

        def check(owner, text):
            for match in MSR_TOKEN.finditer(text or ""):
                token = match.group(0)
                name = normalized(token[4:] if token.startswith("MSR_") else token)
                if token in NOT_MSR_NAMES or name is None or name in known or normalized(token) in known:
                    continue
                if (text[match.end():match.end() + 2] == "_*" and
                        any(k.startswith(name + "_") for k in known)):  # IA32_RTIT_*: a family of MSRs
                    continue
                missing.setdefault(token, set()).add(owner)

        for m in self.model.msrs:
            check(m.name, m.description)
            for f in m.fields:
                check(f"{m.name}.{f.name}", f.description)
        self.maxDiff = None
        self.assertEqual({k: sorted(v) for k, v in missing.items()}, {},
                         "descriptions name MSRs the spec does not have")

    def test_no_presence_is_free_text(self):
        """Presence is data: a description that speaks of when the register is present goes with a
        structured `present_if` (the prose may explain it, never replace it)."""
        prose_only = [m.name for m in self.model.msrs
                      if re.search(r"(?i)\bpresent (if|when|only)\b", m.description) and m.present_if is None]
        self.assertEqual(prose_only, [], "presence in prose only")

    def test_no_unresolved_research_markers(self):
        for m in self.raw["msrs"]:
            text = " ".join([m.get("description", "")] + [f.get("description", "") for f in m.get("fields", [])])
            with self.subTest(msr=m["name"]):
                self.assertNotRegex(text, r"\b(UNCERTAIN|UNVERIFIED)\b")


class SpecReadme(unittest.TestCase):
    def test_key_tables_in_sync(self):
        run = run_codegen("--spec", "spec/msrs.yaml", "--spec-doc", "spec/README.md", "--check")
        self.assertEqual((run.returncode, run.stdout, run.stderr), (0, "", ""))

    def test_every_record_kind_documented(self):
        with open(SPEC_README, encoding="utf-8") as f:
            text = f.read()
        marked = set(re.findall(r"<!-- schema:(\w+) -->", text))
        self.assertEqual(marked, set(re.findall(r"<!-- /schema:(\w+) -->", text)))
        self.assertEqual(specdoc.unknown(text), [])
        self.assertEqual(marked, set(schema.RECORDS) | set(specdoc.SPECIAL))

    def test_check_notices_a_stale_table_and_rewrite_fixes_it(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        copy = os.path.join(tmp.name, "README.md")
        # A document of its own (spec/README.md may be mid-edit): prose around two tables.
        text = specdoc.rendered("# Spec\n\n<!-- schema:msr -->\n<!-- /schema:msr -->\n\nprose\n\n"
                                "<!-- schema:conditions -->\n<!-- /schema:conditions -->\n")
        row = "| `address` | int | yes |"
        self.assertIn(row, text)
        self.assertIn("| `sev_snp_guest` |", text)
        with open(copy, "w", encoding="utf-8") as f:
            f.write(text.replace(row, "| `address` | str | yes |"))

        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = main(["--spec", REAL_SPEC, "--spec-doc", copy, "--check"])
        self.assertEqual(status, 1)
        self.assertEqual(err.getvalue(), f"{copy}: key tables differ from codegen/schema.py; "
                                         f"run python3 -m codegen --spec-doc {copy}\n")

        self.assertEqual(main(["--spec", REAL_SPEC, "--spec-doc", copy]), 0)
        with open(copy, encoding="utf-8") as f:
            self.assertEqual(f.read(), text)

    def test_unknown_table_is_an_error(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        copy = os.path.join(tmp.name, "README.md")
        text = "<!-- schema:cpuid -->\n| old |\n<!-- /schema:cpuid -->\n"
        with open(copy, "w", encoding="utf-8") as f:
            f.write(text)
        for check in ([], ["--check"]):
            with self.subTest(check=check):
                err = io.StringIO()
                with contextlib.redirect_stderr(err):
                    status = main(["--spec-doc", copy, *check])
                self.assertEqual(status, 1)
                tables = ", ".join(sorted(set(schema.RECORDS) | set(specdoc.SPECIAL)))
                self.assertEqual(err.getvalue(), f"{copy}: no schema table called cpuid (tables: {tables})\n")
                with open(copy, encoding="utf-8") as f:
                    self.assertEqual(f.read(), text)


class HandwrittenNames(unittest.TestCase):
    """codegen/handwritten_names.txt lists what the handwritten headers export."""

    def test_list_in_sync_with_the_headers(self):
        run = run_codegen("--handwritten-names", "src/include/x86msr", "--check")
        self.assertEqual((run.returncode, run.stdout, run.stderr), (0, "", ""))

    def test_extract(self):
        header = """
            #define MSR_A 1
            #define NOT_OURS 2
            struct msr_opaque;
            struct msr_thing { int msr_member; };
            enum msr_e { MSR_E_X = 1, MSR_E_Y };
            typedef int (*msr_fn)(void *msr_ctx);
            typedef union { unsigned raw; } msr_u_t;
            extern const int msr_table_size;
            static inline int msr_inline(int x) { int msr_local = x; return msr_local; }
            int msr_call(const char *s); /* msr_comment */
            const char *note = "msr_string";
        """
        self.assertEqual(handwritten.extract(header), [
            "MSR_A", "MSR_E_X", "MSR_E_Y", "msr_call", "msr_e", "msr_fn", "msr_inline", "msr_opaque",
            "msr_table_size", "msr_thing", "msr_u_t"])


if __name__ == "__main__":
    unittest.main()
