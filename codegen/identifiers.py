"""Every C identifier the templates will emit, derived from the validated spec,
so that two spec entries that mangle to the same C name are a spec error with a
position instead of a redefinition in the compiler's output.

The naming scheme lives here and in model.py; README "Naming" documents it.
"""

from typing import Any, Dict, List, Tuple

from .errors import Position, SpecError
from .model import ARRAY_PLACEHOLDER, c_stem

# Names the handwritten core already uses.
CORE_NAMES = {
    "msr_rdmsr", "msr_wrmsr", "msr_rdmsr_safe", "msr_wrmsr_safe", "msr_backend", "msr_backend_current",
    "msr_backend_install", "msr_strerror", "msr_extable_fixup", "msr_extable_entry", "msr_trace",
    "msr_table", "msr_table_count", "msr_info", "msr_field_info", "msr_enum_value", "msr_cpuid_cond",
    "msr_access", "msr_vendor", "msr_status", "msr_cpuid_reg", "msr_vmx_control_sets",
    "msr_vmx_control_set_count", "msr_vmx_control_bit", "msr_vmx_control_set_info",
    "msr_vmx_control_set_id", "MSR_VMX_CTLS_COUNT", "MSR_STATIC_ASSERT", "MSR_TRACE_HOOK",
}


def msr_identifiers(m: Dict[str, Any]) -> List[str]:
    return register_identifiers(m) + [n for f in m["fields"] for n in field_identifiers(m, f)]


def register_identifiers(m: Dict[str, Any]) -> List[str]:
    stem = c_stem(m["name"])
    up = stem.upper()
    names = [f"msr_{stem}", f"msr_{stem}_t", f"msr_{stem}_from_raw",
             f"{'MSR_' + up}_RESERVED_MASK", f"MSR_{up}_WRITABLE_MASK", f"MSR_{up}_W1C_MASK"]
    names += [f"msr_{stem}_{op}" for op in ("read", "read_safe", "write", "write_safe", "modify", "modify_safe")]
    if m["count"] is None:
        names.append(f"MSR_{up}")
    else:
        names += [f"MSR_{up}", f"MSR_{up}_COUNT", f"MSR_{up}_STRIDE"]
        names += [f"MSR_{m['name'].replace(ARRAY_PLACEHOLDER, str(i))}" for i in range(m["count"])]
    return names


def field_identifiers(m: Dict[str, Any], f: Dict[str, Any]) -> List[str]:
    stem = c_stem(m["name"])
    fm = f"MSR_{stem.upper()}_{f['name']}"
    names = [f"{fm}_SHIFT", f"{fm}_WIDTH", f"{fm}_MASK",
             f"msr_{stem}_{f['name'].lower()}_get", f"msr_{stem}_{f['name'].lower()}_set"]
    if isinstance(f.get("enum"), list):
        names.append(f"msr_{stem}_{f['name'].lower()}")
        names += [f"{fm}_{v['name']}" for v in f["enum"]]
    return names


def check_generated_identifiers(spec: Dict[str, Any]) -> List[SpecError]:
    owners: Dict[str, Tuple[str, Position]] = {name: ("the x86msr core", Position(0, 0)) for name in CORE_NAMES}
    errors: List[SpecError] = []

    def claim(names: List[str], owner: str, pos: Position) -> None:
        for name in names:
            if name in owners:
                first, first_pos = owners[name]
                if first == owner:
                    errors.append(SpecError(pos, f"{owner} generates the C name {name} twice"))
                else:
                    where = f" (line {first_pos.line})" if first_pos.line else ""
                    errors.append(SpecError(pos, f"{owner} generates the C name {name}, "
                                                 f"which {first}{where} already generates"))
                return
            owners[name] = (owner, pos)

    for name, e in spec["enums"].items():
        claim([f"msr_{name.lower()}"] + [f"MSR_{name.upper()}_{v['name']}" for v in e["values"]],
              f"enum {name}", e["_pos"])
    for m in spec["msrs"]:
        claim(register_identifiers(m), f"MSR {m['name']}", m["_pos"])
        for f in m["fields"]:  # its own owner, so a field clashing with its register is caught too
            claim(field_identifiers(m, f), f"field {f['name']} of MSR {m['name']}", f["_pos"])
    for s in spec["vmx_control_sets"]:
        up = s["name"].upper()
        claim([f"MSR_VMX_CTLS_{up}"] + [f"MSR_VMX_{up}_{b['name']}" for b in s["bits"]],
              f"VMX control set {s['name']}", s["_pos"])
    return errors
