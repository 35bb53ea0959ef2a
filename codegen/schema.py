"""The spec's schema: every key each kind of entry takes (type, required,
default, meaning) and every enumeration the spec, the C code and the docs
share (access modes, vendors, CPUID registers, condition kinds, comparisons,
categories).

This module is the one place those are spelled. The validator checks the spec
against the key tables; the C enums and name tables (x86msr/msr_schema.h,
msr_table.c), the JSON Schema and spec/README.md are rendered from them.
"""

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

# ---- value types --------------------------------------------------------------
# A type is one of these strings; `list:KIND` is a list of records of KIND,
# `map:KIND` a mapping from a name to a record of KIND.
INT = "int"
STR = "str"
BOOL = "bool"
IDENT = "identifier"          # a C identifier, not a keyword
NAME_PATTERN = "msr-name"     # an MSR name: upper case, possibly holding the {n} placeholder
BITS = "bits"                 # "msb:lsb" or a single bit number
STR_LIST = "list:str"
INT_LIST = "list:int"
CONDITION = "condition"       # a presence condition (CONDITION_KINDS)
ENUM_REF = "enum_ref"         # the name of a shared enum, or a list of values
INDEXED_INT = "int-or-n"      # an integer, or `n`: the array instance index
VENDOR_LIST = "vendor_list"   # vendor names (built in or declared in the spec)
CATEGORY = "category"         # a category name (built in or declared in the spec)
CONTROL_REF = "control_ref"   # {set: NAME, bit: N}
WORDS = "map:str"             # placeholder -> words, for the descriptions of a shared layout


@dataclass(frozen=True)
class Key:
    name: str
    type: str
    required: bool
    meaning: str
    default: Any = None
    choices: Optional[Tuple[str, ...]] = None


@dataclass(frozen=True)
class EnumMember:
    """One member of a schema enumeration: its spec spelling, the C constant's
    suffix (MSR_<ENUM>_<SUFFIX>), its C value and what it means."""

    name: str
    meaning: str


# ---- enumerations ---------------------------------------------------------------

# Access modes of registers and fields: name -> (readable, writable, meaning).
ACCESS_MODES: Dict[str, Tuple[bool, bool, str]] = {
    "ro": (True, False, "read-only: writes are ignored or must write back the value read"),
    "rw": (True, True, "read/write"),
    "wo": (False, True, "write-only: reads return 0 or an undefined value"),
    "rw1c": (True, True, "read, write 1 to clear (status bits)"),
    "rwo": (True, True, "read, write once: a lock bit, or a field frozen by a lock bit until reset"),
}

# Which of them a whole register may have, and which field modes each allows.
REGISTER_ACCESS = ("ro", "rw", "wo")
FIELD_ACCESS_ALLOWED = {
    "rw": tuple(ACCESS_MODES),
    "ro": ("ro",),
    "wo": ("wo",),
}


@dataclass(frozen=True)
class Vendor:
    name: str
    title: str          # how people write it
    meaning: str
    leaf: int           # the CPUID leaf whose registers spell the signature
    signatures: Tuple[str, ...]  # 12-character strings
    registers: Tuple[str, ...]   # the order the signature's 4-byte pieces are read in


# Built-in vendors. CPU vendors are recognised by CPUID leaf 0 (EBX, EDX, ECX);
# hypervisors by their signature at leaf 40000000H (EBX, ECX, EDX). A spec may
# declare more (top-level `vendors:`), recognised by no signature.
VENDORS: Tuple[Vendor, ...] = (
    Vendor("intel", "Intel", "Intel processors (SDM)", 0x0, ("GenuineIntel",), ("ebx", "edx", "ecx")),
    Vendor("amd", "AMD", "AMD and Hygon processors (APM)", 0x0, ("AuthenticAMD", "HygonGenuine"),
           ("ebx", "edx", "ecx")),
    Vendor("kvm", "KVM", "KVM paravirtual MSRs (Linux Documentation/virt/kvm/x86/msr.rst)", 0x40000000,
           ("KVMKVMKVM\0\0\0",), ("ebx", "ecx", "edx")),
    Vendor("hyperv", "Hyper-V", "Hyper-V synthetic MSRs (Hypervisor Top-Level Functional Specification)",
           0x40000000, ("Microsoft Hv",), ("ebx", "ecx", "edx")),
    Vendor("xen", "Xen", "Xen-defined MSRs", 0x40000000, ("XenVMMXenVMM",), ("ebx", "ecx", "edx")),
)
VENDOR_NAMES = tuple(v.name for v in VENDORS)
VENDOR_LIMIT = 32  # vendor sets are uint32_t bit masks

