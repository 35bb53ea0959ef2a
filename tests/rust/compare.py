"""The Rust crate checked against the C library: the same JSON document from
both sides, compared entry by entry and both ways (every C entry has an equal
Rust one, and every Rust entry a C one).

    compare.py meta C_PROGRAM RUST_PROGRAM...
        tests/rust/meta_json.c and the crate's example meta_json: every register
        definition (address, instances, access, masks, fields, conditions, named
        values), every instance, the vendors and the VMX control sets.
    compare.py vmx C_PROGRAM RUST_PROGRAM... -- REQUESTS SNAPSHOT...
        tests/rust/vmx_answers.c (x86msr_vmx's helpers) and the crate's example vmx
        (the same job in Rust) on each snapshot: the answers must be identical.
    compare.py vmxcap TOOL RUST_PROGRAM... -- SNAPSHOT...
        `x86msr vmxcap --from SNAPSHOT --json` against the example's: the capability
        MSRs present, each control set's allowed-0/allowed-1 settings and TRUE_*
        use, the CR0/CR4 fixed bits.

A program given as several words (cargo run ... --) gets its arguments after them.
Exit status 0 when everything agrees, 1 with every difference listed, 77 (the
CTest skip code) when a program cannot be found.
"""

import json
import os
import subprocess
import sys
from typing import Any, Dict, List, Tuple

SKIP = 77
LIMIT = 40  # differences shown per comparison


def run(command: List[str]) -> Any:
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except FileNotFoundError:
        print(f"SKIP: {command[0]} not found", file=sys.stderr)
        sys.exit(SKIP)
    if done.returncode != 0:
        print(f"{' '.join(command)}: exit {done.returncode}\n{done.stderr}", file=sys.stderr)
        sys.exit(1)
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        print(f"{' '.join(command)}: not JSON ({exc})\n{done.stdout[:2000]}", file=sys.stderr)
        sys.exit(1)


