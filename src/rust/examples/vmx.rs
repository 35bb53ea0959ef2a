//! The seed's job, in Rust: VMX bring-up decisions from the MSRs, on the
//! in-memory backend loaded from a capability snapshot (the files of
//! tests/vmx/snapshots, `x86msr dump --snapshot`).
//!
//! 1. Feature detection: IA32_FEATURE_CONTROL's lock and enable bits — is
//!    VMXON allowed, or must the OS enable and lock it first?
//! 2. IA32_VMX_BASIC, and every other capability MSR whose presence
//!    condition in the spec holds for the values read before it (TRUE_* when
//!    IA32_VMX_BASIC\[55\] says so, PROCBASED_CTLS2 when the primary controls
//!    allow bit 31, ...): never one that could #GP.
//! 3. The VMX controls adjusted to what the CPU allows (allowed-0 from TRUE_*
//!    where it exists, so default-1 controls can be cleared), with the
//!    activation bits of the secondary, tertiary and secondary-exit sets kept
//!    consistent and every unsupported required control reported.
//! 4. CR0 and CR4 against IA32_VMX_CR0_FIXED0/1 and CR4_FIXED0/1 (PE and PG
//!    may be 0 under "unrestricted guest").
//!
//! The same decisions as the C library's x86msr_vmx helpers
//! (msr_vmx_caps_from_values, msr_vmx_controls_adjust, msr_vmx_cr0_check, ...):
//! tests/rust/compare.py runs both on every shipped snapshot.
//!
//!     cargo run --features backend --example vmx -- SNAPSHOT            # a report
//!     cargo run --features backend --example vmx -- --json SNAPSHOT [REQUESTS]

use std::fmt::Write as _;
use std::process::exit;

use x86msr::backend::{self, MemoryBackend};
use x86msr::meta::{Facts, Support};
use x86msr::vmx::{self, ControlSetId, CONTROL_SETS};
use x86msr::{
    Error, Ia32FeatureControl, Ia32VmxBasic, Ia32VmxCr0Fixed0, Ia32VmxCr0Fixed1, Ia32VmxCr4Fixed0, Ia32VmxCr4Fixed1,
    Msr, MsrRead, Register,
};

/// What the helpers answer besides a plain success (the C library's statuses).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Status {
    Ok,
    /// The processor lacks it (a control, a set, VMX).
    Unsupported,
    /// Disabled and locked by firmware (IA32_FEATURE_CONTROL).
    Disabled,
    /// Not a valid value (a CR value the fixed bits refuse), or values that contradict themselves.
    Invalid,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Unsupported => "unsupported",
            Status::Disabled => "disabled",
            Status::Invalid => "invalid",
        }
    }

    /// The worse of two: invalid beats unsupported beats ok.
    fn worse(self, other: Status) -> Status {
        if self == Status::Invalid || other == Status::Invalid {
            Status::Invalid
        } else if self != Status::Ok {
            self
        } else {
            other
        }
    }
}

// ---- 1. IA32_FEATURE_CONTROL ---------------------------------------------------------

/// What to do with IA32_FEATURE_CONTROL before VMXON.
struct FeatureControlPlan {
    write: bool,
    value: Ia32FeatureControl,
    vmx_outside_smx: bool,
    vmx_inside_smx: bool,
}

/// Locked: VMXON outside SMX works only if firmware enabled it. Unlocked: keep
/// what firmware chose, enable VMX outside SMX (inside too, when asked and SMX
/// exists: setting it without SMX raises #GP), and lock.
fn feature_control_plan(
    current: Ia32FeatureControl,
    inside_smx: bool,
    smx_supported: bool,
) -> (Status, FeatureControlPlan) {
    if current.lock() {
        let plan = FeatureControlPlan {
            write: false,
            value: current,
            vmx_outside_smx: current.enable_vmx_outside_smx(),
            vmx_inside_smx: current.enable_vmx_inside_smx(),
        };
        let status = if plan.vmx_outside_smx {
            Status::Ok
        } else {
            Status::Disabled
        };
        return (status, plan);
    }
    let mut value = current.with_enable_vmx_outside_smx(true).with_lock(true);
    if inside_smx && smx_supported {
        value = value.with_enable_vmx_inside_smx(true);
    }
    (
        Status::Ok,
        FeatureControlPlan {
            write: true,
            value,
            vmx_outside_smx: true,
            vmx_inside_smx: value.enable_vmx_inside_smx(),
        },
    )
}