CPUID_REGISTERS = ("eax", "ebx", "ecx", "edx")

# Kinds of presence conditions (the key that names the kind, C constant suffix, meaning).
CONDITION_KINDS: Tuple[EnumMember, ...] = (
    EnumMember("cpuid", "a CPUID output bit or bit field (key `leaf`)"),
    EnumMember("msr", "a bit or bit field of another MSR of the spec (key `msr`)"),
    EnumMember("family", "the CPU's family and, optionally, model (key `family`)"),
    EnumMember("context", "a state of the processor the facts cannot show (key `context`): always unknown"),
    EnumMember("any_of", "at least one of the listed conditions"),
    EnumMember("all_of", "every listed condition"),
    EnumMember("not", "the one condition given is false (yes and no swap; unknown stays unknown)"),
    EnumMember("index", "the array instance is the one of that index (key `index`): a field of one instance only"),
)

# The states a `context` condition names: a register exists only there, and
# CPUID or MSR values cannot tell (so presence is "unknown", never "yes").
CONTEXTS: Tuple[EnumMember, ...] = (
    EnumMember("smm", "the processor is in system management mode"),
    EnumMember("guest", "the code runs as a guest of a hypervisor (the register is virtual)"),
    EnumMember("sev_snp_guest", "the code runs in an AMD SEV-SNP guest with the feature enabled"),
    EnumMember("model_specific", "the vendor documents the register per processor model only"),
)

# How a tested bit field is compared. `nonzero` is the default (a single bit is 1).
COMPARISONS: Tuple[EnumMember, ...] = (
    EnumMember("nonzero", "the bits are not all zero (a single bit: it is 1)"),
    EnumMember("equals", "the bits equal the operand"),
    EnumMember("above", "the bits, as a number, are greater than the operand"),
    EnumMember("at_least", "the bits, as a number, are at least the operand"),
)
COMPARISON_KEYS = tuple(c.name for c in COMPARISONS if c.name != "nonzero")

# What a WRMSR does once a register's lock field (the `locked_by` attribute) is 1.
LOCK_WRITES: Tuple[EnumMember, ...] = (
    EnumMember("fault", "once the lock field is 1, a WRMSR raises #GP until reset"),
    EnumMember("ignored", "once the lock field is 1, WRMSR succeeds and changes nothing until reset"),
)

# Where a VMM carries a register whose value is guest state (the `guest_state`
# attribute), in the order a restore sets them: each carrier after the ones
# above it, for the reason its meaning gives. Registers carried the same way are
# restored in the order their `restore_after` constraints give (x86msr/guest.h).
GUEST_STATES: Tuple[EnumMember, ...] = (
    EnumMember("feature", "a capability the VMM chooses for the vCPU (KVM_GET_MSR_FEATURE_INDEX_LIST): read-only "
                          "to the guest, set with KVM_SET_MSRS before the vCPU first runs; restored first, since, "
                          "like CPUID, it decides which other state exists"),
    EnumMember("setup", "fixed by the VMM's set-up of the vCPU, not by an MSR write (IA32_MCG_CAP: "
                        "KVM_X86_SETUP_MCE); restored by that set-up, before the registers it sizes"),
    EnumMember("sregs", "carried in the special registers (KVM_GET_SREGS/KVM_SET_SREGS: EFER, the APIC base, the "
                        "FS and GS bases); restored before the local APIC, whose state KVM_SET_LAPIC reads in the "
                        "mode the APIC base selects"),
    EnumMember("lapic", "carried in the local APIC state (KVM_GET_LAPIC/KVM_SET_LAPIC: the x2APIC registers); "
                        "restored before the MSRs, as KVM drops a write of IA32_TSC_DEADLINE while the LVT timer "
                        "is not in TSC-deadline mode"),
    EnumMember("msr", "saved and restored as an MSR (KVM_GET_MSRS/KVM_SET_MSRS), last"),
)

