//! Every register of the spec as data, as the C library's check records
//! (x86msr/meta.h) hold it: [`DEFS`] lists each register's [`Def`] — address,
//! instances, access, vendors, [`Masks`], fields ([`FieldDef`]: bit range,
//! access, attribute flags, named values) and presence conditions
//! ([`Condition`]), which [`Condition::eval`] and [`Def::is_supported`] decide
//! from what is known of a processor ([`Facts`]).
//!
//! The enumerations of the spec's format ([`Access`], [`CpuidReg`],
//! [`ConditionKind`], [`Compare`], [`Context`], [`LockWrites`], the vendors and
//! the categories, the attribute flags) are generated from the generator's
//! schema, as the C side's `x86msr/msr_schema.h` is.

use core::fmt;

use crate::Msr;

include!(concat!(env!("X86MSR_GENERATED_DIR"), "/schema.rs"));
include!(concat!(env!("X86MSR_GENERATED_DIR"), "/defs.rs"));

/// One register definition of the spec: a plain register, or an array of
/// `count` instances `stride` apart.
#[derive(Debug)]
pub struct Def {
    /// As the spec writes it: `IA32_EFER`, `IA32_MC{n}_CTL`.
    pub name: &'static str,
    /// Its index in [`DEFS`].
    pub id: u16,
    /// The address (of instance 0).
    pub address: u32,
    /// The distance between instances; 0 for a plain register.
    pub stride: u32,
    /// Instances: 1 for a plain register.
    pub count: u32,
    /// `ro`, `rw` or `wo`.
    pub access: Access,
    /// The category (the C header and the crate module it is in).
    pub category: Category,
    /// Who documents it.
    pub vendors: Vendors,
    /// Its attributes.
    pub flags: RegFlags,
    /// The masks every processor shares.
    pub masks: Masks,
    /// The fields, ascending bit order.
    pub fields: &'static [FieldDef],
    /// When it exists; `None`: the spec does not say (presence unknown).
    pub present_if: Option<&'static Condition>,
    /// `write_zero`: the condition under which any value may be written.
    pub writable_if: Option<&'static Condition>,
    /// `locked_by`: its lock field and what a WRMSR does once it is 1.
    pub lock: Option<Lock>,
    /// Other manuals' names (an array's hold `{n}`).
    pub aliases: &'static [&'static str],
}

/// A register's masks, as the spec states them for every processor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Masks {
    /// Bits no field covers: must be 0.
    pub reserved: u64,
    /// Bits of the fields software may change.
    pub writable: u64,
    /// Write-1-to-clear bits.
    pub w1c: u64,
    /// Bits of the fields that hold a canonical linear address.
    pub canonical: u64,
}

/// A register's lock (`locked_by`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lock {
    /// The index of the lock field in [`Def::fields`].
    pub field: u8,
    /// What a WRMSR does once the field is 1.
    pub writes: LockWrites,
}

/// One field of a register definition.
#[derive(Debug)]
pub struct FieldDef {
    /// Its name in the spec: `NXE`.
    pub name: &'static str,
    /// The highest bit.
    pub msb: u8,
    /// The lowest bit.
    pub lsb: u8,
    /// Its access mode.
    pub access: Access,
    /// Its attributes.
    pub flags: FieldFlags,
    /// The vendors whose processors have it; empty: every vendor of the register.
    pub vendors: Vendors,
    /// `canonical`: the vendors that check it; empty: every vendor of the field.
    pub canonical_vendors: Vendors,
    /// The value after reset, where the spec gives one.
    pub reset: Option<u64>,
    /// When it exists, given its register does; `None`: wherever the register is.
    pub present_if: Option<&'static Condition>,
    /// `write_zero`: the condition under which any value may be written.
    pub writable_if: Option<&'static Condition>,
    /// The named values; with [`FieldFlags::STRICT_ENUM`], the only valid ones.
    pub values: &'static [EnumValue],
}

/// A named value of a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnumValue {
    /// As the spec writes it: `WB`.
    pub name: &'static str,
    /// The encoding.
    pub value: u64,
}

