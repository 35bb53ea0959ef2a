//! The exception table, for real: RDMSR and WRMSR at CPL 3 raise #GP, which
//! Linux delivers as SIGSEGV; the handler below does what a kernel's #GP
//! handler does — asks `extable::fixup` about the faulting RIP and resumes at
//! its answer — so the `_safe` primitives return `Err(Fault)`. Without the
//! table, the process would die of the signal.

#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use std::os::raw::{c_int, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};

use x86msr::{extable, raw, Error};

// glibc's x86-64 `struct sigaction` and the start of `ucontext_t`, enough to
// reach the saved RIP (no libc crate: the crate has no dependencies).
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

extern "C" {
    fn sigaction(signum: c_int, act: *const SigAction, old: *mut SigAction) -> c_int;
}

/// The tests count faults: they take turns.
static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
static FIXED: AtomicUsize = AtomicUsize::new(0);
static UNKNOWN_RIP: AtomicUsize = AtomicUsize::new(0);

extern "C" fn on_segv(_sig: c_int, _info: *mut c_void, context: *mut c_void) {
    // SAFETY: the kernel passes a ucontext_t to an SA_SIGINFO handler.
    let uc = unsafe { &mut *(context as *mut UContext) };
    let rip = uc.gregs[REG_RIP] as usize;
    match extable::fixup(rip) {
        Some(resume) => {
            FIXED.fetch_add(1, Ordering::SeqCst);
            uc.gregs[REG_RIP] = resume as i64;
        }
        None => {
            // Not ours: record it and die of the signal as usual.
            UNKNOWN_RIP.store(rip, Ordering::SeqCst);
            let default = SigAction {
                sa_sigaction: 0,
                sa_mask: [0; 16],
                sa_flags: 0,
                sa_restorer: 0,
            };
            // SAFETY: restores the default action; the fault repeats and ends the process.
            unsafe { sigaction(SIGSEGV, &default, std::ptr::null_mut()) };
        }
    }
}

fn install_handler() -> std::sync::MutexGuard<'static, ()> {
    let turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    let act = SigAction {
        sa_sigaction: on_segv as *const () as usize,
        sa_mask: [0; 16],
        sa_flags: SA_SIGINFO,
        sa_restorer: 0,
    };
    // SAFETY: a valid sigaction; the handler only touches the saved context and atomics.
    assert_eq!(unsafe { sigaction(SIGSEGV, &act, std::ptr::null_mut()) }, 0);
    turn
}

#[test]
fn safe_rdmsr_and_wrmsr_recover_through_the_table() {
    let _turn = install_handler();
    let before = FIXED.load(Ordering::SeqCst);
    assert_eq!(
        raw::native::rdmsr_safe(0x10),
        Err(Error::Fault),
        "RDMSR at CPL 3 faults"
    );
    assert_eq!(unsafe { raw::native::wrmsr_safe(0x10, 0) }, Err(Error::Fault));
    assert_eq!(FIXED.load(Ordering::SeqCst) - before, 2);
    assert_eq!(UNKNOWN_RIP.load(Ordering::SeqCst), 0);
}

#[cfg(not(feature = "backend"))]
#[test]
fn typed_safe_accessors_use_the_table() {
    use x86msr::{Ia32Efer, Ia32McxCtl, Msr, MsrRead, MsrReadAt, MsrReadWrite, MsrWrite};
    let _turn = install_handler();
    let before = FIXED.load(Ordering::SeqCst);
    assert_eq!(Ia32Efer::read_safe(), Err(Error::Fault));
    assert_eq!(unsafe { Ia32Efer::ZERO.write_safe() }, Err(Error::Fault));
    assert_eq!(
        unsafe { Ia32Efer::modify_safe(Ia32Efer::ZERO, Ia32Efer::NXE.bits()) },
        Err(Error::Fault)
    );
    assert_eq!(Ia32McxCtl::read_safe(2), Err(Error::Fault));
    assert_eq!(
        Ia32McxCtl::read_safe(32),
        Err(Error::Range),
        "no access for an index out of range"
    );
    assert_eq!(Msr::Ia32Efer.read_safe(), Err(Error::Fault));
    assert_eq!(FIXED.load(Ordering::SeqCst) - before, 5);
}

#[test]
fn every_entry_covers_an_msr_instruction() {
    // Make sure both primitives are in this program.
    let _ = raw::native::rdmsr_safe as fn(u32) -> Result<u64, Error>;
    let _ = raw::native::wrmsr_safe as unsafe fn(u32, u64) -> Result<(), Error>;
    let entries = extable::entries();
    let mut covered = 0;
    for e in entries {
        let insn = e.insn_address();
        if insn == &e.insn as *const i32 as usize {
            continue; // the lookup's own entry, which covers nothing
        }
        // SAFETY: the entry points into this program's text.
        let bytes = unsafe { std::slice::from_raw_parts(insn as *const u8, 2) };
        assert!(
            bytes == [0x0F, 0x32] || bytes == [0x0F, 0x30],
            "entry at {:#x} covers {:02x?}",
            insn,
            bytes
        );
        assert_ne!(e.fixup_address(), insn);
        covered += 1;
    }
    assert!(
        covered >= 2,
        "{} entries, {} covering an instruction",
        entries.len(),
        covered
    );
    assert_eq!(
        extable::fixup(every_entry_covers_an_msr_instruction as *const () as usize),
        None
    );
}