# How a migration baseline combines a field's values from several hosts (the
# `merge` attribute): the value every host can offer a guest that may move
# between them.
MERGE_RULES: Tuple[EnumMember, ...] = (
    EnumMember("equal", "every host has the same value, or no host can offer the register (identifiers, "
                        "formats, rates)"),
    EnumMember("equal_or_zero", "the value every host has; where hosts differ, 0, which turns the feature off (the "
                                "LBR and PEBS formats: KVM accepts the host's own format or 0)"),
    EnumMember("min", "the lowest value a host has (counts, limits, a revision)"),
    EnumMember("max", "the highest value a host has (a size the guest must allocate)"),
    EnumMember("and", "the bits every host has: a feature, or a 'not affected' promise, a guest may rely on "
                      "only where all hosts give it"),
    EnumMember("or", "the bits any host has: a setting that must be 1, or a 'may be affected' warning, the "
                     "guest must expect wherever one host needs it"),
)


# Categories: one generated header per category (x86msr/msr_<category>.h). A spec
# may declare more (top-level `categories:`).
CATEGORIES: Tuple[EnumMember, ...] = (
    EnumMember("amd_config", "AMD configuration: HWCR, NB/DE/LS/IC configuration, P-states, patch loader"),
    EnumMember("amd_debug", "AMD debug: LBR stack, breakpoint address masks, debug extensions"),
    EnumMember("amd_mca", "AMD machine check: scalable MCA banks, thresholding, configuration"),
    EnumMember("amd_perf", "AMD performance monitoring: core, northbridge, L3 and data-fabric counters"),
    EnumMember("amd_power", "AMD power management: P-state control, RAPL, C-state base"),
    EnumMember("amd_qos", "AMD platform quality of service: monitoring and allocation"),
    EnumMember("amd_smm", "AMD system management mode: SMM base, address and mask, SMI trigger"),
    EnumMember("apic", "Local APIC: APIC base, x2APIC registers"),
    EnumMember("cet", "Control-flow enforcement: shadow stacks and indirect branch tracking"),
    EnumMember("debug", "Debug control, last-branch and exception recording"),
    EnumMember("feature", "Feature control and enumeration: FEATURE_CONTROL, microcode, capabilities"),
    EnumMember("hyperv", "Hyper-V synthetic MSRs"),
    EnumMember("ibs", "AMD instruction-based sampling"),
    EnumMember("kvm", "KVM paravirtual MSRs"),
    EnumMember("lbr", "Architectural last branch records"),
    EnumMember("mca", "Machine check architecture: global registers and banks"),
    EnumMember("memory", "Memory typing and protection: PAT, memory encryption, keys"),
    EnumMember("misc", "Miscellaneous: platform ID, monitor/mwait, misc enables"),
    EnumMember("model_specific", "Model-specific registers of particular processor families"),
    EnumMember("mtrr", "Memory type range registers"),
    EnumMember("p4_perf", "NetBurst (family 0FH) performance monitoring: counters, CCCRs, ESCRs"),
    EnumMember("perf", "Performance monitoring: counters, event selects, global control, PEBS"),
    EnumMember("power", "Power and thermal management: P-states, HWP, RAPL, C-states"),
    EnumMember("qos", "Intel resource director technology: monitoring and allocation"),
    EnumMember("rtit", "Intel processor trace"),
    EnumMember("security", "Speculation control and other security features"),
    EnumMember("sev", "AMD secure encrypted virtualization"),
    EnumMember("sgx", "Intel software guard extensions"),
    EnumMember("smm", "System management mode"),
    EnumMember("svm", "AMD secure virtual machine"),
    EnumMember("syscall", "SYSCALL/SYSENTER and segment bases"),
    EnumMember("system", "System configuration: EFER and related"),
    EnumMember("thermal", "Thermal monitoring and interrupts"),
    EnumMember("tme", "Total memory encryption"),
    EnumMember("tsc", "Time-stamp counter"),
    EnumMember("uintr", "User interrupts"),
    EnumMember("vmx", "Intel VMX capabilities"),
    EnumMember("xen", "Xen-defined MSRs"),
    EnumMember("xsave", "XSAVE-managed state"),
)
CATEGORY_NAMES = tuple(c.name for c in CATEGORIES)