// ---- 2. the capability MSRs ------------------------------------------------------------

/// IA32_VMX_BASIC (480H) and the capability MSRs after it, 480H to 493H.
const CAP_BASE: u32 = 0x480;
const CAP_COUNT: usize = 20;

/// The capability MSRs of one processor: `values[i]` is 480H + i's, `None` when it does not exist.
struct Caps {
    values: [Option<u64>; CAP_COUNT],
}

impl Caps {
    fn get(&self, address: u32) -> Option<u64> {
        let i = address.checked_sub(CAP_BASE)? as usize;
        *self.values.get(i)?
    }

    fn basic(&self) -> Option<Ia32VmxBasic> {
        self.get(Ia32VmxBasic::DEF.address).map(Ia32VmxBasic::unchecked)
    }
}

/// What the presence conditions of the capability MSRs are decided from while
/// they are read: CPUID says "VMX" (IA32_VMX_BASIC could be read), and the MSRs
/// decided so far (0 for one known to be absent; unknown until decided).
struct ReadSoFar<'a> {
    values: &'a [Option<u64>; CAP_COUNT],
    decided: u32,
}

impl Facts for ReadSoFar<'_> {
    fn knows_cpuid(&self) -> bool {
        true
    }
    fn cpuid(&self, leaf: u32, subleaf: u32) -> Option<[u32; 4]> {
        (leaf == 1 && subleaf == 0).then(|| [0, 0, 1 << 5, 0]) // CPUID.01H:ECX[5]: VMX
    }
    fn msr(&self, address: u32) -> Option<u64> {
        let i = address.checked_sub(CAP_BASE)? as usize;
        if i >= CAP_COUNT || self.decided & (1 << i) == 0 {
            return None;
        }
        Some(self.values[i].unwrap_or(0))
    }
}

/// Reads IA32_VMX_BASIC, then in rounds every capability MSR whose presence
/// condition (its `present_if` in the spec) holds for the values read before
/// it, until each is read or known absent; then checks the values agree with
/// themselves (a bit that must be 1 may be 1; FIXED0 within FIXED1).
fn read_caps() -> Result<Caps, Status> {
    let mut values = [None; CAP_COUNT];
    let basic = Ia32VmxBasic::read_safe().map_err(|e| match e {
        Error::Fault => Status::Unsupported, // no IA32_VMX_BASIC: no VMX
        _ => Status::Invalid,
    })?;
    values[0] = Some(basic.raw());
    let mut decided = 1u32;
    let all = (1u32 << CAP_COUNT) - 1;
    let mut progress = true;
    while decided != all && progress {
        progress = false;
        for i in 1..CAP_COUNT {
            if decided & (1 << i) != 0 {
                continue;
            }
            let msr = Msr::from_address(CAP_BASE + i as u32);
            let present = match msr.and_then(|m| m.def().present_if) {
                Some(condition) => condition.eval(
                    0,
                    &ReadSoFar {
                        values: &values,
                        decided,
                    },
                ),
                None => Support::No,
            };
            match present {
                Support::Unknown => continue,
                Support::Yes => {
                    let msr = msr.expect("a condition belongs to a register");
                    values[i] = Some(msr.read_safe().map_err(|_| Status::Invalid)?);
                }
                Support::No => {}
            }
            decided |= 1 << i;
            progress = true;
        }
    }
    if decided != all {
        return Err(Status::Invalid);
    }
    let caps = Caps { values };
    // The 32-bit control MSRs: no bit may be both must-be-1 and must-be-0.
    for set in CONTROL_SETS.iter().filter(|s| s.width == 32) {
        for address in [Some(set.capability), set.true_capability].iter().flatten() {
            let v = caps.get(*address).unwrap_or(0);
            if v & 0xFFFF_FFFF & !(v >> 32) != 0 {
                return Err(Status::Invalid);
            }
        }
    }
    let fixed = |a: u32| caps.get(a).unwrap_or(0);
    if fixed(Ia32VmxCr0Fixed0::DEF.address) & !fixed(Ia32VmxCr0Fixed1::DEF.address) != 0
        || fixed(Ia32VmxCr4Fixed0::DEF.address) & !fixed(Ia32VmxCr4Fixed1::DEF.address) != 0
    {
        return Err(Status::Invalid);
    }
    Ok(caps)
}

