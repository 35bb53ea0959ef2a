//! What every generated register type and enumeration has in common, written
//! once: the generated code names its type and calls these (it builds no name).

/// The common part of a register value type `$t` (a `u64` newtype): the zero
/// value, the raw bits in and out, `|`, and `Debug` through the register's
/// definition (its name and each field).
macro_rules! register_value {
    ($t:ident) => {
        impl $t {
            /// The value with every bit 0.
            pub const ZERO: Self = Self(0);

            /// A value from any 64 bits, checked by nothing: the escape hatch
            /// (reserved bits, values no enumeration names), named to stand out
            /// in review. Values normally come from a read or from `ZERO` and
            /// the `with_*` builders.
            #[inline(always)]
            pub const fn unchecked(raw: u64) -> Self {
                Self(raw)
            }

            /// The 64 bits of the value.
            #[inline(always)]
            pub const fn raw(self) -> u64 {
                self.0
            }
        }

        impl core::ops::BitOr for $t {
            type Output = Self;
            /// The bits of both values (to combine `modify`'s `clear` or `set` from fields).
            #[inline(always)]
            fn bitor(self, other: Self) -> Self {
                Self(self.0 | other.0)
            }
        }

        impl core::fmt::Debug for $t {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                crate::meta::debug_value(f, <Self as crate::Register>::DEF, self.0)
            }
        }
    };
}

/// The conversions of an enumeration `$t` of named field values: from a
/// field's bits (`None` for a value it does not name), to them, and its name in
/// the spec.
macro_rules! field_enum {
    ($t:ident { $($variant:ident = $value:literal => $name:literal),+ $(,)? }) => {
        impl $t {
            /// The named value of `value`, or `None` when the enumeration names no such value.
            #[inline]
            pub const fn from_value(value: u64) -> Option<Self> {
                match value {
                    $($value => Some(Self::$variant),)+
                    _ => None,
                }
            }

            /// The value, as the field holds it.
            #[inline(always)]
            pub const fn value(self) -> u64 {
                self as u64
            }

            /// Every named value, in the spec's order (what the fields' definitions list).
            pub const VALUES: &'static [crate::meta::EnumValue] =
                &[$(crate::meta::EnumValue { name: $name, value: $value }),+];

            /// The value's name, as the spec writes it.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)+
                }
            }
        }
    };
}
