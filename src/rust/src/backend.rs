//! Run-time backends (feature `backend`): every RDMSR and WRMSR of the crate —
//! [`crate::Msr::read`], every typed accessor, [`crate::raw::rdmsr`] — calls the
//! installed [`Backend`] instead of executing the instruction, as the C
//! library's `MSR_BACKEND_OPS` does. The in-memory register file
//! [`MemoryBackend`] serves the tests; a hypervisor can install its guest's
//! MSRs.
//!
//! The backend is one for the whole program (cargo features are, too), held
//! behind a spin lock: install one before the accesses, and tests that install
//! different ones must not run at the same time (hold a lock of your own
//! around each).
//!
//! ```
//! use x86msr::backend::{self, MemoryBackend};
//! use x86msr::{Error, Ia32Efer, Ia32VmxBasic, MsrRead, MsrReadWrite, Register};
//!
//! let file: &'static MemoryBackend = Box::leak(Box::new(MemoryBackend::new()));
//! file.set(Ia32Efer::DEF.address, 0xD01).unwrap();
//! let previous = backend::install(Some(file));
//!
//! assert!(Ia32Efer::read().nxe());
//! let done = unsafe { Ia32Efer::modify(Ia32Efer::NXE.bits(), Ia32Efer::ZERO) };
//! assert_eq!((done.written, file.get(0xC000_0080)), (true, Some(0x501)));
//! assert_eq!(Ia32VmxBasic::read_safe(), Err(Error::Fault)); // the file does not hold it
//!
//! backend::install(previous);
//! ```

use core::cell::UnsafeCell;
use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::Error;

/// What answers the crate's RDMSRs and WRMSRs.
pub trait Backend: Sync {
    /// RDMSR of `msr`: its value, or the error a CPU would give (a #GP is [`Error::Fault`]).
    fn read(&self, msr: u32) -> Result<u64, Error>;

    /// WRMSR of `value` to `msr`.
    fn write(&self, msr: u32, value: u64) -> Result<(), Error>;

    /// Called when a plain (not `_safe`) access fails, and before the panic of
    /// a plain access to an array index out of range ([`Error::Range`]). The
    /// default panics, as the fault would end a program on the processor; a
    /// backend that returns lets a failed plain read yield 0 and a failed plain
    /// write do nothing.
    fn fault(&self, msr: u32, is_write: bool, error: Error) {
        panic!(
            "x86msr: {} of MSR {:#x} failed: {}",
            if is_write { "write" } else { "read" },
            msr,
            error
        )
    }
}

/// A value behind a spin lock: the crate has no `std` and no allocator.
struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the lock hands out one &mut at a time.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    const fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        // SAFETY: the flag is ours until the store below.
        let result = f(unsafe { &mut *self.value.get() });
        self.locked.store(false, Ordering::Release);
        result
    }
}

static CURRENT: SpinLock<Option<&'static dyn Backend>> = SpinLock::new(None);

/// Installs `backend` (`None` uninstalls) and returns the previous one.
pub fn install(backend: Option<&'static dyn Backend>) -> Option<&'static dyn Backend> {
    CURRENT.with(|slot| core::mem::replace(slot, backend))
}

/// The installed backend.
pub fn current() -> Option<&'static dyn Backend> {
    CURRENT.with(|slot| *slot)
}

/// A failed plain access, to the backend's fault hook (a panic when there is no backend).
pub(crate) fn fault(msr: u32, is_write: bool, error: Error) {
    match current() {
        Some(b) => b.fault(msr, is_write, error),
        None => panic!(
            "x86msr: {} of MSR {:#x}: {}",
            if is_write { "write" } else { "read" },
            msr,
            error
        ),
    }
}

/// One register of a [`MemoryBackend`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Slot {
    msr: u32,
    value: u64,
    reject: u64,
}

struct Inner<const N: usize> {
    regs: [Slot; N],
    count: usize,
    reads: usize,
    writes: usize,
    faults: usize,
}

/// An in-memory register file of up to `N` registers, as the C library's test
/// backend: it holds the registers it is given, answers [`Error::Fault`] (as the
/// CPU's #GP) for any other, and for a write that sets a bit declared rejected
/// ([`MemoryBackend::reject`]), and counts the accesses.
pub struct MemoryBackend<const N: usize = 512> {
    inner: SpinLock<Inner<N>>,
}

/// The file is full: [`MemoryBackend::set`] of a register it does not hold yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

impl<const N: usize> MemoryBackend<N> {
    /// An empty register file.
    pub const fn new() -> Self {
        MemoryBackend {
            inner: SpinLock::new(Inner {
                regs: [Slot {
                    msr: 0,
                    value: 0,
                    reject: 0,
                }; N],
                count: 0,
                reads: 0,
                writes: 0,
                faults: 0,
            }),
        }
    }

    /// Adds register `msr` with `value`, or changes its value.
    pub fn set(&self, msr: u32, value: u64) -> Result<(), Full> {
        self.inner.with(|i| {
            if let Some(slot) = i.regs[..i.count].iter_mut().find(|s| s.msr == msr) {
                slot.value = value;
                return Ok(());
            }
            if i.count == N {
                return Err(Full);
            }
            i.regs[i.count] = Slot { msr, value, reject: 0 };
            i.count += 1;
            Ok(())
        })
    }

    /// The value of `msr`, `None` when the file does not hold it.
    pub fn get(&self, msr: u32) -> Option<u64> {
        self.inner
            .with(|i| i.regs[..i.count].iter().find(|s| s.msr == msr).map(|s| s.value))
    }

