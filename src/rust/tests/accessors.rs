//! The typed accessors against the in-memory register file (feature `backend`):
//! reads, writes, read-modify-write with read-only, reserved and
//! write-1-to-clear bits, arrays and their index checks, strict and other
//! enumerations, faults through every path, metadata and presence.

use std::panic;
use std::sync::{Mutex, MutexGuard};

use x86msr::backend::{self, Backend, MemoryBackend, SnapshotError};
use x86msr::meta::{self, Access, Condition, Facts, FieldFlags, Support, Vendors};
use x86msr::{
    vmx, ApicDeliveryMode, BpuCccrx, Error, Ia32Efer, Ia32FeatureControl, Ia32McxCtl, Ia32Pat, Ia32VmxBasic,
    Ia32VmxTruePinbasedCtls, Ia32X2apicIcr, MemoryType, Msr, MsrRead, MsrReadAt, MsrReadWrite, MsrReadWriteAt,
    MsrWrite, Register,
};

/// The backend is one per program: the tests take turns.
static TURN: Mutex<()> = Mutex::new(());

struct Installed {
    file: &'static MemoryBackend,
    _turn: MutexGuard<'static, ()>,
}

impl Drop for Installed {
    fn drop(&mut self) {
        backend::install(None);
    }
}

/// A fresh register file holding `regs`, installed for the test's duration.
fn file(regs: &[(u32, u64)]) -> Installed {
    let turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let file: &'static MemoryBackend = Box::leak(Box::new(MemoryBackend::new()));
    for &(msr, value) in regs {
        file.set(msr, value).unwrap();
    }
    backend::install(Some(file));
    Installed { file, _turn: turn }
}

const EFER: u32 = 0xC000_0080;

#[test]
fn typed_read_decodes_each_field() {
    let t = file(&[(EFER, 0xD01)]);
    let efer = Ia32Efer::read();
    assert_eq!(efer.raw(), 0xD01);
    assert!(efer.sce() && efer.lme() && efer.lma() && efer.nxe());
    assert!(!efer.svme());
    assert_eq!(t.file.counts(), (1, 0, 0));
}

#[test]
fn write_stores_the_value() {
    let t = file(&[(EFER, 0)]);
    unsafe { Ia32Efer::ZERO.with_sce(true).with_nxe(true).write() };
    assert_eq!(t.file.get(EFER), Some(0x801));
    unsafe { Ia32Efer::write(Ia32Efer::unchecked(0x501)) };
    assert_eq!(t.file.get(EFER), Some(0x501));
}

#[test]
fn modify_keeps_read_only_and_reserved_bits() {
    // LMA (bit 10) is read-only, bit 1 is reserved: both as the register holds them.
    let t = file(&[(EFER, 0xD03)]);
    let done = unsafe { Ia32Efer::modify(Ia32Efer::NXE.bits(), Ia32Efer::ZERO.with_svme(true)) };
    assert!(done.written);
    assert_eq!(done.value.raw(), 0x1503);
    assert_eq!(t.file.get(EFER), Some(0x1503));
    // A set that tries a read-only bit and a reserved bit changes neither.
    let done = unsafe { Ia32Efer::modify(Ia32Efer::ZERO, Ia32Efer::unchecked(0x400 | 0x4)) };
    assert_eq!((done.written, t.file.get(EFER)), (false, Some(0x1503)));
    // Nothing to change: read, no write.
    let writes = t.file.counts().1;
    let done = unsafe { Ia32Efer::modify(Ia32Efer::ZERO, Ia32Efer::SVME.bits()) };
    assert!(!done.written);
    assert_eq!(done.value.raw(), 0x1503);
    assert_eq!(t.file.counts().1, writes);
}

