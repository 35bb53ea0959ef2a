//! The crate's metadata as JSON: the document tests/rust/meta_json.c prints
//! from the C library (see there), so that tests/rust/compare.py can check
//! the two against each other, register by register, both ways.
//!
//!     cargo run --example meta_json > rust.json

use std::fmt::Write;

use x86msr::meta::{self, Condition, Def, FieldDef};
use x86msr::vmx::CONTROL_SETS;

fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || (c as u32) >= 0x7F => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn key(out: &mut String, k: &str, first: bool) {
    if !first {
        out.push(',');
    }
    string(out, k);
    out.push(':');
}

fn num(out: &mut String, k: &str, v: u64) {
    key(out, k, false);
    let _ = write!(out, "{}", v);
}

fn boolean(out: &mut String, k: &str, v: bool) {
    key(out, k, false);
    out.push_str(if v { "true" } else { "false" });
}

fn condition(out: &mut String, c: &Condition) {
    out.push('{');
    key(out, "kind", true);
    string(out, c.kind().name());
    let children: &[Condition] = match c {
        Condition::AnyOf(list) | Condition::AllOf(list) => list,
        Condition::Not(one) => std::slice::from_ref(*one),
        _ => &[],
    };
    match c {
        Condition::AnyOf(_) | Condition::AllOf(_) | Condition::Not(_) => {
            key(out, "conditions", false);
            out.push('[');
            for (i, child) in children.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                condition(out, child);
            }
            out.push(']');
        }
        Condition::Context(context) => {
            key(out, "context", false);
            string(out, context.name());
        }
        Condition::Index(n) => num(out, "index", u64::from(*n)),
        Condition::Family { family, models } => {
            num(out, "family", u64::from(*family));
            key(out, "models", false);
            let list: Vec<String> = models.iter().map(|m| m.to_string()).collect();
            let _ = write!(out, "[{}]", list.join(","));
        }
        Condition::Cpuid {
            leaf,
            subleaf,
            register,
            test,
        } => {
            num(out, "leaf", u64::from(*leaf));
            num(out, "subleaf", u64::from(*subleaf));
            key(out, "register", false);
            string(out, register.name());
            test_members(out, test);
        }
        Condition::Msr {
            address,
            stride,
            def,
            test,
        } => {
            num(out, "address", u64::from(*address));
            num(out, "stride", u64::from(*stride));
            key(out, "def", false);
            string(out, def);
            test_members(out, test);
        }
    }
    out.push('}');
}

fn test_members(out: &mut String, t: &meta::Test) {
    num(out, "msb", u64::from(t.msb));
    num(out, "lsb", u64::from(t.lsb));
    boolean(out, "bit_is_index", t.bit_is_index);
    key(out, "compare", false);
    string(out, t.compare.name());
    num(out, "operand", t.operand);
    boolean(out, "operand_is_index", t.operand_is_index);
}

fn opt_condition(out: &mut String, k: &str, c: Option<&Condition>) {
    key(out, k, false);
    match c {
        Some(c) => condition(out, c),
        None => out.push_str("null"),
    }
}

fn field(out: &mut String, f: &FieldDef) {
    out.push('{');
    key(out, "name", true);
    string(out, f.name);
    num(out, "msb", u64::from(f.msb));
    num(out, "lsb", u64::from(f.lsb));
    key(out, "access", false);
    string(out, f.access.name());
    num(out, "flags", u64::from(f.flags.bits()));
    num(out, "vendors", u64::from(f.vendors.bits()));
    num(out, "canonical_vendors", u64::from(f.canonical_vendors.bits()));
    key(out, "reset", false);
    match f.reset {
        Some(r) => {
            let _ = write!(out, "{}", r);
        }
        None => out.push_str("null"),
    }
    opt_condition(out, "present_if", f.present_if);
    opt_condition(out, "writable_if", f.writable_if);
    key(out, "strict_values", false);
    let strict: Vec<String> = if f.has(meta::FieldFlags::STRICT_ENUM) {
        f.values.iter().map(|v| v.value.to_string()).collect()
    } else {
        Vec::new()
    };
    let _ = write!(out, "[{}]", strict.join(","));
    key(out, "enum", false);
    out.push('[');
    for (i, v) in f.values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        key(out, "name", true);
        string(out, v.name);
        num(out, "value", v.value);
        out.push('}');
    }
    out.push_str("]}");
}