def differences(a: Any, b: Any, path: str) -> List[str]:
    """Where two JSON values differ: `path: C value != Rust value`, recursively."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in b:
                out.append(f"{path}.{k}: only in C")
            elif k not in a:
                out.append(f"{path}.{k}: only in Rust")
            else:
                out += differences(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} entries in C, {len(b)} in Rust: {json.dumps(a)[:300]} != {json.dumps(b)[:300]}"]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += differences(x, y, f"{path}[{i}]")
        return out
    if a != b or type(a) != type(b):
        return [f"{path}: {json.dumps(a)} (C) != {json.dumps(b)} (Rust)"]
    return []


def by_key(entries: List[Dict[str, Any]], key: str, what: str, side: str, problems: List[str]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for e in entries:
        if e[key] in out:
            problems.append(f"{what} {e[key]}: twice in {side}")
        out[e[key]] = e
    return out


def compare_lists(c: List[Dict[str, Any]], r: List[Dict[str, Any]], key: str, what: str) -> Tuple[int, List[str]]:
    """Entries keyed by `key`, both ways; (entries compared, problems)."""
    problems: List[str] = []
    cs = by_key(c, key, what, "C", problems)
    rs = by_key(r, key, what, "Rust", problems)
    for name in cs:
        if name not in rs:
            problems.append(f"{what} {name}: in C, not in Rust")
        else:
            problems += differences(cs[name], rs[name], f"{what} {name}")
    for name in rs:
        if name not in cs:
            problems.append(f"{what} {name}: in Rust, not in C")
    return len(cs), problems


def report(title: str, counts: Dict[str, int], problems: List[str]) -> int:
    if problems:
        print(f"{title}: {len(problems)} difference(s)", file=sys.stderr)
        for p in problems[:LIMIT]:
            print("  " + p, file=sys.stderr)
        if len(problems) > LIMIT:
            print(f"  ... and {len(problems) - LIMIT} more", file=sys.stderr)
        return 1
    print(f"{title}: identical: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    return 0


def split(argv: List[str], programs: int) -> Tuple[List[List[str]], List[str]]:
    """`programs` commands (the last may be several words) and the arguments after `--`."""
    if "--" in argv:
        at = argv.index("--")
        head, rest = argv[:at], argv[at + 1:]
    else:
        head, rest = argv, []
    commands = [[w] for w in head[:programs - 1]] + [head[programs - 1:]]
    return commands, rest


def meta(argv: List[str]) -> int:
    (c_cmd, rust_cmd), _ = split(argv, 2)
    c, r = run(c_cmd), run(rust_cmd)
    counts, problems = {}, []
    for section, key in (("defs", "name"), ("instances", "name"), ("vendors", "name"), ("control_sets", "name")):
        n, more = compare_lists(c[section], r[section], key, section[:-1])
        counts[section] = n
        problems += more
    # The definitions' order is the id order on both sides (meta::DEFS, msr_spec.defs).
    if [d["name"] for d in c["defs"]] != [d["name"] for d in r["defs"]]:
        problems.append("defs: the two sides order the definitions differently")
    if not c["defs"] or not c["instances"]:
        problems.append("the C document holds no registers")
    return report("metadata, C against Rust", counts, problems)


def vmx(argv: List[str]) -> int:
    (c_cmd, rust_cmd), rest = split(argv, 2)
    if len(rest) < 2:
        print("vmx: give -- REQUESTS SNAPSHOT...", file=sys.stderr)
        return 2
    requests, snapshots = rest[0], rest[1:]
    status = 0
    for snap in snapshots:
        c = run(c_cmd + [snap, requests])
        r = run(rust_cmd + ["--json", snap, requests])
        problems = differences(c, r, os.path.basename(snap))
        counts = {"requests": len(c.get("requests", [])), "CR checks": len(c.get("cr", [])),
                  "capability MSRs": len(c.get("msrs", []))}
        if not c.get("requests") or not c.get("cr"):
            problems.append(f"{snap}: the C answers hold no requests or CR checks")
        status |= report(f"VMX answers on {os.path.basename(snap)}, C helpers against the Rust example", counts,
                         problems)
    return status


def vmxcap(argv: List[str]) -> int:
    (tool, rust_cmd), snapshots = split(argv, 2)
    if not snapshots:
        print("vmxcap: give -- SNAPSHOT...", file=sys.stderr)
        return 2
    status = 0
    for snap in snapshots:
        t = run(tool + ["vmxcap", "--from", snap, "--json"])
        r = run(rust_cmd + ["--json", snap])
        # The tool's view, in the example's terms.
        mine = {
            "msrs": [{"address": int(m["address"], 16), "value": int(m["value"], 16)} for m in t["msrs"]],
            "sets": {name: {"present": s["present"], "true": s["true_capability_used"],
                            "allowed0": int(s["allowed0"], 16), "allowed1": int(s["allowed1"], 16)}
                     for name, s in t["controls"].items()},
            "fixed": {k: int(t[k], 16) for k in ("cr0_fixed0", "cr0_fixed1", "cr4_fixed0", "cr4_fixed1")},
        }
        theirs = {
            "msrs": [{"address": m["address"], "value": m["value"]} for m in r["msrs"]],
            "sets": {name: {k: s[k] for k in ("present", "true", "allowed0", "allowed1")}
                     for name, s in r["sets"].items()},
            "fixed": r["fixed"],
        }
        problems = differences(mine, theirs, os.path.basename(snap))
        status |= report(f"x86msr vmxcap on {os.path.basename(snap)} against the Rust example",
                         {"capability MSRs": len(mine["msrs"]), "control sets": len(mine["sets"])}, problems)
    return status


def main() -> int:
    if len(sys.argv) < 3 or sys.argv[1] not in ("meta", "vmx", "vmxcap"):
        print(__doc__, file=sys.stderr)
        return 2
    return {"meta": meta, "vmx": vmx, "vmxcap": vmxcap}[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