#[test]
fn modify_writes_write_1_to_clear_bits_as_0_unless_set_names_them() {
    let base = BpuCccrx::DEF.address;
    // OVF (bit 31) is write-1-to-clear; ENABLE is bit 12.
    let t = file(&[(base + 1, 0x8000_0000)]);
    let done = unsafe { BpuCccrx::modify(1, BpuCccrx::ZERO, BpuCccrx::ZERO.with_enable(true)) };
    assert!(done.written);
    assert_eq!(
        t.file.get(base + 1),
        Some(0x1000),
        "OVF written as 0: the status stays set"
    );
    t.file.set(base + 1, 0x8000_1000).unwrap();
    let done = unsafe { BpuCccrx::modify(1, BpuCccrx::ZERO, BpuCccrx::ZERO.with_ovf(true)) };
    assert!(done.written);
    assert_eq!(
        t.file.get(base + 1),
        Some(0x8000_1000),
        "set names OVF: written as 1 (clears it)"
    );
    assert_eq!(BpuCccrx::DEF.masks.w1c, 0x8000_0000);
}

#[test]
fn safe_accessors_return_faults() {
    let t = file(&[(EFER, 0x501)]);
    assert_eq!(Ia32VmxBasic::read_safe(), Err(Error::Fault));
    assert_eq!(Msr::Ia32VmxBasic.read_safe(), Err(Error::Fault));
    t.file.reject(EFER, 1 << 12).unwrap();
    assert_eq!(
        unsafe { Ia32Efer::ZERO.with_svme(true).write_safe() },
        Err(Error::Fault)
    );
    assert_eq!(t.file.get(EFER), Some(0x501), "a refused write changes nothing");
    assert_eq!(
        unsafe { Ia32Efer::modify_safe(Ia32Efer::ZERO, Ia32Efer::SVME.bits()) },
        Err(Error::Fault)
    );
    let done = unsafe { Ia32Efer::modify_safe(Ia32Efer::LME.bits(), Ia32Efer::ZERO) }.unwrap();
    assert_eq!(
        (done.written, done.value.raw(), t.file.get(EFER)),
        (true, 0x401, Some(0x401))
    );
    assert_eq!(Ia32Efer::read_safe().map(Ia32Efer::raw), Ok(0x401));
}

#[test]
fn plain_access_to_a_missing_register_is_the_backends_fault() {
    let _t = file(&[]);
    let caught = panic::catch_unwind(|| Ia32VmxBasic::read());
    let message = caught.expect_err("a plain read of a missing register faults");
    let text = message.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(text.contains("read of MSR 0x480"), "{}", text);
}

/// A backend whose fault hook only counts, so a failed plain read yields 0.
struct Quiet(Mutex<Vec<(u32, bool, Error)>>);

impl Backend for Quiet {
    fn read(&self, _msr: u32) -> Result<u64, Error> {
        Err(Error::Fault)
    }
    fn write(&self, _msr: u32, _value: u64) -> Result<(), Error> {
        Err(Error::Fault)
    }
    fn fault(&self, msr: u32, is_write: bool, error: Error) {
        self.0.lock().unwrap().push((msr, is_write, error));
    }
}

#[test]
fn a_fault_hook_that_returns_makes_plain_reads_0() {
    let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    let quiet: &'static Quiet = Box::leak(Box::new(Quiet(Mutex::new(Vec::new()))));
    backend::install(Some(quiet));
    assert_eq!(Ia32Efer::read().raw(), 0);
    unsafe { Ia32Efer::ZERO.write() };
    backend::install(None);
    assert_eq!(
        *quiet.0.lock().unwrap(),
        vec![(EFER, false, Error::Fault), (EFER, true, Error::Fault)]
    );
}

#[test]
fn no_backend_is_an_error() {
    let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    backend::install(None);
    assert_eq!(Ia32Efer::read_safe(), Err(Error::NoBackend));
    assert_eq!(unsafe { Msr::Ia32Efer.write_safe(0) }, Err(Error::NoBackend));
}