# Every schema enumeration rendered into C (x86msr/msr_schema.h): C enum stem ->
# (member names, meaning). Vendors and categories are extended by the spec, so
# their C forms come from the model (see naming.py); these are closed.
CLOSED_ENUMS: Dict[str, Tuple[Tuple[str, ...], str]] = {
    "access": (tuple(ACCESS_MODES), "Access mode of a register or a field"),
    "cpuid_reg": (CPUID_REGISTERS, "CPUID output register"),
    "condition_kind": (tuple(c.name for c in CONDITION_KINDS), "Kind of a presence condition node"),
    "compare": (tuple(c.name for c in COMPARISONS), "How a presence condition compares the bits it tests"),
    "context": (tuple(c.name for c in CONTEXTS), "A processor state a presence condition names"),
    "lock_writes": (tuple(c.name for c in LOCK_WRITES), "What a WRMSR does once a register's lock field is 1"),
    "guest_state": (tuple(c.name for c in GUEST_STATES), "Where a VMM carries a register of guest state (restore order)"),
    "merge": (tuple(c.name for c in MERGE_RULES), "How a migration baseline merges a field's values from several hosts"),
}



def closed_enum_meanings() -> Dict[str, List[str]]:
    """Each closed enumeration's members' meanings, in CLOSED_ENUMS order (the
    C header's comments and the Rust crate's documentation)."""
    return {
        "access": [ACCESS_MODES[a][2] for a in ACCESS_MODES],
        "cpuid_reg": ["" for _ in CPUID_REGISTERS],  # the member names say it all
        "condition_kind": [c.meaning for c in CONDITION_KINDS],
        "compare": [c.meaning for c in COMPARISONS],
        "context": [c.meaning for c in CONTEXTS],
        "lock_writes": [c.meaning for c in LOCK_WRITES],
        "guest_state": [c.meaning for c in GUEST_STATES],
        "merge": [c.meaning for c in MERGE_RULES],
    }

# ---- attributes ---------------------------------------------------------------------
# A field or register attribute is one key of the spec whose value the model keeps
# in the entity's `flags` and the C tables carry as one bit of a flags word
# (MSR_FIELD_F_<KEY> / MSR_REG_F_<KEY>, in the order declared here: append, never
# reorder, so compiled code keeps its meaning). Each is declared once, below; the
# validator checks every attribute in one loop from these declarations, and the
# header comments, the register reference, spec/README.md and the JSON Schema
# take their words from them. Adding one is its declaration plus the code that
# uses it (docs/generator.md, "Adding an attribute").


# What an attribute's value is, and so its key's type (the flag bit is set when the
# entity has the attribute at all; a value beyond the flag goes into the record):
FLAG = "flag"                 # true/false
RULE_CONDITION = "condition"  # a condition (the presence-condition grammar), stored as cells of the record
FLAG_OR_VENDORS = "vendors"   # true (every vendor of the register) or a list of vendors, stored as a vendor set
LOCK = "lock"                 # {field: NAME, writes: fault|ignored}: a 1-bit field of the same register
CHOICE = "choice"             # one member of a closed enumeration (`choices`), stored as its C constant
REGISTERS = "registers"       # {msrs: [NAME, ...], why: TEXT}: other registers, stored as cells of their addresses
BOOL_OR_VENDORS = "bool-or-vendors"  # key type of FLAG_OR_VENDORS
KEY_TYPE_OF_VALUE = {FLAG: BOOL, RULE_CONDITION: CONDITION, FLAG_OR_VENDORS: BOOL_OR_VENDORS, LOCK: "record:lock",
                     CHOICE: STR, REGISTERS: "record:registers"}


@dataclass(frozen=True)
class Attribute:
    key: str                          # the spec key (`canonical`)
    meaning: str                      # what it says, for spec/README.md and the JSON Schema
    note: str                         # the sentence a field's comment and the reference add
    phrase: str                       # how messages describe an entity that has it ("is a counter")
    needs: Tuple[str, ...] = ()       # keys the entity must also have (strict_enum: `enum`)
    needs_why: str = ""               # why, for the message
    excludes: Tuple[str, ...] = ()    # keys (or attributes) it cannot be combined with
    readable: bool = False            # the field must be readable
    covered_not_writable: bool = False  # its bits are never reserved and never writable by the typed API
    value: str = FLAG                 # FLAG, RULE_CONDITION, FLAG_OR_VENDORS, LOCK, CHOICE or REGISTERS
    member: str = ""                  # the record cell's member that holds a value beyond the flag
    one_bit: bool = False             # LOCK: the named field is one bit wide
    choices: str = ""                 # CHOICE: the CLOSED_ENUMS key of the members it takes
    changes: bool = False             # the bits change by themselves: comparisons after a restore ignore them
    register_needs: Tuple[str, Tuple[str, ...]] = ()  # (key, values): the field's register has the key, one of them

    def key_of(self) -> Key:
        return Key(self.key, KEY_TYPE_OF_VALUE[self.value], False, self.meaning,
                   False if self.value == FLAG else None,
                   CLOSED_ENUMS[self.choices][0] if self.value == CHOICE else None)


