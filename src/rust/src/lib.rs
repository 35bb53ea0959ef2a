//! x86 Model-Specific Registers, generated from one YAML spec (`spec/msrs.yaml`
//! of the x86msr project): the same registers, fields, masks and presence
//! conditions as the C headers, in the shape of the Rust hypervisor x86msr grew
//! out of.
//!
//! - [`Msr`]: one value per register of the spec, an array's with its index
//!   (`Msr::Ia32Efer`, `Msr::Ia32McxCtl(3)`), with [`Msr::read`] and the
//!   `unsafe` [`Msr::write`] on raw `u64` values.
//! - One value type per register ([`Ia32Efer`], [`Ia32FeatureControl`], ...):
//!   typed field getters, `with_*` builders for the fields software may write
//!   (none for read-only ones), field descriptors ([`Field`]), named values as
//!   Rust enums ([`MemoryType`]); a field whose named values are its only valid
//!   ones (`strict_enum` in the spec) takes nothing else.
//! - Access traits that exist only where the access mode allows: [`MsrRead`]
//!   (`read`, `read_safe`) for readable registers, [`MsrWrite`] (`write`,
//!   `write_safe`, both `unsafe`) for writable ones, [`MsrReadWrite`] (`modify`)
//!   for read/write ones, and their array forms taking an index ([`MsrReadAt`],
//!   ...). A write to a read-only register does not compile.
//! - `_safe` accessors that return [`Error::Fault`] instead of faulting, through
//!   the exception table of [`extable`] (the same `msr_extable` section as the C
//!   library's): your #GP handler calls [`extable::fixup`].
//! - [`meta`]: every register's definition as data ([`meta::DEFS`]): address,
//!   instances, masks, fields (bit ranges, access, attributes), named values and
//!   presence conditions, which [`meta::Condition::eval`] evaluates.
//! - With the `backend` feature, every access goes through a run-time
//!   [`backend`] instead of `rdmsr`/`wrmsr`: the in-memory register file
//!   [`backend::MemoryBackend`] for tests, or your own.
//!
//! ```
//! use x86msr::{Ia32Efer, MsrRead, MsrReadWrite, Register};
//!
//! fn enable_nx() -> bool {
//!     let efer = Ia32Efer::read();
//!     if efer.nxe() {
//!         return false;
//!     }
//!     // Only the writable bits change; LMA and the reserved bits keep what was read.
//!     unsafe { Ia32Efer::modify(Ia32Efer::ZERO, Ia32Efer::ZERO.with_nxe(true)) }.written
//! }
//! # let _ = enable_nx;
//! assert_eq!(Ia32Efer::DEF.address, 0xC000_0080);
//! assert_eq!(Ia32Efer::NXE.mask(), 1 << 11);
//! ```
//!
//! The crate is `no_std` and has no dependencies. docs/rust.md of the project
//! describes the names, the API, the exception table and the tests.

#![no_std]
#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

#[macro_use]
mod macros;

mod access;
mod field;

#[cfg(feature = "backend")]
pub mod backend;
pub mod extable;
pub mod meta;
pub mod raw;

pub use access::{
    Array, Modified, MsrRead, MsrReadAt, MsrReadWrite, MsrReadWriteAt, MsrWrite, MsrWriteAt, Register, Single,
};
pub use field::Field;

use core::fmt;

/// Why an access did not happen (the `_safe` accessors' error; the C
/// library's `enum msr_status`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Error {
    /// A #GP, through any backend: the register is absent or rejected the value.
    Fault,
    /// An array index at or past the register's instance count: no access was made.
    Range,
    /// A `backend` build with no backend installed.
    NoBackend,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::Fault => "general-protection fault (#GP): the MSR is absent or rejected the value",
            Error::Range => "array index out of range",
            Error::NoBackend => "no MSR backend installed",
        })
    }
}