#[test]
fn arrays_take_their_index() {
    let t = file(&[(0x40C, 0xFF), (0x400, 1)]);
    assert_eq!(Ia32McxCtl::read(3).raw(), 0xFF);
    assert!(Ia32McxCtl::read(0).ee00());
    assert_eq!(Msr::Ia32McxCtl(3).address(), 0x40C);
    assert_eq!(Msr::Ia32McxCtl(3).read(), 0xFF);
    assert_eq!(Msr::Ia32McxCtl(3).to_string(), "IA32_MC3_CTL");
    assert_eq!(Msr::Ia32McxCtl(99).to_string(), "IA32_MCn_CTL");
    assert_eq!(Msr::Ia32McxCtl(99).try_address(), Err(Error::Range));
    let done = unsafe { Ia32McxCtl::modify(3, Ia32McxCtl::EE00.bits(), Ia32McxCtl::ZERO.with_ee63(true)) };
    assert!(done.written);
    assert_eq!(t.file.get(0x40C), Some(0x8000_0000_0000_00FE));
    // Out of range: an error from the _safe forms, a panic from the plain ones; no access either way.
    let before = t.file.counts();
    assert_eq!(Ia32McxCtl::read_safe(32), Err(Error::Range));
    assert_eq!(
        unsafe { x86msr::MsrWriteAt::write_safe(32, Ia32McxCtl::ZERO) },
        Err(Error::Range)
    );
    assert!(panic::catch_unwind(|| Ia32McxCtl::read(32)).is_err());
    assert!(panic::catch_unwind(|| Msr::Ia32McxCtl(32).read()).is_err());
    assert_eq!(t.file.counts(), before);
    assert_eq!(Ia32McxCtl::DEF.count, 32);
    assert_eq!(Ia32McxCtl::DEF.stride, 4);
}

#[test]
fn strict_enumerations_take_only_their_values() {
    let t = file(&[(0x277, 0x0007_0406_0007_0406)]);
    let pat = Ia32Pat::read();
    assert_eq!(pat.pa0(), Ok(MemoryType::Wb));
    assert_eq!(pat.pa1(), Ok(MemoryType::Wt));
    assert_eq!(pat.pa2(), Ok(MemoryType::UcMinus));
    let pat = pat.with_pa1(MemoryType::Wc);
    unsafe { pat.write() };
    assert_eq!(t.file.get(0x277), Some(0x0007_0406_0007_0106));
    // A reserved encoding can only come from the hardware or the escape hatch, and reads as such.
    assert_eq!(Ia32Pat::unchecked(2).pa0(), Err(2));
    let pa0 = Ia32Pat::PA0.def();
    assert!(pa0.has(FieldFlags::STRICT_ENUM));
    assert!(pa0.is_valid_value(6) && !pa0.is_valid_value(2) && !pa0.is_valid_value(8));
    assert_eq!(pa0.values, MemoryType::VALUES);
    assert_eq!(MemoryType::from_value(7), Some(MemoryType::UcMinus));
    assert_eq!(MemoryType::from_value(3), None);
    assert_eq!((MemoryType::Wb.value(), MemoryType::Wb.name()), (6, "WB"));
}

#[test]
fn other_enumerations_also_take_bits() {
    let _t = file(&[]);
    let icr = Ia32X2apicIcr::ZERO
        .with_vector(0x30)
        .with_delivery_mode(ApicDeliveryMode::Nmi);
    assert_eq!(icr.delivery_mode(), Ok(ApicDeliveryMode::Nmi));
    assert_eq!(icr.vector(), 0x30);
    let odd = icr.with_delivery_mode_bits(3);
    assert_eq!(odd.delivery_mode(), Err(3));
    assert_eq!(odd.raw() & 0x700, 0x300);
    // Bits above the field's width are dropped, as C's MSR_SET does.
    assert_eq!(Ia32X2apicIcr::ZERO.with_delivery_mode_bits(0xFF).raw(), 0x700);
}