/// One node of a presence condition.
#[derive(Debug)]
pub enum Condition {
    /// Bits of a CPUID output register.
    Cpuid {
        /// EAX input.
        leaf: u32,
        /// ECX input.
        subleaf: u32,
        /// The output register.
        register: CpuidReg,
        /// The bits tested and how.
        test: Test,
    },
    /// Bits of another MSR of the spec.
    Msr {
        /// Its address (instance 0's, when `stride` is not 0).
        address: u32,
        /// Not 0: the instance with the array index of the register tested, `address + n * stride`.
        stride: u32,
        /// The name of its definition (`IA32_VMX_BASIC`, `MCA{n}_CONFIG`).
        def: &'static str,
        /// The bits tested and how.
        test: Test,
    },
    /// The processor's display family and, unless empty, model.
    Family {
        /// Display family.
        family: u16,
        /// Display models; empty: every model.
        models: &'static [u8],
    },
    /// A processor state no fact shows: always unknown.
    Context(Context),
    /// Array instance N only (a field one instance of an array has).
    Index(u32),
    /// At least one of the conditions.
    AnyOf(&'static [Condition]),
    /// Every one of the conditions.
    AllOf(&'static [Condition]),
    /// The condition is false.
    Not(&'static Condition),
}

/// What a CPUID or MSR condition tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Test {
    /// The highest bit tested.
    pub msb: u8,
    /// The lowest bit tested.
    pub lsb: u8,
    /// The bit tested is the array index n (`msb`, `lsb` unused).
    pub bit_is_index: bool,
    /// How the bits compare.
    pub compare: Compare,
    /// What they are compared with.
    pub operand: u64,
    /// The operand is the array index n.
    pub operand_is_index: bool,
}

/// A presence answer: facts that cannot decide give `Unknown`, never a wrong yes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Support {
    /// It is not there.
    No,
    /// It is there.
    Yes,
    /// The facts cannot tell.
    Unknown,
}

/// What is known of a processor, for [`Condition::eval`]. Every method's
/// default knows nothing.
pub trait Facts {
    /// Whether CPUID is known at all (when not, every CPUID test is unknown).
    fn knows_cpuid(&self) -> bool {
        false
    }

    /// CPUID leaf `leaf`, subleaf `subleaf`: [EAX, EBX, ECX, EDX]; `None` for a
    /// leaf the processor does not enumerate (its registers then count as 0).
    fn cpuid(&self, leaf: u32, subleaf: u32) -> Option<[u32; 4]> {
        let _ = (leaf, subleaf);
        None
    }

    /// The value of MSR `address`; `None` when it is not known.
    fn msr(&self, address: u32) -> Option<u64> {
        let _ = address;
        None
    }

    /// Whether a register none of the processor's recognised vendors documents
    /// is "unknown" rather than absent (C's `MSR_FACTS_OTHER_VENDORS_UNKNOWN`:
    /// a VMM emulating another vendor's registers).
    fn other_vendors_unknown(&self) -> bool {
        false
    }
}

/// No facts: every condition that needs one is unknown.
pub struct NoFacts;

impl Facts for NoFacts {}

impl Def {
    /// The address of instance `index`, `None` past the last.
    #[inline(always)]
    pub const fn instance_address(&self, index: u32) -> Option<u32> {
        if index < self.count {
            Some(self.address + index * self.stride)
        } else {
            None
        }
    }

    /// Whether it is an array.
    #[inline]
    pub const fn is_array(&self) -> bool {
        self.stride != 0
    }

    /// Instance `index` as an [`Msr`] (not checked: an index past the last
    /// gives an `Msr` whose accesses fail with [`crate::Error::Range`]).
    pub const fn msr(&'static self, index: u32) -> Msr {
        Msr::of(self.id, index)
    }

    /// The field called `name` (as the spec writes it, ASCII case ignored).
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The field that holds bit `bit`.
    pub fn field_at(&self, bit: u32) -> Option<&'static FieldDef> {
        self.fields
            .iter()
            .find(|f| u32::from(f.lsb) <= bit && bit <= u32::from(f.msb))
    }