mod msr {
    use crate::meta::Def;
    use crate::Register;
    include!(concat!(env!("X86MSR_GENERATED_DIR"), "/msr.rs"));
}
pub use msr::Msr;

/// Named values of fields: the spec's shared enumerations and the fields' own,
/// each a Rust enum (re-exported at the crate root).
pub mod enums {
    include!(concat!(env!("X86MSR_GENERATED_DIR"), "/enums.rs"));
}
pub use enums::*;

/// The register value types, one module per category of the spec (each
/// re-exported at the crate root).
pub mod regs {
    include!(concat!(env!("X86MSR_GENERATED_DIR"), "/regs.rs"));
}
include!(concat!(env!("X86MSR_GENERATED_DIR"), "/reexports.rs"));

/// The VMX control sets of the spec: each control's bit as a constant of its
/// set's module (`vmx::secondary::ENABLE_EPT`), and each set's capability MSRs
/// and named bits as data ([`vmx::CONTROL_SETS`]).
pub mod vmx {
    include!(concat!(env!("X86MSR_GENERATED_DIR"), "/vmx.rs"));
}

/// docs/rust.md's Rust blocks, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/rust.md")]
pub struct DocsRustMd;

impl Msr {
    /// The address: the register's, or instance `n`'s of an array.
    ///
    /// # Panics
    ///
    /// When an array's index is at or past its instance count.
    #[inline]
    pub const fn address(self) -> u32 {
        match self.def().instance_address(self.index()) {
            Some(address) => address,
            None => panic!("x86msr: array index out of range"),
        }
    }

    /// The address, or [`Error::Range`] for an array index at or past its count.
    #[inline]
    pub const fn try_address(self) -> Result<u32, Error> {
        match self.def().instance_address(self.index()) {
            Some(address) => Ok(address),
            None => Err(Error::Range),
        }
    }

    /// RDMSR: the register's 64 bits (a plain access: a missing register faults).
    ///
    /// # Panics
    ///
    /// When an array's index is out of range (no access is made).
    #[inline]
    pub fn read(self) -> u64 {
        match self.try_address() {
            Ok(address) => raw::rdmsr(address),
            Err(e) => raw::bad_access(self.def().address, false, e),
        }
    }

    /// RDMSR, with [`Error::Fault`] instead of a #GP and [`Error::Range`] for a bad index.
    #[inline]
    pub fn read_safe(self) -> Result<u64, Error> {
        raw::rdmsr_safe(self.try_address()?)
    }

    /// WRMSR of `value`.
    ///
    /// # Safety
    ///
    /// Writing an MSR changes how the processor runs: paging, system-call
    /// entry points, memory types, the APIC. The caller must know the write
    /// keeps every guarantee its program relies on.
    ///
    /// # Panics
    ///
    /// When an array's index is out of range (no access is made).
    #[inline]
    pub unsafe fn write(self, value: u64) {
        match self.try_address() {
            // SAFETY: the caller's promise, passed on.
            Ok(address) => unsafe { raw::wrmsr(address, value) },
            Err(e) => raw::bad_access(self.def().address, true, e),
        }
    }

    /// WRMSR, with [`Error::Fault`] instead of a #GP and [`Error::Range`] for a bad index.
    ///
    /// # Safety
    ///
    /// As [`Msr::write`].
    #[inline]
    pub unsafe fn write_safe(self, value: u64) -> Result<(), Error> {
        // SAFETY: the caller's promise, passed on.
        unsafe { raw::wrmsr_safe(self.try_address()?, value) }
    }
}

/// The register's name, an array's with the index: `IA32_EFER`, `IA32_MC3_CTL`
/// (an index out of range prints as `n`: `IA32_MCn_CTL`).
impl fmt::Display for Msr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let def = self.def();
        if def.count <= 1 {
            return f.write_str(def.name);
        }
        meta::write_instance_name(f, def.name, self.index(), self.index() < def.count)
    }
}