# Value rules a register or a field may state (the same declaration serves both).
WRITE_ZERO = Attribute(
    "write_zero",
    "Only 0 may be written: a WRMSR with any other value (in the field, or anywhere in a register that says so) "
    "raises #GP (IA32_MCi_STATUS, the x2APIC error status), unless `writable_if` holds.",
    "Only 0 may be written: any other value raises #GP on WRMSR.", "takes only 0")
WRITABLE_IF = Attribute(
    "writable_if",
    "A condition (the grammar of `present_if`) under which any value may be written; while it does not hold, or "
    "cannot be decided, `write_zero` applies (AMD: MCi_STATUS takes any value with HWCR.McStatusWrEn). Needs "
    "`write_zero`.",
    "Any value may be written while a condition holds.", "has a write condition",
    needs=("write_zero",), needs_why="the rule it lifts", value=RULE_CONDITION, member="writable_if")

FIELD_ATTRIBUTES: Tuple[Attribute, ...] = (
    Attribute("canonical",
              "The field holds a linear address that must be canonical: `true` on every vendor of the register, "
              "or the list of vendors that check it (AMD ignores the upper half of IA32_SYSENTER_ESP/EIP).",
              "Holds a canonical linear address.", "holds a linear address", value=FLAG_OR_VENDORS,
              member="canonical_vendors"),
    Attribute("undocumented",
              "The bits are implementation-specific: not reserved (a processor may return them set, and a write "
              "must give back what was read), but with no documented meaning. They count as covered (never in the "
              "reserved mask) and are never writable through the typed API.",
              "Undocumented: implementation-specific bits, not reserved and not writable through the typed API.",
              "is undocumented", excludes=("enum", "canonical", "counter"), covered_not_writable=True),
    Attribute("counter",
              "The field counts (events, cycles, energy units): it only grows, and wraps to 0 past its width. "
              "Tools show its change between two readings (`x86msr watch`), wrap included. A counter is readable "
              "and has no `enum`.",
              "A counter: wraps to 0 past its width.", "is a counter", excludes=("enum",), readable=True,
              changes=True),
    Attribute("strict_enum",
              "Only the `enum`'s values are valid here: a WRMSR with any other value in this field raises #GP "
              "(the memory types of the PAT and the MTRRs). MSR-exit handlers refuse such a write as the processor "
              "would, and `MSR_SET` refuses a constant outside the enum at compile time. Needs an `enum`.",
              "Only the enum's values are valid: any other raises #GP on WRMSR.", "has strict values",
              needs=("enum",), needs_why="the values it allows"),
    WRITE_ZERO,
    WRITABLE_IF,
    Attribute("phys_addr",
              "The field holds a physical address in place: its bits at and above the processor's MAXPHYADDR "
              "(CPUID.80000008H:EAX[7:0]) are reserved, and a WRMSR setting one raises #GP.",
              "Holds a physical address: bits at and above MAXPHYADDR are reserved.", "holds a physical address",
              excludes=("enum",)),
    Attribute("volatile",
              "The field changes by itself, while the guest runs or between a save and a restore (the vector of "
              "the last IPI command, the delivery status of an interrupt, time): comparisons of a register's value "
              "after a restore ignore it, as they ignore counters.",
              "Volatile: changes by itself; comparisons after a restore ignore it.", "is volatile", changes=True),
    Attribute("merge",
              "How a migration baseline combines the field's values from several hosts: " +
              "; ".join(f"`{r.name}`: {r.meaning}" for r in MERGE_RULES) +
              ". A field of a `guest_state: feature` or `setup` register only; a field of such a register "
              "without it must be equal on every host.",
              "Merged across hosts by a rule (x86msr/guest.h).", "has a merge rule", value=CHOICE, choices="merge",
              member="merge", register_needs=("guest_state", ("feature", "setup"))),
)

