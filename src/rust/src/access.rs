//! The access traits: which of read, write and modify a register has is which
//! of these traits its type implements, as its access mode in the spec says.
//! A plain register's are [`MsrRead`], [`MsrWrite`] and [`MsrReadWrite`]; an
//! array's take the instance index first ([`MsrReadAt`], [`MsrWriteAt`],
//! [`MsrReadWriteAt`]).
//!
//! Misuse is a compile error, not a #GP. Each `compile_fail` block below has a
//! twin that compiles (`read_write_ok`), so they fail for the reason they show.
//!
//! ```
//! # fn read_write_ok() {
//! use x86msr::{Ia32Efer, Ia32McxCtl, Ia32Pat, Ia32PredCmd, Ia32VmxBasic, MemoryType};
//! use x86msr::{MsrRead, MsrReadAt, MsrReadWrite, MsrWrite, Register};
//! let basic = Ia32VmxBasic::read();                          // read-only: readable
//! unsafe { Ia32PredCmd::ZERO.with_ibpb(true).write() };      // write-only: writable
//! let efer = Ia32Efer::read().with_nxe(true);                // a writable field
//! let pat = Ia32Pat::ZERO.with_pa0(MemoryType::Wb);          // a strict field takes its enum
//! unsafe { Ia32Efer::modify(Ia32Efer::ZERO, efer) };          // values of its own type
//! let bank = Ia32McxCtl::read(3);                            // an array takes its index
//! let _ = (basic, pat, bank, Ia32Efer::NXE.get(efer));
//! # }
//! ```
//!
//! A read-only register has no write (and a write-only one no read):
//!
//! ```compile_fail,E0599
//! use x86msr::{Ia32VmxBasic, MsrWrite};
//! unsafe { Ia32VmxBasic::ZERO.write() };
//! ```
//!
//! ```compile_fail,E0599
//! use x86msr::{Ia32PredCmd, MsrRead};
//! let _ = Ia32PredCmd::read();
//! ```
//!
//! A read-only field has no builder:
//!
//! ```compile_fail,E0599
//! let _ = x86msr::Ia32Efer::ZERO.with_lma(true);
//! ```
//!
//! A strict field takes its enumeration's values only (no integer, no bits builder):
//!
//! ```compile_fail,E0308
//! let _ = x86msr::Ia32Pat::ZERO.with_pa0(2);
//! ```
//!
//! ```compile_fail,E0599
//! let _ = x86msr::Ia32Pat::ZERO.with_pa0_bits(2);
//! ```
//!
//! Another register's value does not go in, nor does a field of another register:
//!
//! ```compile_fail,E0308
//! use x86msr::{Ia32Efer, Ia32Pat, MsrReadWrite};
//! unsafe { Ia32Efer::modify(Ia32Pat::ZERO, Ia32Efer::ZERO) };
//! ```
//!
//! ```compile_fail,E0308
//! use x86msr::{Ia32Efer, Ia32Pat};
//! let _ = Ia32Efer::NXE.get(Ia32Pat::ZERO);
//! ```
//!
//! An array needs its index, and a write needs `unsafe`:
//!
//! ```compile_fail,E0061
//! use x86msr::{Ia32McxCtl, MsrReadAt};
//! let _ = Ia32McxCtl::read();
//! ```
//!
//! ```compile_fail,E0133
//! use x86msr::{Ia32Efer, MsrWrite};
//! Ia32Efer::ZERO.write();
//! ```

use crate::meta::Def;
use crate::{raw, Error, Msr};

/// A register value type: 64 bits of one register of the spec, and the
/// register's definition.
pub trait Register: Copy + Sized + 'static {
    /// The register's definition: address, instances, masks, fields, presence.
    const DEF: &'static Def;

    /// A value from any 64 bits (the type's inherent `unchecked`).
    fn unchecked(raw: u64) -> Self;

    /// The 64 bits of the value.
    fn raw(self) -> u64;
}

/// A register with one instance.
pub trait Single: Register {
    /// The register (the seed's `MsrReadWrite::MSR`).
    const MSR: Msr;
}