    /// Whether the processor the facts describe has instance `index`, as the C
    /// library's `msr_is_supported`: `No` when the condition is false; `Yes`
    /// when it is true and a vendor of the processor documents the register;
    /// `Unknown` otherwise (no condition, facts that cannot decide, a vendor
    /// that is not known or does not document it).
    pub fn is_supported(&self, index: u32, facts: &dyn Facts) -> Support {
        let condition = match self.present_if {
            Some(c) => c.eval(index, facts),
            None => Support::Unknown,
        };
        if condition == Support::No {
            return Support::No;
        }
        let vendors = cpu_vendors(facts);
        if self.vendors.intersects(vendors) {
            return condition;
        }
        // None of the processor's vendors documents it: absent, as in C's
        // msr_is_supported, unless the vendors are unknown or the facts ask.
        if vendors != Vendors::NONE && !facts.other_vendors_unknown() {
            Support::No
        } else {
            Support::Unknown
        }
    }
}

impl FieldDef {
    /// How many bits wide it is.
    #[inline]
    pub const fn width(&self) -> u32 {
        (self.msb - self.lsb) as u32 + 1
    }

    /// Its bits, in place.
    #[inline]
    pub const fn mask(&self) -> u64 {
        (u64::MAX >> (63 - (self.msb - self.lsb) as u32)) << self.lsb
    }

    /// Its value in `raw`, shifted down.
    #[inline]
    pub const fn extract(&self, raw: u64) -> u64 {
        (raw & self.mask()) >> self.lsb
    }

    /// Whether it has `flag`.
    #[inline]
    pub const fn has(&self, flag: FieldFlags) -> bool {
        self.flags.contains(flag)
    }

    /// The name of `value` among its named values.
    pub fn value_name(&self, value: u64) -> Option<&'static str> {
        self.values.iter().find(|v| v.value == value).map(|v| v.name)
    }

    /// Whether `value` may be written: one of the named values of a
    /// `strict_enum` field; any value that fits for another.
    pub fn is_valid_value(&self, value: u64) -> bool {
        if value > self.mask() >> self.lsb {
            return false;
        }
        !self.has(FieldFlags::STRICT_ENUM) || self.values.iter().any(|v| v.value == value)
    }
}

impl Condition {
    /// The kind of node, as the spec's format names it.
    pub const fn kind(&self) -> ConditionKind {
        match self {
            Condition::Cpuid { .. } => ConditionKind::Cpuid,
            Condition::Msr { .. } => ConditionKind::Msr,
            Condition::Family { .. } => ConditionKind::Family,
            Condition::Context(_) => ConditionKind::Context,
            Condition::Index(_) => ConditionKind::Index,
            Condition::AnyOf(_) => ConditionKind::AnyOf,
            Condition::AllOf(_) => ConditionKind::AllOf,
            Condition::Not(_) => ConditionKind::Not,
        }
    }

    /// The condition for array instance `index` (0 for other registers), in
    /// Kleene logic as the C library's `msr_condition_eval`: `AllOf` is `No`
    /// if a child is, `Yes` if all are; `AnyOf` is `Yes` if a child is, `No`
    /// if all are; `Not` swaps them; anything else is `Unknown`.
    pub fn eval(&self, index: u32, facts: &dyn Facts) -> Support {
        match self {
            Condition::Cpuid {
                leaf,
                subleaf,
                register,
                test,
            } => {
                if !facts.knows_cpuid() {
                    return Support::Unknown;
                }
                let regs = facts.cpuid(*leaf, *subleaf).unwrap_or([0; 4]);
                test.compare(u64::from(regs[register.index()]), index)
            }
            Condition::Msr {
                address, stride, test, ..
            } => match facts.msr(address.wrapping_add(index.wrapping_mul(*stride))) {
                Some(value) => test.compare(value, index),
                None => Support::Unknown,
            },
            Condition::Family { family, models } => match cpu_family_model(facts) {
                None => Support::Unknown,
                Some((f, _)) if f != u32::from(*family) => Support::No,
                Some((_, m)) => {
                    if models.is_empty() || models.iter().any(|&x| u32::from(x) == m) {
                        Support::Yes
                    } else {
                        Support::No
                    }
                }
            },
            Condition::Context(_) => Support::Unknown,
            Condition::Index(n) => {
                if index == *n {
                    Support::Yes
                } else {
                    Support::No
                }
            }
            Condition::Not(c) => match c.eval(index, facts) {
                Support::Yes => Support::No,
                Support::No => Support::Yes,
                Support::Unknown => Support::Unknown,
            },
            Condition::AnyOf(children) | Condition::AllOf(children) => {
                let any = matches!(self, Condition::AnyOf(_));
                let mut unknown = false;
                for c in children.iter() {
                    match c.eval(index, facts) {
                        Support::Unknown => unknown = true,
                        s if (s == Support::Yes) == any => return s,
                        _ => {}
                    }
                }
                if unknown {
                    Support::Unknown
                } else if any {
                    Support::No
                } else {
                    Support::Yes
                }
            }
        }
    }
}