MSR_ATTRIBUTES: Tuple[Attribute, ...] = (
    WRITE_ZERO,
    WRITABLE_IF,
    Attribute("locked_by",
              "A one-bit lock field of the register (`{field: LOCK, writes: fault}`): once it reads 1, every WRMSR "
              "raises #GP (`fault`) or changes nothing (`ignored`) until reset.",
              "Locked by a field of its own: once it is 1, writes fault or are ignored until reset.", "is locked",
              value=LOCK, member="lock_field", one_bit=True),
    Attribute("guest_state",
              "The register's value is guest state: a VMM saves it with a vCPU and restores it (snapshots, live "
              "migration), carried as: " + "; ".join(f"`{c.name}`: {c.meaning}" for c in GUEST_STATES) + ".",
              "Guest state: a VMM saves and restores it (x86msr/guest.h).", "is guest state", value=CHOICE,
              choices="guest_state", member="guest_state"),
    Attribute("restore_after",
              "Registers this one must be restored after, and why (`{msrs: [IA32_TIME_STAMP_COUNTER], why: "
              "...}`): an enabling or lock register after what it enables, a counter's control after the counter, "
              "a register KVM checks against another after that one. An array named as `NAME{n}` means every "
              "instance. The registers named are guest state carried no later than this one (in `guest_state` "
              "order), and the constraints of the spec have no cycle. Needs `guest_state`.",
              "Restored after other registers.", "has a restore order",
              needs=("guest_state",), needs_why="the state it orders", value=REGISTERS, member="restore_after"),
)

ATTRIBUTES_OF = {"field": FIELD_ATTRIBUTES, "msr": MSR_ATTRIBUTES}

# ---- key tables -------------------------------------------------------------------