    /// Makes writes to `msr` that set any bit of `mask` fail with [`Error::Fault`];
    /// `Err(Fault)` when the file does not hold `msr`.
    pub fn reject(&self, msr: u32, mask: u64) -> Result<(), Error> {
        self.inner
            .with(|i| match i.regs[..i.count].iter_mut().find(|s| s.msr == msr) {
                Some(slot) => {
                    slot.reject = mask;
                    Ok(())
                }
                None => Err(Error::Fault),
            })
    }

    /// Removes every register and zeroes the counts.
    pub fn clear(&self) {
        self.inner.with(|i| {
            i.count = 0;
            i.reads = 0;
            i.writes = 0;
            i.faults = 0;
        })
    }

    /// (reads, writes, failed accesses) so far, `_safe` ones included.
    pub fn counts(&self) -> (usize, usize, usize) {
        self.inner.with(|i| (i.reads, i.writes, i.faults))
    }

    /// The registers the file holds, as (address, value), in the order they were added.
    pub fn registers(&self, out: &mut [(u32, u64)]) -> usize {
        self.inner.with(|i| {
            let n = i.count.min(out.len());
            for (o, s) in out.iter_mut().zip(&i.regs[..n]) {
                *o = (s.msr, s.value);
            }
            i.count
        })
    }

    /// Loads a snapshot file's values of `cpu` (the format of `x86msr dump
    /// --snapshot`, read by `x86msr vmxcap --from`): `ADDRESS VALUE` per line,
    /// numbers as the tool takes them (hex with `0x`, binary with `0b`, decimal;
    /// `_` between digits), `#` to the end of a line a comment, `# cpu N`
    /// starting CPU N's values (those before the first such line are CPU 0's).
    /// An address given twice for the CPU is an error, as in the tool.
    pub fn load_snapshot(&self, text: &str, cpu: u32) -> Result<usize, SnapshotError> {
        let mut current = 0u32;
        let mut loaded = 0usize;
        for (n, line) in text.lines().enumerate() {
            let line_no = n + 1;
            let err = |what| SnapshotError { line: line_no, what };
            let (data, comment) = match line.find('#') {
                Some(at) => (&line[..at], Some(&line[at + 1..])),
                None => (line, None),
            };
            let mut words = data.split_ascii_whitespace();
            let first = words.next();
            if first.is_none() {
                if let Some(c) = comment {
                    let mut cw = c.split_ascii_whitespace();
                    if cw.next() == Some("cpu") {
                        let number = cw
                            .next()
                            .ok_or_else(|| err("malformed cpu line (expected '# cpu N')"))?;
                        if cw.next().is_some() {
                            return Err(err("malformed cpu line (expected '# cpu N')"));
                        }
                        current = parse_number(number, 32).ok_or_else(|| err("invalid cpu number"))? as u32;
                    }
                }
                continue;
            }
            let value_word = words
                .next()
                .ok_or_else(|| err("expected 'ADDRESS VALUE', got one word"))?;
            if words.next().is_some() {
                return Err(err("expected 'ADDRESS VALUE', got more words"));
            }
            let address = parse_number(first.unwrap_or(""), 32).ok_or_else(|| err("invalid address"))? as u32;
            let value = parse_number(value_word, 64).ok_or_else(|| err("invalid value"))?;
            if current != cpu {
                continue;
            }
            if self.get(address).is_some() {
                return Err(err("address given twice for the cpu"));
            }
            self.set(address, value)
                .map_err(|_| err("more registers than the file holds"))?;
            loaded += 1;
        }
        Ok(loaded)
    }
}

impl<const N: usize> Default for MemoryBackend<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Backend for MemoryBackend<N> {
    fn read(&self, msr: u32) -> Result<u64, Error> {
        self.inner.with(|i| {
            i.reads += 1;
            match i.regs[..i.count].iter().find(|s| s.msr == msr) {
                Some(s) => Ok(s.value),
                None => {
                    i.faults += 1;
                    Err(Error::Fault)
                }
            }
        })
    }

    fn write(&self, msr: u32, value: u64) -> Result<(), Error> {
        self.inner.with(|i| {
            i.writes += 1;
            let count = i.count;
            match i.regs[..count].iter_mut().find(|s| s.msr == msr) {
                Some(s) if s.reject & value == 0 => {
                    s.value = value;
                    Ok(())
                }
                _ => {
                    i.faults += 1;
                    Err(Error::Fault)
                }
            }
        })
    }
}

/// A line of a snapshot that [`MemoryBackend::load_snapshot`] refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SnapshotError {
    /// Its number, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub what: &'static str,
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.what)
    }
}

/// A number as the tool reads one: `0x` hex, `0b` binary or decimal (no
/// leading zero: octal is not taken), `_` between digits; `None` when
/// malformed or wider than `bits`.
fn parse_number(word: &str, bits: u32) -> Option<u64> {
    let lower = |p: &str| word.len() > 2 && word[..2].eq_ignore_ascii_case(p);
    let (digits, radix) = if lower("0x") {
        (&word[2..], 16)
    } else if lower("0b") {
        (&word[2..], 2)
    } else if word.len() > 1 && word.starts_with('0') {
        return None;
    } else {
        (word, 10)
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    let mut value: u64 = 0;
    for c in digits.chars().filter(|&c| c != '_') {
        let d = c.to_digit(radix)? as u64;
        value = value.checked_mul(radix as u64)?.checked_add(d)?;
    }
    if bits < 64 && value >> bits != 0 {
        return None;
    }
    Some(value)
}