impl Test {
    fn compare(&self, value: u64, index: u32) -> Support {
        let tested = if self.bit_is_index {
            if index < 64 {
                (value >> index) & 1
            } else {
                0
            }
        } else {
            let width = u32::from(self.msb - self.lsb) + 1;
            (value >> self.lsb) & (u64::MAX >> (64 - width))
        };
        let operand = if self.operand_is_index {
            u64::from(index)
        } else {
            self.operand
        };
        let holds = match self.compare {
            Compare::Equals => tested == operand,
            Compare::Above => tested > operand,
            Compare::AtLeast => tested >= operand,
            Compare::Nonzero => tested != 0,
        };
        if holds {
            Support::Yes
        } else {
            Support::No
        }
    }
}

const HYPERVISOR_BASE: u32 = 0x4000_0000;
const HYPERVISOR_BLOCKS: u32 = 0x100; // 40000000H..4000FF00H

/// The vendors of the processor the facts describe (its CPU vendor and, under
/// a hypervisor that announces itself, the hypervisor's), from the
/// signatures of [`VENDORS`]; empty when nothing is recognised.
pub fn cpu_vendors(facts: &dyn Facts) -> Vendors {
    let mut found = Vendors::NONE;
    if !facts.knows_cpuid() {
        return found;
    }
    for v in VENDORS.iter() {
        if v.signatures.is_empty() {
            continue;
        }
        // A hypervisor's signature may be in any block of 100H from its leaf
        // (KVM after Hyper-V's at 40000100H), as Linux's hypervisor_cpuid_base()
        // looks; the blocks follow each other, so the scan ends at the first gap.
        let blocks = if v.leaf == HYPERVISOR_BASE { HYPERVISOR_BLOCKS } else { 1 };
        for block in 0..blocks {
            let regs = match facts.cpuid(v.leaf + block * 0x100, 0) {
                Some(regs) => regs,
                None => break,
            };
            let spells = |signature: &str| {
                signature.bytes().enumerate().all(|(i, byte)| {
                    let word = regs[v.registers[i / 4].index()];
                    (word >> (8 * (i % 4))) as u8 == byte
                })
            };
            if v.signatures.iter().any(|s| s.len() == 12 && spells(s)) {
                found = found.union(v.bit);
            }
        }
    }
    found
}

/// Display family and model from CPUID.01H:EAX, as the SDM and the APM
/// compute them; `None` when leaf 1 is not known.
pub fn cpu_family_model(facts: &dyn Facts) -> Option<(u32, u32)> {
    if !facts.knows_cpuid() {
        return None;
    }
    let eax = facts.cpuid(1, 0)?[0];
    let base_family = (eax >> 8) & 0xF;
    let base_model = (eax >> 4) & 0xF;
    let family = if base_family == 0xF {
        base_family + ((eax >> 20) & 0xFF)
    } else {
        base_family
    };
    let model = if base_family == 0x6 || base_family == 0xF {
        (((eax >> 16) & 0xF) << 4) | base_model
    } else {
        base_model
    };
    Some((family, model))
}

/// A vendor of the spec.
#[derive(Debug)]
pub struct VendorInfo {
    /// As the spec writes it.
    pub name: &'static str,
    /// As people write it.
    pub title: &'static str,
    /// Its bit in [`Vendors`].
    pub bit: Vendors,
    /// The CPUID leaf whose registers spell its signature.
    pub leaf: u32,
    /// Its 12-character signatures; empty for a vendor the spec declares.
    pub signatures: &'static [&'static str],
    /// The order the signature's 4-byte pieces are read in.
    pub registers: &'static [CpuidReg],
}

/// A set of vendors (one bit each, as the C library's `MSR_VENDOR_*`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Vendors(u32);