/// An array register: instances 0 to `DEF.count - 1`, `DEF.stride` apart.
pub trait Array: Register {
    /// Instance `index`. The accessors check the index; this does not.
    fn msr(index: u32) -> Msr;
}

/// The outcome of a read-modify-write.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Modified<R> {
    /// What the register holds afterwards: the value written (write-1-to-clear
    /// bits as written), or the value read when nothing was written.
    pub value: R,
    /// Whether a WRMSR happened: not when the register already held the value.
    pub written: bool,
}

/// The value a read-modify-write stores (the C library's `msr_rmw_value`):
/// `clear`'s and then `set`'s bits change, inside `writable` only; reserved and
/// read-only bits are written back as read; write-1-to-clear bits (`w1c`) are
/// written as 0 unless `set` names them.
#[inline(always)]
const fn rmw_value(old: u64, clear: u64, set: u64, writable: u64, w1c: u64) -> u64 {
    ((old & !w1c) & !(clear & writable)) | (set & writable)
}

#[inline(always)]
unsafe fn modify_at<R: Register>(address: u32, clear: R, set: R) -> Modified<R> {
    let masks = &R::DEF.masks;
    let old = raw::rdmsr(address);
    let value = rmw_value(old, clear.raw(), set.raw(), masks.writable, masks.w1c);
    if value == old & !masks.w1c {
        return Modified {
            value: R::unchecked(old),
            written: false,
        };
    }
    // SAFETY: the caller's promise, passed on.
    unsafe { raw::wrmsr(address, value) };
    Modified {
        value: R::unchecked(value),
        written: true,
    }
}

#[inline(always)]
unsafe fn modify_safe_at<R: Register>(address: u32, clear: R, set: R) -> Result<Modified<R>, Error> {
    let masks = &R::DEF.masks;
    let old = raw::rdmsr_safe(address)?;
    let value = rmw_value(old, clear.raw(), set.raw(), masks.writable, masks.w1c);
    if value == old & !masks.w1c {
        return Ok(Modified {
            value: R::unchecked(old),
            written: false,
        });
    }
    // SAFETY: the caller's promise, passed on.
    unsafe { raw::wrmsr_safe(address, value)? };
    Ok(Modified {
        value: R::unchecked(value),
        written: true,
    })
}

/// The address of instance `index` of `R`, or the bad-index report of a plain access.
#[inline(always)]
fn instance<R: Register>(index: u32, is_write: bool) -> u32 {
    match R::DEF.instance_address(index) {
        Some(address) => address,
        None => raw::bad_access(R::DEF.address, is_write, Error::Range),
    }
}

/// A readable register (access `ro` or `rw` in the spec).
pub trait MsrRead: Single {
    /// RDMSR. A register the processor lacks faults (#GP): see [`MsrRead::read_safe`].
    #[inline(always)]
    fn read() -> Self {
        Self::unchecked(raw::rdmsr(Self::DEF.address))
    }

    /// RDMSR, [`Error::Fault`] instead of a #GP.
    #[inline(always)]
    fn read_safe() -> Result<Self, Error> {
        raw::rdmsr_safe(Self::DEF.address).map(Self::unchecked)
    }
}

/// A writable register (access `wo` or `rw`).
pub trait MsrWrite: Single {
    /// WRMSR of the value.
    ///
    /// # Safety
    ///
    /// Writing an MSR changes how the processor runs (paging, system-call
    /// entry, memory types, interrupts): the caller must know the write keeps
    /// every guarantee its program relies on.
    #[inline(always)]
    unsafe fn write(self) {
        // SAFETY: the caller's promise, passed on.
        unsafe { raw::wrmsr(Self::DEF.address, self.raw()) }
    }

    /// WRMSR, [`Error::Fault`] instead of a #GP (a missing register, a rejected value).
    ///
    /// # Safety
    ///
    /// As [`MsrWrite::write`].
    #[inline(always)]
    unsafe fn write_safe(self) -> Result<(), Error> {
        // SAFETY: the caller's promise, passed on.
        unsafe { raw::wrmsr_safe(Self::DEF.address, self.raw()) }
    }
}

