"""Every schema enumeration (access modes, vendors, categories, CPUID registers,
condition kinds, comparisons, contexts) is spelled in exactly one source,
codegen/schema.py: the C enums and name tables are generated from it
(x86msr/msr_schema.h, msr_table.c), so no hand-written file may hold a table
of its spellings or of its C constants.

The scan reads every hand-written C file under src/ and every template under
codegen/templates/, with comments removed, and looks for tables:

- an initializer (`= { ... }`, nested braces included) holding two or more
  spellings of one enumeration as string literals ("rw1c", "intel",
  "GenuineIntel", "EAX"), or two or more of its C constants (MSR_ACCESS_RW);
- a `switch` that maps two or more of one enumeration's constants to string
  literals (a name table written as code);
- a set of two or more of one enumeration's constants joined with `|` (a
  property of the members, such as "writable", written out by hand);
- in a template, a spelling in the text it emits or a Jinja list or mapping of
  spellings (the templates print names the renderer passes them).

What is not a table is left alone: a single comparison (`access == MSR_ACCESS_WO`),
`case` labels that select behaviour (the evaluator's `case MSR_COMPARE_ABOVE:`),
JSON object keys, command-line option names, and an external tool's file format
that happens to use the same words (`cpuid -r` prints `eax=`). EXEMPT lists the
tables that are allowed, each with its reason.
"""

import os
import re
import unittest
from typing import Dict, Iterator, List, Set, Tuple

from codegen import schema

from .support import REPO

# Each enumeration: its spellings (as the spec, the manuals and CPUID write them)
# and the prefix of its C constants.
ENUMERATIONS: Dict[str, Tuple[Set[str], str]] = {
    "access": (set(schema.ACCESS_MODES), "MSR_ACCESS_"),
    "vendor": ({v.name for v in schema.VENDORS} | {v.title for v in schema.VENDORS}
               | {s for v in schema.VENDORS for s in v.signatures}, "MSR_VENDOR_"),
    "category": (set(schema.CATEGORY_NAMES), "MSR_CATEGORY_"),
    "cpuid_reg": (set(schema.CPUID_REGISTERS) | {r.upper() for r in schema.CPUID_REGISTERS}, "MSR_CPUID_REG_"),
    "condition_kind": ({c.name for c in schema.CONDITION_KINDS}, "MSR_CONDITION_KIND_"),
    "compare": ({c.name for c in schema.COMPARISONS}, "MSR_COMPARE_"),
    "context": ({c.name for c in schema.CONTEXTS}, "MSR_CONTEXT_"),
}
# Constants with an enumeration's prefix that are no member of it.
NOT_MEMBERS = {"MSR_ACCESS_COUNT", "MSR_VENDOR_COUNT", "MSR_VENDOR_ALL", "MSR_CATEGORY_COUNT", "MSR_CPUID_REG_COUNT",
               "MSR_CONDITION_KIND_COUNT", "MSR_COMPARE_COUNT", "MSR_CONTEXT_COUNT"}

# (file, enumeration, what the table is) -> why it may stay hand-written. Empty is the goal.
EXEMPT: Dict[Tuple[str, str, str], str] = {
    ("codegen/templates/docs/register.html.j2", "condition_kind", "text a template emits"):
        "the CSS class `msr` of a register's <section>, not the presence-condition kind",
}

C_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
C_STRING = re.compile(r'"((?:\\.|[^"\\\n])*)"')
CONSTANT = re.compile(r"\bMSR_[A-Z0-9_]+\b")


def unescape(literal: str) -> str:
    return re.sub(r"\\([0-7]{1,3}|.)", lambda m: chr(int(m.group(1), 8)) if m.group(1)[0] in "01234567"
                  else {"n": "\n", "t": "\t", "0": "\0"}.get(m.group(1), m.group(1)), literal)


def spellings_in(text: str) -> Dict[str, Set[str]]:
    """enumeration -> the spellings and constants of its members that `text` holds."""
    found: Dict[str, Set[str]] = {}
    strings = {unescape(s) for s in C_STRING.findall(text)}
    constants = set(CONSTANT.findall(text)) - NOT_MEMBERS
    for enum, (words, prefix) in ENUMERATIONS.items():
        hits = {s for s in strings if s in words} | {c for c in constants if c.startswith(prefix)}
        if hits:
            found[enum] = hits
    return found