RECORDS: Dict[str, Tuple[Key, ...]] = {
    "top": (
        Key("enums", "map:enum", False, "Enumerations shared by several fields (e.g. `memory_type`).", {}),
        Key("vendors", "map:vendor", False,
            "Vendors beyond the built-in ones (" + ", ".join(f"`{v}`" for v in VENDOR_NAMES) +
            "), e.g. a project's own hypervisor.", {}),
        Key("categories", "map:category_decl", False,
            "Categories beyond the built-in ones (spec/README.md lists them).", {}),
        Key("layouts", "map:layout", False,
            "Field lists shared by several registers, referenced with `layout`.", {}),
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
    "vendor": (
        Key("description", STR, True, "Who defines the registers of this vendor."),
    ),
    "category_decl": (
        Key("description", STR, True, "What the registers of the category are for."),
    ),
    "layout": (
        Key("description", STR, True, "Which registers share this field list."),
        Key("fields", "list:field", True, "The bit fields."),
    ),
    "msr": (
        Key("name", NAME_PATTERN, True,
            "The vendor manual's name, upper case (`IA32_EFER`); arrays hold `{n}`."),
        Key("address", INT, True, "The address (ECX for rdmsr/wrmsr), 32 bits; of instance 0 for arrays."),
        Key("category", CATEGORY, True, "Group; one generated header per category (`msr_<category>.h`)."),
        Key("access", STR, True, "Register access mode.", choices=REGISTER_ACCESS),
        Key("description", STR, True, "What the register does, in the project's own words."),
        Key("vendors", VENDOR_LIST, True,
            "Who documents it: " + ", ".join(f"`{v}`" for v in VENDOR_NAMES) + " or a declared vendor."),
        Key("ref", STR, False, "Where it is documented (`SDM Vol 4 Table 2-2`).", ""),
        Key("aliases", STR_LIST, False, "Other manuals' names for the same register (`EFER`).", []),
        Key("shares_address_with", STR, False,
            "Another MSR at the same address that a different vendor defines differently (their `vendors` do "
            "not overlap), or that the same vendor defines differently on other processors (then both have "
            "`present_if` conditions that exclude each other by family and model: see \"Shared addresses\"). "
            "Same register, other name: use `aliases`.", None),
        Key("present_if", CONDITION, False,
            "Presence condition (see \"Presence conditions\"); without it, presence is unknown.", None),
        Key("count", INT, False, "Number of instances of an array register.", None),
        Key("stride", INT, False, "Address distance between array instances.", 1),
        Key("layout", IDENT, False, "The name of a shared layout whose fields the register has.", None),
        Key("layout_words", WORDS, False,
            "The register's own words for the placeholders of its layout's field descriptions: "
            "`{controls: \"pin-based VM-execution controls\"}` fills `{controls}`. A layout's placeholder is a "
            "lower-case name in braces (`{n}` is the array index and stays as written); each register of the "
            "layout gives every placeholder it uses, and no other.", None),
        Key("fields", "list:field", False, "The documented bit fields.", []),
    ) + tuple(a.key_of() for a in MSR_ATTRIBUTES),
    "field": (
        Key("name", IDENT, True, "Upper-case name from the manual (`NXE`)."),
        Key("bits", BITS, True, "`\"msb:lsb\"` or one bit number, 0..63."),
        Key("access", STR, False, "Field access mode; defaults to the register's.", None,
            choices=tuple(ACCESS_MODES)),
        Key("description", STR, True, "What the field does."),
        Key("enum", ENUM_REF, False,
            "Named values: the name of a shared enum, or a list of `{name, value, description}`.", None),
        Key("reset", INT, False, "Value after reset, where documented.", None),
        Key("vendors", VENDOR_LIST, False,
            "Vendors whose processors have this field; defaults to the register's.", None),
        Key("present_if", CONDITION, False,
            "The field exists only when this condition holds (else its bits are reserved).", None),
    ) + tuple(a.key_of() for a in FIELD_ATTRIBUTES),
    # Presence conditions: the first key that a mapping holds picks its kind.
    "cond_cpuid": (
        Key("leaf", INT, True, "EAX input of CPUID."),
        Key("subleaf", INT, False, "ECX input of CPUID.", 0),
        Key("register", STR, True, "Output register.", choices=CPUID_REGISTERS),
        Key("bit", INDEXED_INT, False, "The bit tested (0..31), or `n`: the array index. Give `bit` or `bits`.", None),
        Key("bits", BITS, False, "The bit field tested, `\"msb:lsb\"`.", None),
        Key("equals", INDEXED_INT, False, "True when the bits equal this (or `n`).", None),
        Key("above", INDEXED_INT, False, "True when the bits are greater than this (or `n`).", None),
        Key("at_least", INDEXED_INT, False, "True when the bits are at least this (or `n`).", None),
    ),
    "cond_msr": (
        Key("msr", STR, True,
            "Another MSR of the spec: a register's or an array instance's name (`IA32_MC4_MISC`), or an array's "
            "name with `{n}` for the instance of the same index."),
        Key("bit", INDEXED_INT, False, "The bit tested (0..63), or `n`. Give `bit` or `bits`.", None),
        Key("bits", BITS, False, "The bit field tested, `\"msb:lsb\"`.", None),
        Key("equals", INDEXED_INT, False, "True when the bits equal this (or `n`).", None),
        Key("above", INDEXED_INT, False, "True when the bits are greater than this (or `n`).", None),
        Key("at_least", INDEXED_INT, False, "True when the bits are at least this (or `n`).", None),
    ),
    "cond_family": (
        Key("family", INT, True, "Display family (base family + extended family when the base is 0FH)."),
        Key("models", INT_LIST, False, "Display models; absent: every model of the family.", []),
    ),
    "cond_context": (
        Key("context", STR, True, "The processor state the register needs.", choices=tuple(c.name for c in CONTEXTS)),
    ),
    "cond_index": (
        Key("index", INT, True, "True on the array instance of this index only (IN_TXCP of IA32_PERFEVTSEL2)."),
    ),
    "cond_any_of": (
        Key("any_of", "list:condition", True, "True when any listed condition is."),
    ),
    "cond_all_of": (
        Key("all_of", "list:condition", True, "True when every listed condition is."),
    ),
    "cond_not": (
        Key("not", CONDITION, True, "True when the condition given is false; unknown when it is unknown."),
    ),
    "control_set": (
        Key("name", IDENT, True, "Lower-case set name (`pinbased`, `secondary`)."),
        Key("description", STR, True, "The set as the SDM titles it."),
        Key("width", INT, True, "32 or 64 bits.", choices=None),
        Key("capability", STR, True, "The capability MSR (`IA32_VMX_PINBASED_CTLS`)."),
        Key("true_capability", STR, False,
            "The TRUE_* capability MSR used when IA32_VMX_BASIC[55] = 1.", None),
        Key("activated_by", CONTROL_REF, False,
            "The control of another set that turns this set on (`{set: primary, bit: 31}`).", None),
        Key("bits", "list:control_bit", True, "The named controls."),
    ),
    "registers": (
        Key("msrs", STR_LIST, True, "Registers of the spec by name (an array as `NAME{n}`: every instance)."),
        Key("why", STR, True, "The reason, in a sentence or two."),
    ),
    "lock": (
        Key("field", IDENT, True, "The lock field: a one-bit field of the same register."),
        Key("writes", STR, True, "What a WRMSR does once the field is 1.", choices=tuple(c.name for c in LOCK_WRITES)),
    ),
    "control_ref": (
        Key("set", IDENT, True, "The name of the other control set."),
        Key("bit", INT, True, "The control's bit position in that set."),
    ),
    "control_bit": (
        Key("bit", INT, True, "Bit position."),
        Key("name", IDENT, True, "Upper-case name (`USE_MSR_BITMAPS`)."),
        Key("description", STR, True, "The SDM's name for the control."),
    ),
}

# The key of a condition mapping that decides its kind, in the order they are looked for.
CONDITION_RECORDS = (("leaf", "cond_cpuid"), ("msr", "cond_msr"), ("family", "cond_family"),
                     ("context", "cond_context"), ("index", "cond_index"), ("any_of", "cond_any_of"),
                     ("all_of", "cond_all_of"), ("not", "cond_not"))
CONDITION_KIND_OF_RECORD = {"cond_cpuid": "cpuid", "cond_msr": "msr", "cond_family": "family",
                            "cond_context": "context", "cond_index": "index", "cond_any_of": "any_of",
                            "cond_all_of": "all_of", "cond_not": "not"}


# name -> Key for each record kind, built once (looked up for every key of every record).
_KEYS_OF = {kind: {k.name: k for k in keys} for kind, keys in RECORDS.items()}


def keys_of(kind: str) -> Dict[str, Key]:
    return _KEYS_OF[kind]


# ---- Markdown renderings for spec/README.md (specdoc.py) -------------------------


def access_table_markdown() -> str:
    rows = ["| mode | readable | writable | meaning |", "|---|---|---|---|"]
    for mode, (rd, wr, meaning) in ACCESS_MODES.items():
        rows.append(f"| `{mode}` | {'yes' if rd else 'no'} | {'yes' if wr else 'no'} | {meaning} |")
    return "\n".join(rows)


def vendor_table_markdown() -> str:
    rows = ["| vendor | meaning | recognised by |", "|---|---|---|"]
    for v in VENDORS:
        sig = " or ".join("`" + s.replace("\0", "\\0") + "`" for s in v.signatures)
        rows.append(f"| `{v.name}` | {v.meaning} | CPUID {v.leaf:X}H {'/'.join(r.upper() for r in v.registers)} "
                    f"= {sig} |")
    return "\n".join(rows)


def category_table_markdown() -> str:
    rows = ["| category | registers |", "|---|---|"]
    rows += [f"| `{c.name}` | {c.meaning} |" for c in CATEGORIES]
    return "\n".join(rows)


def condition_table_markdown() -> str:
    rows = ["| kind | meaning |", "|---|---|"]
    rows += [f"| `{c.name}` | {c.meaning} |" for c in CONDITION_KINDS]
    rows += ["", "| context | meaning |", "|---|---|"]
    rows += [f"| `{c.name}` | {c.meaning} |" for c in CONTEXTS]
    rows += ["", "| comparison | meaning |", "|---|---|"]
    rows += [f"| `{c.name}` | {c.meaning} |" for c in COMPARISONS]
    return "\n".join(rows)


def enum_table_markdown(title: str, members: Tuple[EnumMember, ...]) -> str:
    rows = [f"| {title} | meaning |", "|---|---|"]
    rows += [f"| `{c.name}` | {c.meaning} |" for c in members]
    return "\n".join(rows)


def record_table_markdown(kind: str) -> str:
    rows = ["| key | type | required | default | meaning |", "|---|---|---|---|---|"]
    for k in RECORDS[kind]:
        typ = k.type
        if k.choices:
            typ += " (" + ", ".join(f"`{c}`" for c in k.choices) + ")"
        default = "" if k.required or k.default in (None, [], {}, "", False) else f"`{k.default}`"
        rows.append(f"| `{k.name}` | {typ} | {'yes' if k.required else 'no'} | {default} | {k.meaning} |")
    return "\n".join(rows)