fn definition(out: &mut String, d: &Def) {
    out.push('{');
    key(out, "name", true);
    string(out, d.name);
    num(out, "id", u64::from(d.id));
    num(out, "address", u64::from(d.address));
    num(out, "stride", u64::from(d.stride));
    num(out, "count", u64::from(d.count));
    key(out, "access", false);
    string(out, d.access.name());
    key(out, "category", false);
    string(out, d.category.name());
    num(out, "vendors", u64::from(d.vendors.bits()));
    num(out, "flags", u64::from(d.flags.bits()));
    key(out, "lock", false);
    match d.lock {
        Some(lock) => {
            out.push('{');
            key(out, "field", true);
            string(out, d.fields[usize::from(lock.field)].name);
            key(out, "writes", false);
            string(out, lock.writes.name());
            out.push('}');
        }
        None => out.push_str("null"),
    }
    key(out, "masks", false);
    out.push('{');
    key(out, "reserved", true);
    let _ = write!(out, "{}", d.masks.reserved);
    num(out, "writable", d.masks.writable);
    num(out, "w1c", d.masks.w1c);
    num(out, "canonical", d.masks.canonical);
    out.push('}');
    opt_condition(out, "present_if", d.present_if);
    opt_condition(out, "writable_if", d.writable_if);
    key(out, "fields", false);
    out.push('[');
    for (i, f) in d.fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, f);
    }
    out.push_str("]}");
}

fn main() {
    let mut out = String::new();
    out.push('{');
    key(&mut out, "defs", true);
    out.push('[');
    for (i, d) in meta::DEFS.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        definition(&mut out, d);
    }
    out.push(']');
    // The instances in the C table's order: ascending address, then name.
    let mut instances: Vec<(u32, String, x86msr::Msr)> =
        meta::instances().map(|m| (m.address(), m.to_string(), m)).collect();
    instances.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    key(&mut out, "instances", false);
    out.push('[');
    for (i, (address, name, msr)) in instances.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        let def = msr.def();
        out.push('{');
        key(&mut out, "name", true);
        string(&mut out, name);
        num(&mut out, "address", u64::from(*address));
        key(&mut out, "def", false);
        string(&mut out, def.name);
        num(&mut out, "index", u64::from(msr.index()));
        key(&mut out, "aliases", false);
        out.push('[');
        for a in 0..def.aliases.len() {
            if a > 0 {
                out.push(',');
            }
            string(&mut out, &meta::alias(def, a, msr.index()).to_string());
        }
        out.push_str("]}");
    }
    out.push(']');
    key(&mut out, "vendors", false);
    out.push('[');
    for (i, v) in meta::VENDORS.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        key(&mut out, "name", true);
        string(&mut out, v.name);
        num(&mut out, "bit", u64::from(v.bit.bits()));
        out.push('}');
    }
    out.push(']');
    key(&mut out, "control_sets", false);
    out.push('[');
    for (i, s) in CONTROL_SETS.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        out.push('{');
        key(&mut out, "name", true);
        string(&mut out, s.name);
        num(&mut out, "width", u64::from(s.width));
        num(&mut out, "capability", u64::from(s.capability));
        num(&mut out, "true_capability", u64::from(s.true_capability.unwrap_or(0)));
        key(&mut out, "activated_by", false);
        match s.activated_by {
            Some((set, bit)) => {
                out.push('[');
                string(&mut out, set.set().name);
                let _ = write!(out, ",{}]", bit);
            }
            None => out.push_str("null"),
        }
        key(&mut out, "bits", false);
        out.push('[');
        for (b, (bit, name, _)) in s.bits.iter().enumerate() {
            if b > 0 {
                out.push(',');
            }
            out.push('{');
            key(&mut out, "bit", true);
            let _ = write!(out, "{}", bit);
            key(&mut out, "name", false);
            string(&mut out, name);
            out.push('}');
        }
        out.push_str("]}");
    }
    out.push_str("]}\n");
    print!("{}", out);
}