// ---- 3. the controls --------------------------------------------------------------------

/// What the processor allows for one control set.
#[derive(Clone, Copy, Default)]
struct ControlCaps {
    present: bool,
    allowed0: u64, // must be 1
    allowed1: u64, // may be 1
    defaults: u64, // the default settings (the plain MSR's allowed-0 bits)
    has_true: bool,
}

/// A 32-bit set's allowed-0 bits are the low half of its capability MSR and the
/// allowed-1 bits the high half; TRUE_* replaces them when IA32_VMX_BASIC[55]
/// says it exists. A 64-bit set (tertiary, exit2) has allowed-1 bits only.
fn control_caps(caps: &Caps, set: ControlSetId) -> ControlCaps {
    let info = set.set();
    let raw = match caps.get(info.capability) {
        Some(raw) => raw,
        None => return ControlCaps::default(),
    };
    if info.width == 64 {
        return ControlCaps {
            present: true,
            allowed1: raw,
            ..ControlCaps::default()
        };
    }
    let mut out = ControlCaps {
        present: true,
        allowed0: raw & 0xFFFF_FFFF,
        allowed1: raw >> 32,
        defaults: raw & 0xFFFF_FFFF,
        has_true: false,
    };
    let true_controls = caps.basic().map_or(false, |b| b.true_controls());
    if let (true, Some(true_raw)) = (true_controls, info.true_capability.and_then(|a| caps.get(a))) {
        out.allowed0 = true_raw & 0xFFFF_FFFF;
        out.allowed1 = true_raw >> 32;
        out.has_true = true;
    }
    out
}

fn width_mask(set: ControlSetId) -> u64 {
    if set.set().width == 64 {
        u64::MAX
    } else {
        0xFFFF_FFFF
    }
}

/// One set's outcome.
#[derive(Clone, Copy, Default)]
struct Adjusted {
    value: u64,       // what goes into the VMCS
    unsupported: u64, // required bits that cannot be 1
    dropped: u64,     // optional bits that cannot be 1
    forced: u64,      // bits set that were not asked for
}

/// value = allowed0 | ((required | optional) & allowed1).
fn adjust(caps: &Caps, set: ControlSetId, required: u64, optional: u64) -> (Status, Adjusted) {
    let wanted = required | optional;
    if caps.basic().is_none() || wanted & !width_mask(set) != 0 {
        return (Status::Invalid, Adjusted::default());
    }
    let cc = control_caps(caps, set); // a set the CPU lacks: every bit must be 0
    let value = cc.allowed0 | (wanted & cc.allowed1);
    let out = Adjusted {
        value,
        unsupported: required & !cc.allowed1,
        dropped: optional & !required & !cc.allowed1,
        forced: value & !wanted,
    };
    (
        if out.unsupported != 0 {
            Status::Unsupported
        } else {
            Status::Ok
        },
        out,
    )
}