def balanced(text: str, start: int) -> int:
    """The index just past the `}` that closes the `{` at `start`."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return i + 1
    return len(text)


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def c_tables(text: str) -> Iterator[Tuple[int, str, str, Set[str]]]:
    """(line, enumeration, kind of table, members) for every table of one enumeration in C `text`."""
    for m in re.finditer(r"=\s*\{", text):
        start = m.end() - 1
        body = text[start:balanced(text, start)]
        for enum, hits in spellings_in(body).items():
            if len(hits) >= 2:
                yield line_of(text, start), enum, "initializer", hits
    for m in re.finditer(r"\bswitch\s*\(", text):
        start = text.index("{", m.end())
        body = text[start:balanced(text, start)]
        labels = set(re.findall(r"\bcase\s+(MSR_[A-Z0-9_]+)\s*:", body)) - NOT_MEMBERS
        if not C_STRING.search(body):
            continue
        for enum, (_, prefix) in ENUMERATIONS.items():
            members = {c for c in labels if c.startswith(prefix)}
            if len(members) >= 2:
                yield line_of(text, start), enum, "switch naming its members", members
    for m in re.finditer(r"MSR_[A-Z0-9_]+\)?(?:\s*\|\s*[A-Za-z_]*\(?MSR_[A-Z0-9_]+\)?)+", text):
        for enum, hits in spellings_in(m.group(0)).items():
            if len(hits) >= 2:
                yield line_of(text, m.start()), enum, "set of members", hits


def template_tables(text: str) -> Iterator[Tuple[int, str, str, Set[str]]]:
    """Spellings a template emits as text, or lists in a Jinja table."""
    # What the template emits: everything outside {% %} and {{ }}.
    emitted = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", lambda m: " " * len(m.group(0)), text, flags=re.S)
    for enum, hits in spellings_in(emitted).items():
        for hit in sorted(hits):
            offset = emitted.find(hit)
            yield line_of(text, offset), enum, "text a template emits", {hit}
    for m in re.finditer(r"\{[{%].*?[%}]\}", text, re.S):
        tag = m.group(0)
        for table in re.finditer(r"\[[^\[\]]*\]|\{[^{}]*:[^{}]*\}", tag):
            words = {w for w in re.findall(r"[\"']([^\"']*)[\"']", table.group(0))}
            for enum, (spelled, prefix) in ENUMERATIONS.items():
                hits = {w for w in words if w in spelled or w.startswith(prefix)} - NOT_MEMBERS
                if len(hits) >= 2:
                    yield line_of(text, m.start() + table.start()), enum, "Jinja table", hits


def scan() -> List[Tuple[str, int, str, str, Set[str]]]:
    found = []
    for top in ("src", os.path.join("codegen", "templates")):
        for root, _, names in os.walk(os.path.join(REPO, top)):
            for name in sorted(names):
                path = os.path.join(root, name)
                rel = os.path.relpath(path, REPO)
                if name.endswith((".c", ".h")):
                    with open(path, encoding="utf-8") as f:
                        text = C_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), f.read())
                    tables = c_tables(text.replace("\\\n", " \n"))  # macros continue over lines
                elif name.endswith(".j2"):
                    with open(path, encoding="utf-8") as f:
                        text = JINJA_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), f.read())
                    text = C_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
                    tables = template_tables(text)
                else:
                    continue
                found += [(rel, line, enum, kind, hits) for line, enum, kind, hits in tables]
    return found


class SingleSource(unittest.TestCase):
    def test_no_hand_written_table_of_a_schema_enumeration(self):
        found = scan()
        tables = [f"{rel}:{line}: {kind} of {enum}: {', '.join(sorted(hits))}"
                  for rel, line, enum, kind, hits in found if (rel, enum, kind) not in EXEMPT]
        self.assertEqual(tables, [], "hand-written tables of schema enumerations; take them from x86msr/msr_schema.h "
                                     "and msr_table.c (msr_access_name(), msr_vendor_table[], ...) instead")
        used = {(rel, enum, kind) for rel, _, enum, kind, _ in found}
        self.assertEqual([e for e in EXEMPT if e not in used], [], "a stale exemption")

    def test_scanner_finds_tables(self):
        """The scan itself: the shapes it must catch, and what it must leave alone."""
        caught = '''
            static const char *const modes[] = { "ro", "rw", "rw1c" };
            static const struct v { const char *sig; } sigs[] = { { "GenuineIntel" }, { "AuthenticAMD" } };
            static const int kinds[] = { MSR_ACCESS_RO, MSR_ACCESS_RW };
            static const char *reg(int r) { switch (r) { case MSR_CPUID_REG_EAX: return "eax";
                                                         case MSR_CPUID_REG_EBX: return "ebx"; } return 0; }
            #define WRITABLE (BIT(MSR_ACCESS_RW) | BIT(MSR_ACCESS_WO))
        '''
        self.assertEqual(sorted((enum, kind) for _, enum, kind, _ in c_tables(caught)), [
            ("access", "initializer"), ("access", "initializer"), ("access", "set of members"),
            ("cpuid_reg", "switch naming its members"), ("vendor", "initializer")])
        left_alone = '''
            if (m->access == MSR_ACCESS_WO || m->vendors == MSR_VENDOR_ALL) return 0;
            switch (c->compare) { case MSR_COMPARE_EQUALS: x = a == b; break; case MSR_COMPARE_ABOVE: x = a > b; }
            json_key(w, "context"); json_key(w, "family");
            ok = value(words[2], "eax") && value(words[3], "ebx");
            static const char *const ops[] = { "", " = ", " > " };
            static const struct opt opts[] = { {"cpuid", 0}, {"list", 1} };
        '''
        self.assertEqual(list(c_tables(left_alone)), [])
        template = ('{% set modes = ["ro", "rw"] %}{{ access_constant[f.access] }} MSR_ACCESS_RW\n'
                    '{% if c.kind == "family" %}x86msr/msr_table.c{% endif %}\n')
        self.assertEqual(sorted((line, enum, kind) for line, enum, kind, _ in template_tables(template)),
                         [(1, "access", "Jinja table"), (1, "access", "text a template emits")])


if __name__ == "__main__":
    unittest.main()