/// A read/write register: read-modify-write.
pub trait MsrReadWrite: MsrRead + MsrWrite {
    /// Reads the register, clears the bits of `clear`, sets those of `set`
    /// (writable fields only: reserved and read-only bits keep what was read,
    /// write-1-to-clear bits are written as 0 unless `set` names them), and
    /// writes the result back unless the register already holds it.
    ///
    /// # Safety
    ///
    /// As [`MsrWrite::write`].
    #[inline(always)]
    unsafe fn modify(clear: Self, set: Self) -> Modified<Self> {
        // SAFETY: the caller's promise, passed on.
        unsafe { modify_at(Self::DEF.address, clear, set) }
    }

    /// [`MsrReadWrite::modify`] with `_safe` accesses: the error of the read or of the write.
    ///
    /// # Safety
    ///
    /// As [`MsrWrite::write`].
    #[inline(always)]
    unsafe fn modify_safe(clear: Self, set: Self) -> Result<Modified<Self>, Error> {
        // SAFETY: the caller's promise, passed on.
        unsafe { modify_safe_at(Self::DEF.address, clear, set) }
    }
}

/// A readable array register.
pub trait MsrReadAt: Array {
    /// RDMSR of instance `index`.
    ///
    /// # Panics
    ///
    /// When `index` is at or past the instance count (no access is made).
    #[inline(always)]
    fn read(index: u32) -> Self {
        Self::unchecked(raw::rdmsr(instance::<Self>(index, false)))
    }

    /// RDMSR of instance `index`: [`Error::Range`] for a bad index, [`Error::Fault`] instead of a #GP.
    #[inline(always)]
    fn read_safe(index: u32) -> Result<Self, Error> {
        let address = Self::DEF.instance_address(index).ok_or(Error::Range)?;
        raw::rdmsr_safe(address).map(Self::unchecked)
    }
}

/// A writable array register.
pub trait MsrWriteAt: Array {
    /// WRMSR of `value` to instance `index`.
    ///
    /// # Safety
    ///
    /// As [`MsrWrite::write`].
    ///
    /// # Panics
    ///
    /// When `index` is at or past the instance count (no access is made).
    #[inline(always)]
    unsafe fn write(index: u32, value: Self) {
        // SAFETY: the caller's promise, passed on.
        unsafe { raw::wrmsr(instance::<Self>(index, true), value.raw()) }
    }

    /// WRMSR to instance `index`: [`Error::Range`] for a bad index, [`Error::Fault`] instead of a #GP.
    ///
    /// # Safety
    ///
    /// As [`MsrWrite::write`].
    #[inline(always)]
    unsafe fn write_safe(index: u32, value: Self) -> Result<(), Error> {
        let address = Self::DEF.instance_address(index).ok_or(Error::Range)?;
        // SAFETY: the caller's promise, passed on.
        unsafe { raw::wrmsr_safe(address, value.raw()) }
    }
}

/// A read/write array register.
pub trait MsrReadWriteAt: MsrReadAt + MsrWriteAt {
    /// [`MsrReadWrite::modify`] of instance `index`.
    ///
    /// # Safety
    ///
    /// As [`MsrWrite::write`].
    ///
    /// # Panics
    ///
    /// When `index` is at or past the instance count (no access is made).
    #[inline(always)]
    unsafe fn modify(index: u32, clear: Self, set: Self) -> Modified<Self> {
        // SAFETY: the caller's promise, passed on.
        unsafe { modify_at(instance::<Self>(index, true), clear, set) }
    }

    /// [`MsrReadWrite::modify_safe`] of instance `index` ([`Error::Range`] for a bad index).
    ///
    /// # Safety
    ///
    /// As [`MsrWrite::write`].
    #[inline(always)]
    unsafe fn modify_safe(index: u32, clear: Self, set: Self) -> Result<Modified<Self>, Error> {
        let address = Self::DEF.instance_address(index).ok_or(Error::Range)?;
        // SAFETY: the caller's promise, passed on.
        unsafe { modify_safe_at(address, clear, set) }
    }
}
