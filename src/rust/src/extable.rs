//! The exception table behind the `_safe` accessors: what a #GP handler asks
//! to turn a faulting `rdmsr`/`wrmsr` into [`crate::Error::Fault`].
//!
//! Each `_safe` access ([`crate::raw::native::rdmsr_safe`] and
//! [`crate::raw::native::wrmsr_safe`], so every typed `read_safe`,
//! `write_safe` and `modify_safe`) records one [`Entry`] in the linker section
//! `msr_extable`: "the instruction here may fault; resume at that stub, which
//! makes the access return `Err(Fault)`". The linker gathers the entries of
//! every object into one array between `__start_msr_extable` and
//! `__stop_msr_extable`. It is the C library's table (`struct
//! msr_extable_entry`, `msr_extable_fixup()` in src/core/msr_extable.c): a
//! program that links both has one table, and either lookup finds the entries
//! of both.
//!
//! Your #GP handler (vector 13), with the faulting RIP from its trap frame:
//!
//! ```no_run
//! # struct TrapFrame { rip: u64 }
//! fn general_protection(frame: &mut TrapFrame) {
//!     match x86msr::extable::fixup(frame.rip as usize) {
//!         Some(resume) => frame.rip = resume as u64, // the access returns Err(Fault)
//!         None => panic!("#GP at {:#x}", frame.rip), // not an MSR access of ours
//!     }
//! }
//! # let _ = general_protection;
//! ```
//!
//! The table needs no relocation (both fields are relative to themselves), so
//! it works in position-independent and `-mcmodel=kernel` images alike; with a
//! linker script of your own, keep the section and define the two symbols:
//! `msr_extable : { __start_msr_extable = .; KEEP(*(msr_extable)) __stop_msr_extable = .; }`.

/// One entry: the faulting instruction and its fixup stub, each as the distance
/// from the field itself (`target - &field`), as C's `struct msr_extable_entry`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// The `rdmsr`/`wrmsr`, relative to this field.
    pub insn: i32,
    /// The stub to resume at, relative to this field.
    pub fixup: i32,
}

impl Entry {
    /// The address of the instruction this entry covers.
    #[inline]
    pub fn insn_address(&self) -> usize {
        target(&self.insn)
    }

    /// The address of its fixup stub.
    #[inline]
    pub fn fixup_address(&self) -> usize {
        target(&self.fixup)
    }
}

#[inline]
fn target(field: &i32) -> usize {
    (field as *const i32 as usize).wrapping_add(*field as isize as usize)
}

#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
extern "C" {
    static __start_msr_extable: [Entry; 0];
    static __stop_msr_extable: [Entry; 0];
}

/// Every entry of the program's table (the C library's, if it is linked, included).
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
pub fn entries() -> &'static [Entry] {
    // The code that looks the table up has an entry of its own, so that the
    // section, and the linker's __start_/__stop_ symbols, exist even in a
    // program without a single _safe access. It covers no instruction: both
    // fields point at themselves, inside the table, where no code is.
    // SAFETY: the asm only adds 8 bytes of data to the msr_extable section.
    unsafe {
        core::arch::asm!(
            ".pushsection msr_extable, \"aR\"",
            ".balign 4",
            ".long 0",
            ".long 0",
            ".popsection",
            options(att_syntax, nomem, nostack, preserves_flags),
        );
    }
    // SAFETY: the linker puts the two symbols at the start and the end of the
    // section, which holds nothing but 4-aligned 8-byte entries.
    unsafe {
        let start = core::ptr::addr_of!(__start_msr_extable) as *const Entry;
        let stop = core::ptr::addr_of!(__stop_msr_extable) as *const Entry;
        let count = (stop as usize - start as usize) / core::mem::size_of::<Entry>();
        core::slice::from_raw_parts(start, count)
    }
}

/// For your #GP handler: when `rip` is an x86msr `rdmsr`/`wrmsr` that may fault,
/// the address to resume at (the access then returns `Err(Fault)`); `None`
/// when the fault is not one of ours. A linear scan: 8 bytes per `_safe`
/// access site, and a #GP is rare. Callable from an exception handler on any
/// CPU at any time: it reads the read-only table only.
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
pub fn fixup(rip: usize) -> Option<usize> {
    entries()
        .iter()
        .find(|e| e.insn_address() == rip)
        .map(Entry::fixup_address)
}