/// Every set at once, activation bits kept consistent: a dependent set asked
/// for anything has its parent's activation bit asked for (required or
/// optional, as its own bits are), and one whose activation bit ends up 0
/// gets value 0 and its requested bits reported.
fn adjust_all(caps: &Caps, required: &[u64; 7], optional: &[u64; 7]) -> (Status, [Adjusted; 7]) {
    let mut out = [Adjusted::default(); 7];
    for set in ControlSetId::ALL.iter() {
        let i = *set as usize;
        if caps.basic().is_none() || (required[i] | optional[i]) & !width_mask(*set) != 0 {
            return (Status::Invalid, out);
        }
    }
    let (mut required, mut optional) = (*required, *optional);
    for set in ControlSetId::ALL.iter() {
        if let Some((parent, bit)) = set.set().activated_by {
            let (i, p) = (*set as usize, parent as usize);
            if required[i] != 0 {
                required[p] |= 1 << bit;
            } else if optional[i] & control_caps(caps, *set).allowed1 != 0 {
                optional[p] |= 1 << bit;
            }
        }
    }
    let mut status = Status::Ok;
    for set in ControlSetId::ALL.iter().filter(|s| s.set().activated_by.is_none()) {
        let i = *set as usize;
        let (s, a) = adjust(caps, *set, required[i], optional[i]);
        status = status.worse(s);
        out[i] = a;
    }
    for set in ControlSetId::ALL.iter() {
        if let Some((parent, bit)) = set.set().activated_by {
            let i = *set as usize;
            if out[parent as usize].value & (1 << bit) != 0 {
                let (s, a) = adjust(caps, *set, required[i], optional[i]);
                status = status.worse(s);
                out[i] = a;
            } else {
                // Not activated: the CPU treats the set as 0, whatever it holds.
                out[i] = Adjusted {
                    unsupported: required[i],
                    dropped: optional[i] & !required[i],
                    ..Adjusted::default()
                };
                if required[i] != 0 {
                    status = status.worse(Status::Unsupported);
                }
            }
        }
    }
    (status, out)
}

// ---- 4. CR0 and CR4 ------------------------------------------------------------------------

const CR0_PE: u64 = 1 << 0;
const CR0_PG: u64 = 1 << 31;

#[derive(Clone, Copy, Default)]
struct CrCheck {
    missing: u64,   // must be 1, is 0
    forbidden: u64, // must be 0, is 1
}

/// FIXED0 (bits that must be 1) and FIXED1 (bits that may be 1) of CR0, read
/// through the typed accessors, with the unrestricted-guest exception for PE and PG.
fn cr0_fixed(caps: &Caps, unrestricted_guest: bool) -> Result<(u64, u64), Status> {
    if caps.basic().is_none() {
        return Err(Status::Invalid);
    }
    let must1 = Ia32VmxCr0Fixed0::read_safe().map_err(|_| Status::Invalid)?.fixed_bits();
    let may1 = Ia32VmxCr0Fixed1::read_safe().map_err(|_| Status::Invalid)?.fixed_bits();
    if !unrestricted_guest {
        return Ok((must1, may1));
    }
    let secondary = control_caps(caps, ControlSetId::Secondary);
    if !secondary.present || secondary.allowed1 & vmx::secondary::UNRESTRICTED_GUEST == 0 {
        return Err(Status::Unsupported);
    }
    Ok((must1 & !(CR0_PE | CR0_PG), may1))
}

fn cr4_fixed(caps: &Caps) -> Result<(u64, u64), Status> {
    if caps.basic().is_none() {
        return Err(Status::Invalid);
    }
    let must1 = Ia32VmxCr4Fixed0::read_safe().map_err(|_| Status::Invalid)?.fixed_bits();
    let may1 = Ia32VmxCr4Fixed1::read_safe().map_err(|_| Status::Invalid)?.fixed_bits();
    Ok((must1, may1))
}

fn check_fixed(value: u64, (must1, may1): (u64, u64)) -> (Status, CrCheck) {
    let check = CrCheck {
        missing: must1 & !value,
        forbidden: value & !may1,
    };
    (
        if check.missing | check.forbidden != 0 {
            Status::Invalid
        } else {
            Status::Ok
        },
        check,
    )
}

fn cr0_check(caps: &Caps, cr0: u64, unrestricted_guest: bool) -> (Status, CrCheck) {
    let (mut status, mut check) = match cr0_fixed(caps, unrestricted_guest) {
        Ok(fixed) => check_fixed(cr0, fixed),
        Err(s) => return (s, CrCheck::default()),
    };
    // Paging without protection is never a valid CR0 (FIXED0 usually forces both, not under the exception).
    if cr0 & CR0_PG != 0 && cr0 & CR0_PE == 0 {
        check.missing |= CR0_PE;
        status = Status::Invalid;
    }
    (status, check)
}

fn cr0_apply(caps: &Caps, cr0: u64, unrestricted_guest: bool) -> (Status, u64) {
    match cr0_fixed(caps, unrestricted_guest) {
        Err(s) => (s, cr0),
        Ok((must1, may1)) => {
            let mut fixed = (cr0 | must1) & may1;
            if fixed & CR0_PG != 0 {
                fixed |= CR0_PE & may1;
            }
            (Status::Ok, fixed)
        }
    }
}

