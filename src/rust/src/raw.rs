//! RDMSR and WRMSR on raw addresses and values: the primitives every typed
//! accessor goes through.
//!
//! Without the `backend` feature they are the instructions themselves
//! ([`native`]: ring 0 — kernels, hypervisors, the KVM test guest). With it,
//! they call the installed [`crate::backend::Backend`] instead (the in-memory
//! register file of the tests, a guest's MSRs), as the C library's
//! `MSR_BACKEND_OPS` does. A #GP is [`Error::Fault`] through either.

use crate::Error;

/// The instructions, whatever the `backend` feature says: `rdmsr`/`wrmsr`,
/// and their `_safe` forms recorded in the exception table ([`crate::extable`]).
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
pub mod native {
    use crate::Error;
    use core::arch::asm;

    /// RDMSR of `msr` (ECX): EDX:EAX. Outside ring 0, or for a register the
    /// processor lacks, the CPU raises #GP.
    #[inline(always)]
    pub fn rdmsr(msr: u32) -> u64 {
        let (lo, hi): (u32, u32);
        // SAFETY: RDMSR reads a register into EDX:EAX and touches no memory;
        // a #GP it raises does not return here.
        unsafe {
            asm!("rdmsr", in("ecx") msr, out("eax") lo, out("edx") hi, options(nomem, nostack, preserves_flags));
        }
        (u64::from(hi) << 32) | u64::from(lo)
    }

    /// WRMSR of `value` to `msr`.
    ///
    /// # Safety
    ///
    /// Writing an MSR changes how the processor runs: the caller must know
    /// the write keeps every guarantee its program relies on.
    #[inline(always)]
    pub unsafe fn wrmsr(msr: u32, value: u64) {
        // SAFETY: the caller's promise. No `nomem`: the write orders with memory accesses.
        unsafe {
            asm!("wrmsr", in("ecx") msr, in("eax") value as u32, in("edx") (value >> 32) as u32,
                 options(nostack, preserves_flags));
        }
    }

    /// RDMSR that returns [`Error::Fault`] instead of faulting, when the #GP
    /// handler resumes at [`crate::extable::fixup`]'s answer.
    ///
    /// The `rdmsr` (label 2) gets a fixup stub in `.text.msr_fixup` (label 4:
    /// status 1, EAX = EDX = 0, back behind the instruction) and an entry in
    /// the `msr_extable` section: two `i32`, the instruction's and the stub's
    /// addresses relative to the entry's fields (the C library's
    /// `struct msr_extable_entry`, in the same section).
    #[inline(always)]
    pub fn rdmsr_safe(msr: u32) -> Result<u64, Error> {
        let (lo, hi): (u32, u32);
        let mut fault: u32 = 0;
        // SAFETY: as rdmsr; a #GP resumes at label 3 through the stub, with
        // `fault` = 1 and EDX:EAX = 0, when the handler consults the table.
        unsafe {
            asm!(
                "2: rdmsr",
                "3:",
                ".pushsection .text.msr_fixup, \"ax\"",
                "4: movl $1, {fault:e}",
                "xorl %eax, %eax",
                "xorl %edx, %edx",
                "jmp 3b",
                ".popsection",
                ".pushsection msr_extable, \"aR\"",
                ".balign 4",
                ".long 2b - .",
                ".long 4b - .",
                ".popsection",
                fault = inout(reg) fault,
                in("ecx") msr,
                out("eax") lo,
                out("edx") hi,
                options(att_syntax, nomem, nostack),
            );
        }
        if fault != 0 {
            return Err(Error::Fault);
        }
        Ok((u64::from(hi) << 32) | u64::from(lo))
    }

    /// WRMSR that returns [`Error::Fault`] instead of faulting (the register
    /// then keeps its value); the table entry as for [`rdmsr_safe`].
    ///
    /// # Safety
    ///
    /// As [`wrmsr`].
    #[inline(always)]
    pub unsafe fn wrmsr_safe(msr: u32, value: u64) -> Result<(), Error> {
        let mut fault: u32 = 0;
        // SAFETY: the caller's promise; a #GP resumes at label 3 with `fault` = 1.
        unsafe {
            asm!(
                "2: wrmsr",
                "3:",
                ".pushsection .text.msr_fixup, \"ax\"",
                "4: movl $1, {fault:e}",
                "jmp 3b",
                ".popsection",
                ".pushsection msr_extable, \"aR\"",
                ".balign 4",
                ".long 2b - .",
                ".long 4b - .",
                ".popsection",
                fault = inout(reg) fault,
                in("ecx") msr,
                in("eax") value as u32,
                in("edx") (value >> 32) as u32,
                options(att_syntax, nostack),
            );
        }
        if fault != 0 {
            return Err(Error::Fault);
        }
        Ok(())
    }
}