#[test]
fn field_descriptors_know_their_bits_and_definition() {
    assert_eq!(
        (Ia32Efer::NXE.mask(), Ia32Efer::NXE.shift(), Ia32Efer::NXE.width()),
        (0x800, 11, 1)
    );
    assert_eq!(Ia32Pat::PA7.mask(), 0x7 << 56);
    assert_eq!(Ia32Efer::NXE.def().name, "NXE");
    assert_eq!(Ia32Efer::LMA.def().access, Access::Ro);
    assert_eq!(Ia32Efer::NXE.get(Ia32Efer::unchecked(0x800)), 1);
    assert_eq!(Ia32Efer::NXE.bits().raw(), 0x800);
    assert_eq!(format!("{:?}", Ia32Efer::NXE), "IA32_EFER.NXE[11:11]");
    assert_eq!((Ia32Efer::NXE.bits() | Ia32Efer::SCE.bits()).raw(), 0x801);
}

#[test]
fn debug_names_every_field() {
    let text = format!("{:?}", Ia32Pat::unchecked(0x0007_0406_0007_0406));
    assert!(
        text.starts_with("IA32_PAT { raw: 0x7040600070406, PA0: WB (6), PA1: WT (4)"),
        "{}",
        text
    );
}

#[test]
fn msr_values_find_their_registers() {
    assert_eq!(Msr::from_address(EFER), Some(Msr::Ia32Efer));
    assert_eq!(Msr::from_address(0x40C), Some(Msr::Ia32McxCtl(3)));
    assert_eq!(Msr::from_address(0x401), Some(Msr::Ia32McxStatus(0)));
    assert_eq!(Msr::from_address(0x1234_5678), None);
    assert_eq!(Msr::Ia32Efer.def().name, "IA32_EFER");
    assert_eq!(Msr::Ia32Efer.address(), EFER);
    assert_eq!(Msr::Ia32Efer.to_string(), "IA32_EFER");
    assert_eq!(<Ia32Efer as x86msr::Single>::MSR, Msr::Ia32Efer);
    // Every instance is found again by its address (the first of a shared address by name).
    for msr in meta::instances() {
        let found = Msr::from_address(msr.address()).expect("every instance's address is known");
        assert_eq!(found.address(), msr.address());
    }
}

#[test]
fn the_definitions_are_consistent() {
    assert_eq!(meta::DEFS.len(), 534);
    for (i, def) in meta::DEFS.iter().enumerate() {
        assert_eq!(usize::from(def.id), i);
        // (A definition is a constant: compare ids, not addresses.)
        assert_eq!(def.msr(0).def().id, def.id, "{}", def.name);
        assert_eq!(def.msr(0).def().name, def.name);
        let covered = def.fields.iter().fold(0u64, |m, f| m | f.mask());
        assert_eq!(def.masks.reserved, !covered, "{}", def.name);
        assert_eq!(def.masks.writable & !covered, 0, "{}", def.name);
        assert_eq!(def.masks.w1c & !def.masks.writable, 0, "{}", def.name);
        for pair in def.fields.windows(2) {
            assert!(pair[0].msb < pair[1].lsb, "{}: fields in bit order", def.name);
        }
        if !def.access.writable() {
            assert_eq!(def.masks.writable, 0, "{}", def.name);
        }
    }
    assert_eq!(meta::instances().count(), 2419);
    assert_eq!(Ia32Efer::DEF.vendors, Vendors::INTEL.union(Vendors::AMD));
    let fc = Ia32FeatureControl::DEF;
    let lock = fc.lock.expect("IA32_FEATURE_CONTROL is locked by its LOCK field");
    assert_eq!(fc.fields[usize::from(lock.field)].name, "LOCK");
}

/// Facts of a processor with VMX whose IA32_VMX_BASIC is `basic`.
struct Vmx {
    basic: Option<u64>,
}

impl Facts for Vmx {
    fn knows_cpuid(&self) -> bool {
        true
    }
    fn cpuid(&self, leaf: u32, subleaf: u32) -> Option<[u32; 4]> {
        match (leaf, subleaf) {
            (0, 0) => Some([
                0x16,
                u32::from_le_bytes(*b"Genu"),
                u32::from_le_bytes(*b"ntel"),
                u32::from_le_bytes(*b"ineI"),
            ]),
            (1, 0) => Some([0x000506E3, 0, 1 << 5, 0]),
            _ => None,
        }
    }
    fn msr(&self, address: u32) -> Option<u64> {
        if address == Ia32VmxBasic::DEF.address {
            self.basic
        } else {
            None
        }
    }
}