fn cr4_check(caps: &Caps, cr4: u64) -> (Status, CrCheck) {
    match cr4_fixed(caps) {
        Ok(fixed) => check_fixed(cr4, fixed),
        Err(s) => (s, CrCheck::default()),
    }
}

fn cr4_apply(caps: &Caps, cr4: u64) -> (Status, u64) {
    match cr4_fixed(caps) {
        Ok((must1, may1)) => (Status::Ok, (cr4 | must1) & may1),
        Err(s) => (s, cr4),
    }
}

// ---- the program ---------------------------------------------------------------------------

fn fail(message: &str) -> ! {
    eprintln!("vmx: {}", message);
    exit(2)
}

fn number(word: &str) -> u64 {
    let parsed = match word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => word.parse(),
    };
    parsed.unwrap_or_else(|_| fail(&format!("not a number: {}", word)))
}

fn set_by_name(name: &str) -> ControlSetId {
    *ControlSetId::ALL
        .iter()
        .find(|s| s.set().name == name)
        .unwrap_or_else(|| fail(&format!("no control set {}", name)))
}

fn bit_by_name(set: ControlSetId, name: &str) -> u64 {
    let bits = set.set().bits;
    if name == "ALL" {
        return bits.iter().fold(0, |m, (bit, _, _)| m | 1 << bit);
    }
    match bits.iter().find(|(_, n, _)| *n == name) {
        Some((bit, _, _)) => 1 << bit,
        None => fail(&format!("no control {} in {}", name, set.set().name)),
    }
}

/// The answers to a requests file (tests/rust/vmx_requests.txt), as the JSON
/// members "requests", "cr" and "feature_control".
fn answer_requests(caps: &Caps, text: &str, snapshot_feature_control: Option<u64>) -> (String, String, String) {
    let (mut requests, mut crs, mut fcs) = (Vec::new(), Vec::new(), Vec::new());
    let mut open: Option<(String, [u64; 7], [u64; 7])> = None;
    let finish = |open: &mut Option<(String, [u64; 7], [u64; 7])>, requests: &mut Vec<String>| {
        if let Some((name, required, optional)) = open.take() {
            let (status, sets) = adjust_all(caps, &required, &optional);
            let mut members = Vec::new();
            for (set, a) in ControlSetId::ALL.iter().zip(sets.iter()) {
                members.push(format!(
                    "\"{}\":{{\"value\":{},\"unsupported\":{},\"dropped\":{},\"forced\":{}}}",
                    set.set().name,
                    a.value,
                    a.unsupported,
                    a.dropped,
                    a.forced
                ));
            }
            requests.push(format!(
                "{{\"name\":\"{}\",\"status\":\"{}\",\"sets\":{{{}}}}}",
                name,
                status.name(),
                members.join(",")
            ));
        }
    };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let words: Vec<&str> = line.split_whitespace().collect();
        let first = match words.first() {
            Some(w) => *w,
            None => continue,
        };
        if matches!(first, "request" | "cr0" | "cr4" | "feature_control") {
            finish(&mut open, &mut requests);
        }
        match first {
            "request" => {
                let name = words.get(1).unwrap_or_else(|| fail("a request needs a name"));
                open = Some((name.to_string(), [0; 7], [0; 7]));
            }
            "cr0" | "cr4" => {
                let value = number(words.get(1).unwrap_or_else(|| fail("a CR line needs a value")));
                let unrestricted = words.get(2) == Some(&"unrestricted");
                let ((status, check), (apply_status, applied)) = if first == "cr0" {
                    (
                        cr0_check(caps, value, unrestricted),
                        cr0_apply(caps, value, unrestricted),
                    )
                } else {
                    (cr4_check(caps, value), cr4_apply(caps, value))
                };
                crs.push(format!(
                    "{{\"cr\":{},\"value\":{},\"unrestricted\":{},\"status\":\"{}\",\"missing\":{},\"forbidden\":{},\"applied\":{},\"apply_status\":\"{}\"}}",
                    if first == "cr0" { 0 } else { 4 }, value, unrestricted, status.name(), check.missing,
                    check.forbidden, applied, apply_status.name()
                ));
            }
            "feature_control" => {
                let word = words.get(1).unwrap_or_else(|| fail("feature_control needs a value"));
                let current = if *word == "snapshot" {
                    snapshot_feature_control
                } else {
                    Some(number(word))
                };
                match current {
                    None => fcs.push("{\"current\":null}".to_string()),
                    Some(current) => {
                        let (status, plan) = feature_control_plan(Ia32FeatureControl::unchecked(current), false, false);
                        fcs.push(format!(
                            "{{\"current\":{},\"status\":\"{}\",\"write\":{},\"value\":{},\"vmx_outside_smx\":{},\"vmx_inside_smx\":{}}}",
                            current, status.name(), plan.write, plan.value.raw(), plan.vmx_outside_smx, plan.vmx_inside_smx
                        ));
                    }
                }
            }
            set_name => {
                let set = set_by_name(set_name);
                let (_, required, optional) = open.as_mut().unwrap_or_else(|| fail("a set line outside a request"));
                let bits = match words.get(1) {
                    Some(&"required") => &mut required[set as usize],
                    Some(&"optional") => &mut optional[set as usize],
                    _ => fail("required or optional"),
                };
                for name in &words[2..] {
                    *bits |= bit_by_name(set, name);
                }
            }
        }
    }
    finish(&mut open, &mut requests);
    (requests.join(","), crs.join(","), fcs.join(","))
}