/// RDMSR of `msr`: the instruction, or the backend's read (whose failure goes
/// to [`crate::backend::Backend::fault`] and reads as 0).
#[cfg(not(feature = "backend"))]
#[inline(always)]
pub fn rdmsr(msr: u32) -> u64 {
    native::rdmsr(msr)
}

/// RDMSR of `msr` with [`Error::Fault`] instead of a #GP.
#[cfg(not(feature = "backend"))]
#[inline(always)]
pub fn rdmsr_safe(msr: u32) -> Result<u64, Error> {
    native::rdmsr_safe(msr)
}

/// WRMSR of `value` to `msr`.
///
/// # Safety
///
/// Writing an MSR changes how the processor runs: the caller must know the
/// write keeps every guarantee its program relies on.
#[cfg(not(feature = "backend"))]
#[inline(always)]
pub unsafe fn wrmsr(msr: u32, value: u64) {
    // SAFETY: the caller's promise, passed on.
    unsafe { native::wrmsr(msr, value) }
}

/// WRMSR of `value` to `msr` with [`Error::Fault`] instead of a #GP.
///
/// # Safety
///
/// As [`wrmsr`].
#[cfg(not(feature = "backend"))]
#[inline(always)]
pub unsafe fn wrmsr_safe(msr: u32, value: u64) -> Result<(), Error> {
    // SAFETY: the caller's promise, passed on.
    unsafe { native::wrmsr_safe(msr, value) }
}

/// RDMSR of `msr`: the installed backend's read; a failure goes to its
/// [`fault`](crate::backend::Backend::fault) hook and reads as 0.
#[cfg(feature = "backend")]
#[inline]
pub fn rdmsr(msr: u32) -> u64 {
    match rdmsr_safe(msr) {
        Ok(value) => value,
        Err(e) => {
            crate::backend::fault(msr, false, e);
            0
        }
    }
}

/// RDMSR of `msr` through the installed backend ([`Error::NoBackend`] when none is).
#[cfg(feature = "backend")]
#[inline]
pub fn rdmsr_safe(msr: u32) -> Result<u64, Error> {
    match crate::backend::current() {
        Some(b) => b.read(msr),
        None => Err(Error::NoBackend),
    }
}

/// WRMSR of `value` to `msr` through the installed backend; a failure goes to
/// its [`fault`](crate::backend::Backend::fault) hook.
///
/// # Safety
///
/// The backend decides what a write does; the signature stays the
/// instruction's, so code is the same with and without the feature.
#[cfg(feature = "backend")]
#[inline]
pub unsafe fn wrmsr(msr: u32, value: u64) {
    // SAFETY: the caller's promise, passed on.
    if let Err(e) = unsafe { wrmsr_safe(msr, value) } {
        crate::backend::fault(msr, true, e);
    }
}

/// WRMSR of `value` to `msr` through the installed backend.
///
/// # Safety
///
/// As [`wrmsr`].
#[cfg(feature = "backend")]
#[inline]
pub unsafe fn wrmsr_safe(msr: u32, value: u64) -> Result<(), Error> {
    match crate::backend::current() {
        Some(b) => b.write(msr, value),
        None => Err(Error::NoBackend),
    }
}

/// A plain access that cannot be made (an array index out of range): no
/// access happens. Without a backend this panics; with one, its fault hook
/// hears [`Error::Range`] first (and a hook that returns still ends in the panic,
/// since a plain accessor has no value to return).
#[cold]
#[inline(never)]
pub(crate) fn bad_access(msr: u32, is_write: bool, error: Error) -> ! {
    #[cfg(feature = "backend")]
    crate::backend::fault(msr, is_write, error);
    panic!(
        "x86msr: {} of MSR {:#x}: {}",
        if is_write { "write" } else { "read" },
        msr,
        error
    )
}
