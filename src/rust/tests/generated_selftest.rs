//! The generated self-test (generated/rust/selftest.rs, one test per register):
//! for every field, the getter reads exactly the descriptor's bits, which are
//! the definition's; each builder writes exactly them; every named value goes
//! in and comes out as itself. The checks are these macros; the generator
//! writes only which to apply to which names (as C's msr_selftest.c does for
//! the C accessors).

use x86msr::meta::FieldDef;
use x86msr::*;

/// Bits 0, 2, 4, ...: a pattern that tells a shift off by one.
const PATTERN: u64 = 0x5555_5555_5555_5555;

/// The register as a whole: its definition's masks agree with its fields, its
/// `Msr` value is its own, `Debug` names it.
macro_rules! register {
    ($t:ident, $kind:ident) => {
        let def = $t::DEF;
        let covered = def.fields.iter().fold(0u64, |m, f: &FieldDef| m | f.mask());
        assert_eq!(def.masks.reserved, !covered, "{}: reserved mask", def.name);
        assert_eq!($t::ZERO.raw(), 0);
        assert_eq!($t::unchecked(0x1234).raw(), 0x1234);
        assert!(format!("{:?}", $t::ZERO).starts_with(def.name));
        register!(@msr $t, $kind);
    };
    (@msr $t:ident, Single) => {
        assert_eq!(<$t as Single>::MSR.def().id, $t::DEF.id);
        assert_eq!(<$t as Single>::MSR.address(), $t::DEF.address);
    };
    (@msr $t:ident, Array) => {
        let last = $t::DEF.count - 1;
        assert_eq!(<$t as Array>::msr(last).def().id, $t::DEF.id);
        assert_eq!(<$t as Array>::msr(last).address(), $t::DEF.address + last * $t::DEF.stride);
        assert_eq!(<$t as Array>::msr($t::DEF.count).try_address(), Err(Error::Range));
    };
}

/// The descriptor is the definition's field.
macro_rules! descriptor {
    ($t:ident, $f:ident) => {{
        let f = $t::$f;
        assert_eq!(f.mask(), f.def().mask(), "{}.{}", $t::DEF.name, f.def().name);
        assert_eq!(f.width(), f.def().width());
        f
    }};
}

macro_rules! bool_field {
    ($t:ident, $f:ident, $get:ident) => {
        let f = descriptor!($t, $f);
        assert_eq!(f.width(), 1);
        assert!($t::unchecked(f.mask()).$get());
        assert!(!$t::unchecked(!f.mask()).$get());
    };
}

macro_rules! bool_builder {
    ($t:ident, $f:ident, $get:ident, $with:ident) => {
        let f = $t::$f;
        assert_eq!($t::ZERO.$with(true).raw(), f.mask());
        assert_eq!($t::unchecked(u64::MAX).$with(false).raw(), !f.mask());
        assert!($t::ZERO.$with(true).$get());
    };
}

macro_rules! int_field {
    ($t:ident, $f:ident, $get:ident) => {
        let f = descriptor!($t, $f);
        assert_eq!($t::unchecked(u64::MAX).$get() as u64, f.max());
        assert_eq!($t::unchecked(!f.mask()).$get() as u64, 0);
        assert_eq!($t::unchecked(PATTERN).$get() as u64, (PATTERN & f.mask()) >> f.shift());
    };
}

macro_rules! int_builder {
    ($t:ident, $f:ident, $get:ident, $with:ident, $ty:ty) => {
        let f = $t::$f;
        assert_eq!($t::ZERO.$with(f.max() as $ty).raw(), f.mask());
        assert_eq!($t::unchecked(u64::MAX).$with(0).raw(), !f.mask());
        let v = (PATTERN & f.max()) as $ty;
        assert_eq!($t::ZERO.$with(v).$get(), v);
    };
}

macro_rules! enum_field {
    ($t:ident, $f:ident, $get:ident, $e:ident) => {
        let f = descriptor!($t, $f);
        assert_eq!(f.def().values, $e::VALUES);
        for v in $e::VALUES {
            let e = $e::from_value(v.value).expect("every named value converts");
            assert_eq!((e.value(), e.name()), (v.value, v.name));
            assert_eq!($t::unchecked(v.value << f.shift()).$get(), Ok(e));
            assert!(v.value <= f.max(), "{}: a value wider than its field", v.name);
        }
    };
}

macro_rules! enum_builder {
    ($t:ident, $f:ident, $get:ident, $with:ident, $e:ident) => {
        let f = $t::$f;
        for v in $e::VALUES {
            let e = $e::from_value(v.value).unwrap();
            assert_eq!($t::ZERO.$with(e).raw(), v.value << f.shift());
            assert_eq!($t::unchecked(u64::MAX).$with(e).$get(), Ok(e));
            assert_eq!($t::unchecked(u64::MAX).$with(e).raw() | f.mask(), u64::MAX);
        }
    };
}

macro_rules! bits_builder {
    ($t:ident, $f:ident, $with:ident, $ty:ty) => {
        let f = $t::$f;
        assert_eq!($t::ZERO.$with(f.max() as $ty).raw(), f.mask());
        assert_eq!($t::unchecked(u64::MAX).$with(0).raw(), !f.mask());
    };
}

include!(concat!(env!("X86MSR_GENERATED_DIR"), "/selftest.rs"));