impl Vendors {
    /// No vendor.
    pub const NONE: Vendors = Vendors(0);

    /// The set of `bits`.
    pub const fn from_bits(bits: u32) -> Vendors {
        Vendors(bits)
    }

    /// The bits of the set.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Both sets.
    pub const fn union(self, other: Vendors) -> Vendors {
        Vendors(self.0 | other.0)
    }

    /// Whether every vendor of `other` is in the set.
    pub const fn contains(self, other: Vendors) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the two sets share a vendor.
    pub const fn intersects(self, other: Vendors) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The vendors of the set, in [`VENDORS`] order.
    pub fn iter(self) -> impl Iterator<Item = &'static VendorInfo> {
        VENDORS.iter().filter(move |v| self.intersects(v.bit))
    }
}

impl fmt::Debug for Vendors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(|v| v.name)).finish()
    }
}

/// The attributes of a field (one bit each, as the C library's `MSR_FIELD_F_*`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FieldFlags(u32);

/// The attributes of a register (as the C library's `MSR_REG_F_*`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RegFlags(u32);

macro_rules! flag_set {
    ($t:ident, $names:ident) => {
        impl $t {
            /// No attribute.
            pub const NONE: $t = $t(0);

            /// The set of `bits`.
            pub const fn from_bits(bits: u32) -> $t {
                $t(bits)
            }

            /// The bits of the set.
            pub const fn bits(self) -> u32 {
                self.0
            }

            /// Both sets.
            pub const fn union(self, other: $t) -> $t {
                $t(self.0 | other.0)
            }

            /// Whether every attribute of `other` is in the set.
            pub const fn contains(self, other: $t) -> bool {
                self.0 & other.0 == other.0
            }

            /// The spec's keys of the attributes in the set, in declaration order.
            pub fn names(self) -> impl Iterator<Item = &'static str> {
                $names
                    .iter()
                    .filter(move |(flag, _)| self.contains(*flag))
                    .map(|(_, name)| *name)
            }
        }

        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_set().entries(self.names()).finish()
            }
        }
    };
}

flag_set!(FieldFlags, FIELD_ATTRIBUTES);
flag_set!(RegFlags, REG_ATTRIBUTES);

/// Every instance of every register, in [`DEFS`] order (an array's in index order).
pub fn instances() -> impl Iterator<Item = Msr> {
    DEFS.iter().flat_map(|d| (0..d.count).map(move |i| d.msr(i)))
}

/// Writes an array's name with `{n}` replaced by `index` (by `n` when `valid` is false).
pub(crate) fn write_instance_name(f: &mut fmt::Formatter<'_>, name: &str, index: u32, valid: bool) -> fmt::Result {
    let mut rest = name;
    while let Some(at) = rest.find("{n}") {
        f.write_str(&rest[..at])?;
        if valid {
            write!(f, "{}", index)?;
        } else {
            f.write_str("n")?;
        }
        rest = &rest[at + 3..];
    }
    f.write_str(rest)
}

/// An alias of instance `index` of `def`, as [`core::fmt::Display`]: `MC3_CTL`.
pub fn alias(def: &'static Def, alias: usize, index: u32) -> impl fmt::Display {
    struct Alias(&'static str, u32, bool);
    impl fmt::Display for Alias {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_instance_name(f, self.0, self.1, self.2)
        }
    }
    Alias(def.aliases[alias], index, index < def.count)
}

/// `Debug` of a register value: its name, its raw bits, and each field's
/// value (with the name of a named value).
pub(crate) fn debug_value(f: &mut fmt::Formatter<'_>, def: &'static Def, raw: u64) -> fmt::Result {
    struct Hex(u64);
    impl fmt::Debug for Hex {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{:#x}", self.0)
        }
    }
    struct Value(u64, Option<&'static str>);
    impl fmt::Debug for Value {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self.1 {
                Some(name) => write!(f, "{} ({})", name, self.0),
                None => write!(f, "{:#x}", self.0),
            }
        }
    }
    let mut s = f.debug_struct(def.name);
    s.field("raw", &Hex(raw));
    for field in def.fields {
        let v = field.extract(raw);
        s.field(field.name, &Value(v, field.value_name(v)));
    }
    s.finish()
}
