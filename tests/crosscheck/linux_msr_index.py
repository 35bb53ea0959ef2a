"""Read Linux's arch/x86/include/asm/msr-index.h into facts the crosscheck test
compares with the spec: the MSR addresses it names, and the bit definitions it
gives for them.

Addresses. A macro is an MSR address when
  1. it is object-like (function-like macros such as MSR_IA32_MCx_CTL(x) only
     compute instances of a base address that is itself listed),
  2. its name starts with MSR_ (every address in the file does), and
  3. its value is a hex literal, another address macro, or an address macro
     plus an integer; values built with BIT(), GENMASK(), shifts or bare
     decimals are masks or bit numbers. The 0x literals with an MSR_ name that
     are masks, not addresses, are listed in NOT_ADDRESSES (each checked by hand).

Bit definitions. A macro defines bits of register R when its name starts with
R's address macro name followed by "_" (the longest such address macro wins:
MSR_IA32_MISC_ENABLE_TCC_BIT is IA32_MISC_ENABLE's), or with one of the
prefixes of REGISTER_PREFIXES (EFER_, DEBUGCTLMSR_, ARCH_CAP_, ...: Linux's
names for the bits of registers whose macro names do not carry the address
macro's name); and its value is a bit expression: BIT(n), BIT_ULL(n),
_BITUL(n), (1 << n) and its UL/ULL forms, GENMASK(h, l), GENMASK_ULL(h, l),
(mask << offset), a hex literal (then it is a mask, never an address), a
combination of such with | or ~, or a bare decimal when the name ends in _BIT,
_IDX, _SHIFT or _OFFSET (a bit number). Each is classified:
  position  name ends in _BIT or _IDX (or holds _BIT_): a single bit [n];
  lsb       name ends in _SHIFT or _OFFSET: the lowest bit of a field;
  reserved  name holds RSVD or RESERVED: bits the register reserves;
  mask      anything else: the bits of one or more whole fields.
"""

import glob
import re

DEFAULT_GLOB = "/usr/src/linux-headers-*-common/arch/x86/include/asm/msr-index.h"

NOT_ADDRESSES = {
    "MSR_IA32_BNDCFGS_RSVD": "mask of reserved IA32_BNDCFGS bits (0xffc)",
    "MSR_IA32_VMX_MISC_PREEMPTION_TIMER_SCALE": "mask of IA32_VMX_MISC[4:0]",
}

# Prefixes of bit macros whose names do not start with their register's address
# macro: prefix -> that address macro.
REGISTER_PREFIXES = {
    "_EFER_": "MSR_EFER",
    "EFER_": "MSR_EFER",
    "SPEC_CTRL_": "MSR_IA32_SPEC_CTRL",
    "PRED_CMD_": "MSR_IA32_PRED_CMD",
    "ARCH_CAP_": "MSR_IA32_ARCH_CAPABILITIES",
    "TSX_CTRL_": "MSR_IA32_TSX_CTRL",
    "DEBUGCTLMSR_": "MSR_IA32_DEBUGCTLMSR",
    "FEAT_CTL_": "MSR_IA32_FEAT_CTL",
    "RTIT_CTL_": "MSR_IA32_RTIT_CTL",
    "RTIT_STATUS_": "MSR_IA32_RTIT_STATUS",
    "LBR_INFO_": "MSR_ARCH_LBR_INFO_0",
    "ARCH_LBR_CTL_": "MSR_ARCH_LBR_CTL",
    "PERF_CAP_": "MSR_IA32_PERF_CAPABILITIES",
    "PACKAGE_THERM_STATUS_": "MSR_IA32_PACKAGE_THERM_STATUS",
    "PACKAGE_THERM_INT_": "MSR_IA32_PACKAGE_THERM_INTERRUPT",
    "THERM_STATUS_": "MSR_IA32_THERM_STATUS",
    "THERM_INT_": "MSR_IA32_THERM_INTERRUPT",
    "VM_CR_": "MSR_VM_CR",
    "SYSCFG_": "MSR_AMD64_SYSCFG",
}

BIT_SUFFIX = re.compile(r"(_BIT|_IDX)$|_BIT_")
LSB_SUFFIX = re.compile(r"(_SHIFT|_OFFSET)$")
RESERVED = re.compile(r"RSVD|RESERVED")


def find_header(pattern=DEFAULT_GLOB):
    found = sorted(glob.glob(pattern))
    return found[-1] if found else None


