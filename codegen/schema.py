"""The spec's key table: one place that says which keys each kind of spec entry
takes, their types, whether they are required, their defaults and what they mean.

The validator checks every mapping in the spec against this table and
`spec/README.md` renders it, so the two cannot drift apart.
"""

from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

# Value types. A type is one of these strings; `list:KIND` is a list of mappings
# of record KIND, `map:KIND` a mapping from a name to a record of KIND.
INT = "int"
STR = "str"
IDENT = "identifier"          # a C identifier, not a keyword
NAME_PATTERN = "msr-name"     # an MSR name, possibly holding the {n} placeholder
BITS = "bits"                 # "msb:lsb" or a single bit number
STR_LIST = "list:str"
IDENT_LIST = "list:identifier"


@dataclass(frozen=True)
class Key:
    name: str
    type: str
    required: bool
    meaning: str
    default: Any = None
    choices: Optional[Tuple[str, ...]] = None


# Access modes of a whole register.
REGISTER_ACCESS = ("ro", "rw", "wo")

# Access modes of a field: mode -> (readable, writable, meaning).
FIELD_ACCESS: Dict[str, Tuple[bool, bool, str]] = {
    "rw": (True, True, "read/write"),
    "ro": (True, False, "read-only: writes are ignored or must write back the value read"),
    "wo": (False, True, "write-only: reads return 0 or an undefined value"),
    "rw1c": (True, True, "read, write 1 to clear (status bits)"),
    "rwo": (True, True, "read, write once: a lock bit, or a field frozen by a lock bit until reset"),
}

# Which field access modes each register access mode allows.
FIELD_ACCESS_ALLOWED = {
    "rw": tuple(FIELD_ACCESS),
    "ro": ("ro",),
    "wo": ("wo",),
}

VENDORS = ("intel", "amd")
CPUID_REGISTERS = ("eax", "ebx", "ecx", "edx")

RECORDS: Dict[str, Tuple[Key, ...]] = {
    "top": (
        Key("enums", "map:enum", False, "Enumerations shared by several fields (e.g. `memory_type`).", {}),
        Key("msrs", "list:msr", True, "The registers."),
        Key("vmx_control_sets", "list:control_set", False,
            "Named bits of the VMX control sets, tied to their capability MSRs.", []),
    ),
    "enum": (
        Key("description", STR, True, "What the values stand for."),
        Key("values", "list:enum_value", True, "The named values."),
    ),
    "enum_value": (
        Key("name", IDENT, True, "Upper-case name, e.g. `WB`."),
        Key("value", INT, True, "The encoding."),
        Key("description", STR, False, "What it means.", ""),
    ),
    "msr": (
        Key("name", NAME_PATTERN, True,
            "The vendor manual's name, upper case (`IA32_EFER`); arrays hold `{n}`."),
        Key("address", INT, True, "The address (ECX for rdmsr/wrmsr), 32 bits; of instance 0 for arrays."),
        Key("category", IDENT, True,
            "Lower-case group; one generated header per category (`msr_<category>.h`)."),
        Key("access", STR, True, "Register access mode.", choices=REGISTER_ACCESS),
        Key("description", STR, True, "One or more sentences from the manual."),
        Key("vendors", STR_LIST, True, "Which vendors document it: `intel`, `amd` or both.",
            choices=VENDORS),
        Key("ref", STR, False, "Where it is documented (`SDM Vol 4 Table 2-2`).", ""),
        Key("aliases", STR_LIST, False, "Other manuals' names for the same register (`EFER`).", []),
        Key("shares_address_with", STR, False,
            "Another MSR at the same address that a different vendor defines differently "
            "(their `vendors` must not overlap). Same register, other name: use `aliases`.", None),
        Key("cpuid", "cpuid_or_any", False,
            "Presence condition: one condition or `{any_of: [...]}`.", None),
        Key("condition", STR, False,
            "A presence condition CPUID cannot express (`IA32_MTRRCAP[7:0] > n`); with it, "
            "msr_is_supported() answers 'unknown' where CPUID alone would say 'yes'.", None),
        Key("count", INT, False, "Number of instances of an array register.", None),
        Key("stride", INT, False, "Address distance between array instances.", 1),
        Key("fields", "list:field", False, "The documented bit fields.", []),
    ),
    "cpuid": (
        Key("leaf", INT, True, "EAX input of CPUID."),
        Key("subleaf", INT, False, "ECX input of CPUID.", 0),
        Key("register", STR, True, "Output register.", choices=CPUID_REGISTERS),
        Key("bit", INT, True, "Bit (0..31) that must be 1."),
    ),
    "cpuid_any": (
        Key("any_of", "list:cpuid", True, "The register exists when any condition holds."),
    ),
    "field": (
        Key("name", IDENT, True, "Upper-case name from the manual (`NXE`)."),
        Key("bits", BITS, True, "`\"msb:lsb\"` or one bit number, 0..63."),
        Key("access", STR, False, "Field access mode; defaults to the register's.", None,
            choices=tuple(FIELD_ACCESS)),
        Key("description", STR, True, "What the field does."),
        Key("enum", "enum_ref", False,
            "Named values: the name of a shared enum, or a list of `{name, value, description}`.",
            None),
        Key("reset", INT, False, "Value after reset, where documented.", None),
    ),
    "control_set": (
        Key("name", IDENT, True, "Lower-case set name (`pinbased`, `secondary`)."),
        Key("description", STR, True, "The set as the SDM titles it."),
        Key("width", INT, True, "32 or 64 bits.", choices=None),
        Key("capability", STR, True, "The capability MSR (`IA32_VMX_PINBASED_CTLS`)."),
        Key("true_capability", STR, False,
            "The TRUE_* capability MSR used when IA32_VMX_BASIC[55] = 1.", None),
        Key("bits", "list:control_bit", True, "The named controls."),
    ),
    "control_bit": (
        Key("bit", INT, True, "Bit position."),
        Key("name", IDENT, True, "Upper-case name (`USE_MSR_BITMAPS`)."),
        Key("description", STR, True, "The SDM's name for the control."),
    ),
}


def keys_of(kind: str) -> Dict[str, Key]:
    return {k.name: k for k in RECORDS[kind]}


def access_table_markdown() -> str:
    rows = ["| mode | readable | writable | meaning |", "|---|---|---|---|"]
    for mode, (rd, wr, meaning) in FIELD_ACCESS.items():
        rows.append(f"| `{mode}` | {'yes' if rd else 'no'} | {'yes' if wr else 'no'} | {meaning} |")
    return "\n".join(rows)


def record_table_markdown(kind: str) -> str:
    rows = ["| key | type | required | default | meaning |", "|---|---|---|---|---|"]
    for k in RECORDS[kind]:
        typ = k.type
        if k.choices:
            typ += " (" + ", ".join(f"`{c}`" for c in k.choices) + ")"
        default = "" if k.required or k.default in (None, [], {}, "") else f"`{k.default}`"
        rows.append(f"| `{k.name}` | {typ} | {'yes' if k.required else 'no'} | {default} | {k.meaning} |")
    return "\n".join(rows)