/// The document tests/rust/vmx_answers.c prints.
fn json(caps: &Result<Caps, Status>, requests: Option<&str>, feature_control: Option<u64>) -> String {
    let empty = Caps {
        values: [None; CAP_COUNT],
    };
    let (status, caps) = match caps {
        Ok(c) => (Status::Ok, c),
        Err(s) => (Status::Invalid.worse(*s), &empty),
    };
    let mut out = String::new();
    let _ = write!(out, "{{\"caps_status\":\"{}\",\"msrs\":[", status.name());
    let present: Vec<String> = (0..CAP_COUNT)
        .filter_map(|i| caps.values[i].map(|v| format!("{{\"address\":{},\"value\":{}}}", CAP_BASE + i as u32, v)))
        .collect();
    out.push_str(&present.join(","));
    let basic = caps.basic().unwrap_or(Ia32VmxBasic::ZERO);
    let memory_type = basic.memory_type().map(|t| t.value()).unwrap_or_else(u64::from);
    let _ = write!(
        out,
        "],\"basic\":{{\"revision_id\":{},\"vmcs_size\":{},\"memory_type\":{},\"true_controls\":{}}},\"sets\":{{",
        basic.revision_id(),
        basic.vmcs_size(),
        memory_type,
        basic.true_controls()
    );
    let sets: Vec<String> = ControlSetId::ALL
        .iter()
        .map(|s| {
            let c = control_caps(caps, *s);
            format!(
                "\"{}\":{{\"present\":{},\"true\":{},\"allowed0\":{},\"allowed1\":{},\"defaults\":{}}}",
                s.set().name,
                c.present,
                c.has_true,
                c.allowed0,
                c.allowed1,
                c.defaults
            )
        })
        .collect();
    out.push_str(&sets.join(","));
    let fixed = |a: u32| caps.get(a).unwrap_or(0);
    let _ = write!(
        out,
        "}},\"fixed\":{{\"cr0_fixed0\":{},\"cr0_fixed1\":{},\"cr4_fixed0\":{},\"cr4_fixed1\":{}}}",
        fixed(Ia32VmxCr0Fixed0::DEF.address),
        fixed(Ia32VmxCr0Fixed1::DEF.address),
        fixed(Ia32VmxCr4Fixed0::DEF.address),
        fixed(Ia32VmxCr4Fixed1::DEF.address)
    );
    if let Some(text) = requests {
        let (r, c, f) = answer_requests(caps, text, feature_control);
        let _ = write!(out, ",\"requests\":[{}],\"cr\":[{}],\"feature_control\":[{}]", r, c, f);
    }
    out.push('}');
    out
}

