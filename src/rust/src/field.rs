//! Field descriptors: `Ia32Efer::NXE` is a `Field<Ia32Efer>`, its bit range
//! and its entry in the register's definition.

use core::fmt;
use core::marker::PhantomData;

use crate::meta::FieldDef;
use crate::Register;

/// One field of register `R`: bits `msb..=lsb`, field `index` of `R`'s
/// definition. Each register type has one constant per field
/// (`Ia32Efer::NXE`), so a field of one register cannot be used with another.
pub struct Field<R> {
    lsb: u8,
    msb: u8,
    index: u8,
    register: PhantomData<fn() -> R>,
}

impl<R> Field<R> {
    /// The field of bits `msb..=lsb`, the `index`-th of its register's definition.
    /// (The generated register types define their fields; other code has no use for this.)
    #[doc(hidden)]
    pub const fn new(lsb: u8, msb: u8, index: u8) -> Self {
        Field {
            lsb,
            msb,
            index,
            register: PhantomData,
        }
    }

    /// The lowest bit.
    #[inline(always)]
    pub const fn shift(self) -> u32 {
        self.lsb as u32
    }

    /// The highest bit.
    #[inline(always)]
    pub const fn msb(self) -> u32 {
        self.msb as u32
    }

    /// How many bits wide it is.
    #[inline(always)]
    pub const fn width(self) -> u32 {
        (self.msb - self.lsb) as u32 + 1
    }

    /// The largest value it holds.
    #[inline(always)]
    pub const fn max(self) -> u64 {
        u64::MAX >> (63 - (self.msb - self.lsb) as u32)
    }

    /// Its bits, in place.
    #[inline(always)]
    pub const fn mask(self) -> u64 {
        self.max() << self.lsb
    }

    /// Its index among the fields of the register's definition.
    #[inline(always)]
    pub const fn index(self) -> usize {
        self.index as usize
    }

    /// The field's value in the 64 bits `raw`, shifted down.
    #[inline(always)]
    pub const fn extract(self, raw: u64) -> u64 {
        (raw >> self.lsb) & self.max()
    }

    /// `raw` with the field replaced by `value` (bits of `value` above the
    /// field's width are dropped).
    #[inline(always)]
    pub const fn insert(self, raw: u64, value: u64) -> u64 {
        (raw & !self.mask()) | ((value << self.lsb) & self.mask())
    }
}

impl<R: Register> Field<R> {
    /// The field's entry in `R`'s definition: name, access, attributes,
    /// named values, presence.
    #[inline]
    pub fn def(self) -> &'static FieldDef {
        &R::DEF.fields[self.index as usize]
    }

    /// The field's value in `value`, shifted down.
    #[inline(always)]
    pub fn get(self, value: R) -> u64 {
        self.extract(value.raw())
    }

    /// A value of `R` with this field's bits set and every other bit 0: for
    /// `modify`'s `clear` (`Ia32Pat::PA1.bits()`), or a one-bit field's `set`.
    #[inline(always)]
    pub fn bits(self) -> R {
        R::unchecked(self.mask())
    }
}

impl<R> Clone for Field<R> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for Field<R> {}

impl<R> PartialEq for Field<R> {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index && self.lsb == other.lsb && self.msb == other.msb
    }
}

impl<R> Eq for Field<R> {}

impl<R: Register> fmt::Debug for Field<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}[{}:{}]", R::DEF.name, self.def().name, self.msb, self.lsb)
    }
}