#[test]
fn presence_conditions_decide_from_the_facts() {
    let true_ctls = Ia32VmxTruePinbasedCtls::DEF;
    let tests_basic = |c: &Condition| {
        matches!(
            c,
            Condition::Msr {
                address: 0x480,
                def: "IA32_VMX_BASIC",
                ..
            }
        )
    };
    match true_ctls.present_if {
        Some(c @ Condition::Msr { .. }) => assert!(tests_basic(c)),
        Some(Condition::AllOf(children)) => assert!(children.iter().any(tests_basic)),
        other => panic!(
            "IA32_VMX_TRUE_PINBASED_CTLS exists by IA32_VMX_BASIC[55], not {:?}",
            other
        ),
    }
    assert_eq!(true_ctls.is_supported(0, &Vmx { basic: Some(1 << 55) }), Support::Yes);
    assert_eq!(true_ctls.is_supported(0, &Vmx { basic: Some(0) }), Support::No);
    assert_eq!(true_ctls.is_supported(0, &Vmx { basic: None }), Support::Unknown);
    assert_eq!(true_ctls.is_supported(0, &meta::NoFacts), Support::Unknown);
    assert_eq!(Ia32VmxBasic::DEF.is_supported(0, &Vmx { basic: None }), Support::Yes);
    assert_eq!(meta::cpu_vendors(&Vmx { basic: None }), Vendors::INTEL);
    assert_eq!(meta::cpu_family_model(&Vmx { basic: None }), Some((6, 0x5E)));
    // An AMD register on this Intel processor: its condition cannot say yes.
    let svm = x86msr::VmCr::DEF;
    assert_ne!(svm.is_supported(0, &Vmx { basic: None }), Support::Yes);
}

#[test]
fn control_sets_name_their_capability_msrs() {
    let secondary = vmx::ControlSetId::Secondary.set();
    assert_eq!(secondary.capability, 0x48B);
    assert_eq!(secondary.activated_by, Some((vmx::ControlSetId::Primary, 31)));
    assert_eq!(vmx::secondary::ENABLE_EPT, 1 << 1);
    assert_eq!(vmx::ControlSetId::Pinbased.set().true_capability, Some(0x48D));
    assert!(secondary
        .bits
        .iter()
        .any(|&(bit, name, _)| bit == 1 && name == "ENABLE_EPT"));
}

#[test]
fn snapshots_load() {
    let _t = file(&[]);
    let mem = MemoryBackend::<64>::new();
    let text = "# a comment\n0x3A 0x5  # IA32_FEATURE_CONTROL\n\n0x480 0x00DA_0400_0000_0004\n# cpu 1\n0x3A 1\n";
    assert_eq!(mem.load_snapshot(text, 0), Ok(2));
    assert_eq!(mem.get(0x480), Some(0x00DA_0400_0000_0004));
    let cpu1 = MemoryBackend::<64>::new();
    assert_eq!(cpu1.load_snapshot(text, 1), Ok(1));
    assert_eq!(cpu1.get(0x3A), Some(1));
    let twice = MemoryBackend::<64>::new();
    assert_eq!(
        twice.load_snapshot("0x10 1\n0x10 2\n", 0),
        Err(SnapshotError {
            line: 2,
            what: "address given twice for the cpu"
        })
    );
    assert_eq!(
        MemoryBackend::<64>::new().load_snapshot("0x10\n", 0).unwrap_err().line,
        1
    );
    assert!(
        MemoryBackend::<64>::new().load_snapshot("010 1\n", 0).is_err(),
        "no octal"
    );
    assert!(
        MemoryBackend::<64>::new()
            .load_snapshot("0x1_0000_0000 1\n", 0)
            .is_err(),
        "addresses are 32 bits"
    );
}