/// What a hypervisor's bring-up would print.
fn report(caps: &Result<Caps, Status>) {
    match Ia32FeatureControl::read_safe() {
        Ok(fc) => {
            let (status, plan) = feature_control_plan(fc, false, false);
            println!(
                "IA32_FEATURE_CONTROL = {:#x}: lock {}, VMX outside SMX {}: {}",
                fc.raw(),
                fc.lock(),
                fc.enable_vmx_outside_smx(),
                match (status, plan.write) {
                    (Status::Ok, false) => "VMXON allowed".to_string(),
                    (Status::Ok, true) => format!("write {:#x} (enable and lock), then VMXON", plan.value.raw()),
                    _ => "VMX disabled and locked by firmware".to_string(),
                }
            );
        }
        Err(e) => println!("IA32_FEATURE_CONTROL: {}", e),
    }
    let caps = match caps {
        Ok(c) => c,
        Err(s) => return println!("capability MSRs: {}", s.name()),
    };
    let basic = caps.basic().expect("read first");
    println!(
        "IA32_VMX_BASIC = {:#x}: VMCS revision {:#x}, {} bytes, memory type {:?}, TRUE controls {}",
        basic.raw(),
        basic.revision_id(),
        basic.vmcs_size(),
        basic.memory_type(),
        basic.true_controls()
    );
    let mut required = [0u64; 7];
    let mut optional = [0u64; 7];
    required[ControlSetId::Pinbased as usize] = vmx::pinbased::EXTERNAL_INTERRUPT_EXITING | vmx::pinbased::NMI_EXITING;
    required[ControlSetId::Primary as usize] = vmx::primary::HLT_EXITING | vmx::primary::USE_MSR_BITMAPS;
    required[ControlSetId::Secondary as usize] = vmx::secondary::ENABLE_EPT;
    optional[ControlSetId::Secondary as usize] = vmx::secondary::ENABLE_VPID | vmx::secondary::UNRESTRICTED_GUEST;
    required[ControlSetId::Exit as usize] =
        vmx::exit::HOST_ADDRESS_SPACE_SIZE | vmx::exit::ACKNOWLEDGE_INTERRUPT_ON_EXIT;
    required[ControlSetId::Entry as usize] = vmx::entry::IA32E_MODE_GUEST;
    let (status, sets) = adjust_all(caps, &required, &optional);
    for (set, a) in ControlSetId::ALL.iter().zip(sets.iter()) {
        let c = control_caps(caps, *set);
        println!(
            "  {:<10} {:#018x}{}{}",
            set.set().name,
            a.value,
            if c.has_true { " (TRUE_*)" } else { "" },
            if a.unsupported != 0 {
                format!(", unsupported {:#x}", a.unsupported)
            } else {
                String::new()
            }
        );
    }
    println!("controls: {}", status.name());
    let (s0, cr0) = cr0_apply(caps, 0x8000_0031, false);
    let (s4, cr4) = cr4_apply(caps, 0);
    println!("CR0 {:#x} ({}), CR4 {:#x} ({})", cr0, s0.name(), cr4, s4.name());
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (as_json, rest) = match args.first().map(String::as_str) {
        Some("--json") => (true, &args[1..]),
        _ => (false, &args[..]),
    };
    if rest.is_empty() || rest.len() > 2 || (!as_json && rest.len() != 1) {
        fail("usage: vmx SNAPSHOT | vmx --json SNAPSHOT [REQUESTS]");
    }
    let text = std::fs::read_to_string(&rest[0]).unwrap_or_else(|e| fail(&format!("{}: {}", rest[0], e)));
    let file: &'static MemoryBackend = Box::leak(Box::new(MemoryBackend::new()));
    file.load_snapshot(&text, 0)
        .unwrap_or_else(|e| fail(&format!("{}: {}", rest[0], e)));
    backend::install(Some(file));

    let caps = read_caps();
    if as_json {
        let requests = rest
            .get(1)
            .map(|p| std::fs::read_to_string(p).unwrap_or_else(|e| fail(&format!("{}: {}", p, e))));
        println!(
            "{}",
            json(&caps, requests.as_deref(), file.get(Ia32FeatureControl::DEF.address))
        );
    } else {
        report(&caps);
    }
}
