//! The crate's exception table is the C library's: one program with both a
//! Rust `_safe` RDMSR and a C one (tests/rust/c_safe_access.c, linked with
//! src/core/msr_extable.c) has one `msr_extable` section, in which each
//! language's lookup finds the other's entries. At CPL 3 the RDMSRs raise #GP
//! (SIGSEGV); the handler resumes through the *other* language's lookup.
//!
//! Built by CTest's rust_shared_extable with `cargo rustc -- -L native=DIR -l
//! static=rust_c_extable` (the C objects CMake built). Exit 0 when every check
//! holds, 1 with the failures listed.

use std::os::raw::{c_int, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};

use x86msr::{extable, raw, Error};

extern "C" {
    fn c_rdmsr_safe(msr: u32, value: *mut u64) -> c_int;
    fn msr_extable_fixup(rip: usize, resume: *mut usize) -> bool;
    fn sigaction(signum: c_int, act: *const SigAction, old: *mut SigAction) -> c_int;
}

#[repr(C)]
struct SigAction {
    sa_sigaction: usize,
    sa_mask: [u64; 16],
    sa_flags: c_int,
    sa_restorer: usize,
}

#[repr(C)]
struct UContext {
    uc_flags: u64,
    uc_link: *mut c_void,
    ss_sp: *mut c_void,
    ss_flags: c_int,
    ss_size: usize,
    gregs: [i64; 23],
}

const SIGSEGV: c_int = 11;
const SA_SIGINFO: c_int = 4;
const REG_RIP: usize = 16;
const MSR_ERR_FAULT: c_int = -1;

/// 0: resume through C's msr_extable_fixup; 1: through the crate's extable::fixup.
static LOOKUP: AtomicUsize = AtomicUsize::new(0);
static RESUMED: AtomicUsize = AtomicUsize::new(0);

extern "C" fn on_segv(_sig: c_int, _info: *mut c_void, context: *mut c_void) {
    // SAFETY: an SA_SIGINFO handler gets a ucontext_t.
    let uc = unsafe { &mut *(context as *mut UContext) };
    let rip = uc.gregs[REG_RIP] as usize;
    let resume = if LOOKUP.load(Ordering::SeqCst) == 0 {
        let mut to = 0usize;
        // SAFETY: the C lookup reads the table and writes `to`.
        if unsafe { msr_extable_fixup(rip, &mut to) } {
            Some(to)
        } else {
            None
        }
    } else {
        extable::fixup(rip)
    };
    match resume {
        Some(to) => {
            RESUMED.fetch_add(1, Ordering::SeqCst);
            uc.gregs[REG_RIP] = to as i64;
        }
        None => {
            eprintln!("shared_extable: a #GP at {:#x} that neither table knows", rip);
            std::process::exit(1);
        }
    }
}

fn main() {
    let act = SigAction {
        sa_sigaction: on_segv as *const () as usize,
        sa_mask: [0; 16],
        sa_flags: SA_SIGINFO,
        sa_restorer: 0,
    };
    // SAFETY: a valid sigaction.
    assert_eq!(unsafe { sigaction(SIGSEGV, &act, std::ptr::null_mut()) }, 0);
    let mut failures = Vec::new();

    LOOKUP.store(0, Ordering::SeqCst);
    let rust = raw::native::rdmsr_safe(0x10);
    if rust != Err(Error::Fault) || RESUMED.load(Ordering::SeqCst) != 1 {
        failures.push(format!(
            "a Rust rdmsr_safe resumed through C's msr_extable_fixup: {:?}",
            rust
        ));
    }

    LOOKUP.store(1, Ordering::SeqCst);
    let mut value = 0xFFu64;
    // SAFETY: the C function writes `value`.
    let c = unsafe { c_rdmsr_safe(0x10, &mut value) };
    if c != MSR_ERR_FAULT || value != 0 || RESUMED.load(Ordering::SeqCst) != 2 {
        failures.push(format!(
            "a C msr_rdmsr_safe resumed through the crate's extable::fixup: status {}, value {:#x}",
            c, value
        ));
    }

    // Every entry of the one table covers an RDMSR/WRMSR of either language (or is the
    // crate's lookup's own, which points at itself).
    let mut covered = 0;
    for e in extable::entries() {
        let insn = e.insn_address();
        if insn == &e.insn as *const i32 as usize {
            continue;
        }
        // SAFETY: the entry points into this program's text.
        let bytes = unsafe { std::slice::from_raw_parts(insn as *const u8, 2) };
        if bytes != [0x0F, 0x32] && bytes != [0x0F, 0x30] {
            failures.push(format!("an entry at {:#x} covers {:02x?}", insn, bytes));
        }
        covered += 1;
    }
    if covered < 2 {
        failures.push(format!(
            "{} entries cover an instruction; the Rust and the C site should both",
            covered
        ));
    }

    if failures.is_empty() {
        println!("shared_extable: one table, {} entries covering RDMSR/WRMSR; a Rust fault resumed through C's lookup, a C one through Rust's", covered);
    } else {
        for f in &failures {
            eprintln!("shared_extable: {}", f);
        }
        std::process::exit(1);
    }
}