def parse_macros(path):
    """Object-like macros, in file order: name -> value text (comments removed)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"\\\n", " ", text)
    macros = {}
    for line in text.splitlines():
        m = re.match(r"\s*#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)(\()?\s*(.*)$", line)
        if not m or m.group(2):
            continue
        macros[m.group(1)] = m.group(3).split("//")[0].strip()
    return macros


def _strip_parens(v):
    while v.startswith("(") and v.endswith(")"):
        depth = 0
        for i, ch in enumerate(v):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(v) - 1:
                return v
        v = v[1:-1].strip()
    return v


def address_of(name, macros, seen=()):
    if name in seen or name not in macros or not name.startswith("MSR_") or name in NOT_ADDRESSES:
        return None
    v = _strip_parens(macros[name].strip())
    if re.fullmatch(r"0[xX][0-9a-fA-F]+[uUlL]*", v):
        return int(v.rstrip("uUlL"), 16)
    m = re.fullmatch(r"(MSR_\w+)", v)
    if m:
        return address_of(m.group(1), macros, seen + (name,))
    m = re.fullmatch(r"(MSR_\w+)\s*\+\s*(0[xX][0-9a-fA-F]+|\d+)", v)
    if m:
        base = address_of(m.group(1), macros, seen + (name,))
        return None if base is None else base + int(m.group(2), 0)
    return None


def addresses(macros):
    """address -> [Linux names], names in file order."""
    out = {}
    for name in macros:
        a = address_of(name, macros)
        if a is not None:
            out.setdefault(a, []).append(name)
    return out


_TOKEN = re.compile(r"\s*(0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_]\w*|<<|>>|[()|&~+\-,*])")


def evaluate(expr, macros, depth=0):
    """The value of a bit expression, or None when it is not one."""
    if depth > 20:
        return None
    expr = expr.strip()
    if not expr:
        return None
    pos, tokens = 0, []
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m:
            return None
        tokens.append(m.group(1))
        pos = m.end()
    out = []
    i = 0
    funcs = {"BIT": "_bit", "BIT_ULL": "_bit", "_BITUL": "_bit", "_BITULL": "_bit", "BIT_U64": "_bit",
             "GENMASK": "_genmask", "GENMASK_ULL": "_genmask"}
    while i < len(tokens):
        t = tokens[i]
        if re.fullmatch(r"0[xX][0-9a-fA-F]+[uUlL]*", t):
            out.append(str(int(t.rstrip("uUlL"), 16)))
        elif re.fullmatch(r"\d+[uUlL]*", t):
            out.append(str(int(t.rstrip("uUlL"))))
        elif t in funcs:
            out.append(funcs[t])
        elif re.fullmatch(r"[A-Za-z_]\w*", t):
            if t not in macros:
                return None
            v = evaluate(macros[t], macros, depth + 1)
            if v is None:
                return None
            out.append(f"({v})")
        elif t == "~":
            out.append("_inv(")
            # ~X: applies to the next primary; find it
            j, depth_p = i + 1, 0
            sub = []
            while j < len(tokens):
                sub.append(tokens[j])
                depth_p += tokens[j] == "("
                depth_p -= tokens[j] == ")"
                if depth_p == 0:
                    break
                j += 1
            v = evaluate(" ".join(sub), macros, depth + 1)
            if v is None:
                return None
            unsigned32 = any(re.fullmatch(r"0[xX][0-9a-fA-F]+[uU]|\d+[uU]", s) for s in sub)
            out[-1] = f"({(~v) & ((1 << 32) - 1 if unsigned32 else (1 << 64) - 1)})"
            i = j
        else:
            out.append(t)
        i += 1
    try:
        value = eval(" ".join(out), {"__builtins__": {}},
                     {"_bit": lambda n: 1 << n, "_genmask": lambda h, l: ((1 << (h - l + 1)) - 1) << l})
    except Exception:
        return None
    return value if isinstance(value, int) and value >= 0 else None


def bit_definitions(macros, by_address):
    """[(macro, register address macro, address, kind, value)] for every bit
    definition with a clear register prefix (see the module's docstring)."""
    address_names = {n: a for a, names in by_address.items() for n in names}
    out = []
    for name, text in macros.items():
        if name in address_names:
            continue
        owner = None
        for n in sorted(address_names, key=len, reverse=True):
            if name.startswith(n + "_"):
                owner = n
                break
        if owner is None:
            for prefix, reg in REGISTER_PREFIXES.items():
                if name.startswith(prefix) and reg in address_names:
                    owner = reg
                    break
        if owner is None:
            continue
        stripped = _strip_parens(text)
        is_number = re.fullmatch(r"\d+[uUlL]*", stripped) is not None
        if BIT_SUFFIX.search(name) or LSB_SUFFIX.search(name):
            if not is_number:
                v = evaluate(text, macros)
                # BIT(MSR_X_BIT) named _BIT? rare: treat as mask
                if v is None:
                    continue
                kind = "mask"
            else:
                v = int(stripped.rstrip("uUlL"))
                if v > 63:
                    continue
                kind = "position" if BIT_SUFFIX.search(name) else "lsb"
        else:
            if is_number:
                continue  # a field value or a count, not bits
            v = evaluate(text, macros)
            if v is None or v == 0 or v >= 1 << 64:
                continue
            kind = "reserved" if RESERVED.search(name) else "mask"
        out.append((name, owner, address_names[owner], kind, v))
    return out
