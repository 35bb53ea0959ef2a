"""Validate the node tree against the key table (schema.py) and the spec's rules.

Every error is collected, none stops the check of the rest; the result is plain
data (dicts, lists, ints, strings) that model.build() turns into the model. Each
record keeps its position under the key "_pos" for cross-record messages.
"""

import datetime
import re
from typing import Any, Dict, List, Optional, Set, Tuple

from . import schema
from .errors import Position, SpecError
from .keywords import C_AND_CXX_KEYWORDS
from .loader import Node
from .model import ARRAY_PLACEHOLDER, c_stem

IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RESERVED_MEMBER_RE = re.compile(r"^(raw|rsvd_[0-9]+)$")
ADDRESS_LIMIT = 1 << 32
ARRAY_COUNT_LIMIT = 4096  # every instance gets its own C macro and table row
TYPE_WORDS = {
    schema.INT: "an integer",
    schema.STR: "a string",
    schema.IDENT: "a name (C identifier)",
    schema.NAME_PATTERN: "a name",
    schema.BITS: "a bit number or a \"msb:lsb\" string",
    schema.STR_LIST: "a list of strings",
    schema.IDENT_LIST: "a list of names",
}


class Validator:
    def __init__(self) -> None:
        self.errors: List[SpecError] = []

    def error(self, pos: Position, message: str) -> None:
        self.errors.append(SpecError(pos, message))

    # ---- generic, key-table driven checks -----------------------------------

    def record(self, kind: str, node: Node, what: str) -> Optional[Dict[str, Node]]:
        """Check `node` is a mapping with only known keys and all required ones."""
        if node.kind != "map":
            self.error(node.pos, f"{what} must be a mapping, not {node.describe()}")
            return None
        keys = schema.keys_of(kind)
        for key, (key_pos, _) in node.entries.items():
            if key not in keys:
                allowed = ", ".join(keys)
                self.error(key_pos, f"unknown key '{key}' in {what}; allowed keys: {allowed}")
        for key in keys.values():
            if key.required and key.name not in node.entries:
                self.error(node.pos, f"{what}: missing required key '{key.name}'")
        return {k: v for k, (_, v) in node.entries.items() if k in keys}

    def scalar(self, kind: str, entries: Dict[str, Node], name: str, what: str) -> Any:
        """The checked value of key `name`, its default when absent, None when wrong."""
        key = schema.keys_of(kind)[name]
        node = entries.get(name)
        if node is None:
            return key.default
        value = self.typed(key.type, node, f"'{name}' of {what}")
        if value is not None and key.choices:
            values = value if isinstance(value, list) else [value]
            for v in values:
                if v not in key.choices:
                    self.error(node.pos, f"'{name}' of {what} must be one of {', '.join(key.choices)}, not '{v}'")
                    return None
        return value

    def typed(self, typ: str, node: Node, what: str) -> Any:
        if typ in (schema.STR_LIST, schema.IDENT_LIST):
            if node.kind != "list":
                self.error(node.pos, f"{what} must be {TYPE_WORDS[typ]}, not {node.describe()}")
                return None
            out = []
            for item in node.items:
                v = self.typed(schema.IDENT if typ == schema.IDENT_LIST else schema.STR, item, f"an entry of {what}")
                if v is None:
                    return None
                if v in out:
                    self.error(item.pos, f"{what} lists '{v}' twice")
                    return None
                out.append(v)
            return out
        if node.kind != "scalar":
            self.error(node.pos, f"{what} must be {TYPE_WORDS[typ]}, not {node.describe()}")
            return None
        value = node.value
        if typ == schema.INT:
            if isinstance(value, bool) or not isinstance(value, int):
                self.error(node.pos, f"{what} must be an integer, not {node.describe()}")
                return None
            return value
        if typ == schema.BITS:
            return self.bits(node, what)
        if not isinstance(value, str):
            hint = " (quote it)" if isinstance(value, (bool, int, float, datetime.date)) or value is None else ""
            self.error(node.pos, f"{what} must be {TYPE_WORDS[typ]}, not {node.describe()}{hint}")
            return None
        if typ == schema.STR:
            if not value.strip():
                self.error(node.pos, f"{what} must not be empty")
                return None
            return value
        if typ == schema.IDENT:
            return value if self.identifier(value, node.pos, what) else None
        if typ == schema.NAME_PATTERN:
            return value if self.msr_name(value, node.pos, what) else None
        raise AssertionError(typ)

    def identifier(self, value: str, pos: Position, what: str) -> bool:
        if not IDENT_RE.match(value):
            self.error(pos, f"{what}: '{value}' is not a valid C identifier")
            return False
        for form in {value, value.lower()}:
            if form in C_AND_CXX_KEYWORDS:
                self.error(pos, f"{what}: '{value}' is a C or C++ keyword ('{form}')")
                return False
        return True

    def msr_name(self, value: str, pos: Position, what: str) -> bool:
        if value.count(ARRAY_PLACEHOLDER) > 1:
            self.error(pos, f"{what}: '{value}' holds the index placeholder {{n}} more than once")
            return False
        return self.identifier(value.replace(ARRAY_PLACEHOLDER, "n"), pos, what)

    def alias(self, node: Node, entries: Dict[str, Node], what: str) -> None:
        """An alias is a name like the MSR's own: with {n} exactly when the MSR is an array."""
        alias = node.value
        if not self.msr_name(alias, node.pos, f"alias of {what}"):
            return
        name_node = entries.get("name")
        if name_node is not None and alias == name_node.value:
            self.error(node.pos, f"alias '{alias}' of {what} is its own name")
        is_array = "count" in entries
        if is_array and ARRAY_PLACEHOLDER not in alias:
            self.error(node.pos, f"alias '{alias}' of array {what} lacks the index placeholder {{n}}")
        if not is_array and ARRAY_PLACEHOLDER in alias:
            self.error(node.pos, f"alias '{alias}' of {what} holds {{n}} but the MSR is not an array")

    def bits(self, node: Node, what: str) -> Optional[Tuple[int, int]]:
        """(msb, lsb) from `5` or "7:4"."""
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            self.error(node.pos, f"{what} must be {TYPE_WORDS[schema.BITS]}, not {node.describe()}")
            return None
        if isinstance(value, int):
            msb = lsb = value
        else:
            m = re.fullmatch(r"\s*(-?[0-9]+)\s*(?::\s*(-?[0-9]+)\s*)?", value)
            if not m:
                self.error(node.pos, f"{what} must be {TYPE_WORDS[schema.BITS]}, not {node.describe()}")
                return None
            msb = int(m.group(1))
            lsb = int(m.group(2)) if m.group(2) is not None else msb
        ok = True
        for b in sorted({msb, lsb}, reverse=True):
            if not 0 <= b <= 63:
                self.error(node.pos, f"{what}: bit {b} is outside 0..63")
                ok = False
        if ok and msb < lsb:
            self.error(node.pos, f"{what}: msb {msb} is below lsb {lsb} (write \"msb:lsb\")")
            ok = False
        return (msb, lsb) if ok else None

    def list_of(self, entries: Dict[str, Node], key: str, what: str) -> List[Node]:
        node = entries.get(key)
        if node is None:
            return []
        if node.kind != "list":
            self.error(node.pos, f"'{key}' of {what} must be a list, not {node.describe()}")
            return []
        return node.items

    # ---- the spec -----------------------------------------------------------

    def spec(self, root: Node) -> Dict[str, Any]:
        top = self.record("top", root, "the spec")
        if top is None:
            return {"enums": {}, "msrs": [], "vmx_control_sets": []}
        enums = self.enums(top.get("enums"))
        msr_nodes = self.list_of(top, "msrs", "the spec")
        msrs = [m for m in (self.msr(n, enums) for n in msr_nodes) if m]
        declared = {n.entries["name"][1].value for n in msr_nodes
                    if n.kind == "map" and "name" in n.entries and isinstance(n.entries["name"][1].value, str)}
        if "msrs" in top and top["msrs"].kind == "list" and not top["msrs"].items:
            self.error(top["msrs"].pos, "'msrs' is empty: the spec describes no register")
        self.cross_msr_checks(msrs, declared)
        sets = [s for s in (self.control_set(n, msrs, declared)
                            for n in self.list_of(top, "vmx_control_sets", "the spec")) if s]
        self.unique([(s["name"], s["_pos"]) for s in sets], "VMX control set name")
        return {"enums": enums, "msrs": msrs, "vmx_control_sets": sets}

    def enums(self, node: Optional[Node]) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        if node is None:
            return out
        if node.kind != "map":
            self.error(node.pos, f"'enums' must be a mapping from enum name to enum, not {node.describe()}")
            return out
        for name, (key_pos, enum_node) in node.entries.items():
            what = f"enum {name}"
            if not self.identifier(name, key_pos, "enum name"):
                continue
            entries = self.record("enum", enum_node, what)
            if entries is None:
                continue
            description = self.scalar("enum", entries, "description", what)
            values = self.enum_values(entries.get("values"), what, None)
            if description is not None and values is not None:
                out[name] = {"description": description, "values": values, "_pos": key_pos}
        return out

    def enum_values(self, node: Optional[Node], what: str, width: Optional[int]) -> Optional[List[Dict[str, Any]]]:
        if node is None:
            return None
        if node.kind != "list":
            self.error(node.pos, f"the values of {what} must be a non-empty list, not {node.describe()}")
            return None
        if not node.items:
            self.error(node.pos, f"the values of {what} must be a non-empty list, not an empty one")
            return None
        out = []
        for item in node.items:
            entries = self.record("enum_value", item, f"a value of {what}")
            if entries is None:
                continue
            name = self.scalar("enum_value", entries, "name", f"a value of {what}")
            value = self.scalar("enum_value", entries, "value", f"a value of {what}")
            desc = self.scalar("enum_value", entries, "description", f"a value of {what}")
            if name is None or value is None or desc is None:
                continue
            if value < 0 or value >= 1 << 64:
                self.error(entries["value"].pos, f"{what}: value {name} = {value} is outside 0..2^64-1")
                continue
            if width is not None and value >= 1 << width:
                self.error(entries["value"].pos,
                           f"{what}: value {name} = {value} does not fit in {width} bit(s) (max {(1 << width) - 1})")
                continue
            out.append({"name": name, "value": value, "description": desc, "_pos": item.pos,
                        "_value_pos": entries["value"].pos})
        self.unique([(v["name"], v["_pos"]) for v in out], f"name in {what}")
        seen: Dict[int, str] = {}
        for v in out:
            if v["value"] in seen:
                self.error(v["_value_pos"], f"{what}: duplicate value {v['value']} ({seen[v['value']]} and {v['name']})")
            else:
                seen[v["value"]] = v["name"]
        return out

    def msr(self, node: Node, enums: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        name_node = node.entries.get("name", (None, None))[1] if node.kind == "map" else None
        label = name_node.value if name_node is not None and isinstance(name_node.value, str) else None
        what = f"MSR {label}" if label else "an MSR"
        entries = self.record("msr", node, what)
        if entries is None:
            return None
        out: Dict[str, Any] = {"_pos": node.pos}
        for key in schema.RECORDS["msr"]:
            if key.type.startswith(schema.INT) or key.type in (schema.STR, schema.IDENT, schema.NAME_PATTERN,
                                                                schema.STR_LIST):
                out[key.name] = self.scalar("msr", entries, key.name, what)
        for alias_node in (entries["aliases"].items if "aliases" in entries and entries["aliases"].kind == "list"
                           else []):
            if isinstance(alias_node.value, str):
                self.alias(alias_node, entries, what)
        if "vendors" in entries and out["vendors"] == []:
            self.error(entries["vendors"].pos, f"'vendors' of {what} must name intel, amd or both")
            out["vendors"] = None
        out["cpuid"] = self.cpuid(entries.get("cpuid"), what)
        address = out["address"]
        if address is not None and not 0 <= address < ADDRESS_LIMIT:
            self.error(entries["address"].pos, f"address {self.hex(address)} of {what} does not fit in 32 bits")
            out["address"] = None
        self.array(out, entries, what)
        out["fields"] = self.fields(entries, out, enums, what)
        required = [k.name for k in schema.RECORDS["msr"] if k.required]
        if any(out.get(k) is None for k in required) or out["fields"] is None:
            return None
        if any(k in out and out[k] is None for k in entries):  # a present optional key was wrong (error reported)
            return None
        out["_name_pos"] = entries["name"].pos
        out["_alias_pos"] = [n.pos for n in entries["aliases"].items] if out["aliases"] else []
        out["_address_pos"] = entries["address"].pos
        out["_shares_pos"] = entries["shares_address_with"].pos if "shares_address_with" in entries else None
        return out

    @staticmethod
    def hex(value: int) -> str:
        return f"0x{value:X}" if value >= 0 else f"-0x{-value:X}"

    def array(self, out: Dict[str, Any], entries: Dict[str, Node], what: str) -> None:
        name, count, stride = out["name"], out["count"], out["stride"]
        if "count" in entries and count is None:  # not an integer (reported): nothing more to say about it
            return
        if count is not None and count < 1:
            self.error(entries["count"].pos, f"'count' of {what} must be at least 1, not {count}")
            out["name"] = None
            return
        if count is not None and count > ARRAY_COUNT_LIMIT:
            self.error(entries["count"].pos, f"'count' of {what} must be at most {ARRAY_COUNT_LIMIT}, not {count}")
            out["name"] = None
            return
        if stride is not None and "stride" in entries and stride < 1:
            self.error(entries["stride"].pos, f"'stride' of {what} must be at least 1, not {stride}")
            out["name"] = None
            return
        if stride is not None and stride >= ADDRESS_LIMIT:
            self.error(entries["stride"].pos, f"'stride' {self.hex(stride)} of {what} does not fit in 32 bits")
            out["name"] = None
            return
        if name is None:
            return
        if count is None and "stride" in entries:
            self.error(entries["stride"].pos, f"{what} has 'stride' but no 'count'")
        if count is not None and ARRAY_PLACEHOLDER not in name:
            self.error(entries["name"].pos, f"{what} is an array ('count' {count}) but its name lacks the index placeholder {{n}}")
            out["name"] = None
        if count is None and ARRAY_PLACEHOLDER in name:
            self.error(entries["name"].pos, f"{what} holds the index placeholder {{n}} but has no 'count'")
            out["name"] = None
        address = out["address"]
        if count is not None and address is not None and stride is not None:
            last = address + (count - 1) * stride
            if last >= ADDRESS_LIMIT:
                self.error(entries["count"].pos,
                           f"{what}: the last instance's address {self.hex(last)} does not fit in 32 bits")
                out["address"] = None

    def cpuid(self, node: Optional[Node], what: str) -> Optional[List[Dict[str, Any]]]:
        if node is None:
            return None
        if node.kind == "map" and "any_of" in node.entries:
            entries = self.record("cpuid_any", node, f"'cpuid' of {what}")
            if entries is None:
                return None
            items = self.list_of(entries, "any_of", f"'cpuid' of {what}")
            if not items and entries["any_of"].kind == "list":
                self.error(node.pos, f"'any_of' of {what} must list at least one condition")
            conds = [self.cpuid_condition(item, what) for item in items]
            return [c for c in conds if c is not None] if all(conds) else None
        cond = self.cpuid_condition(node, what)
        return [cond] if cond else None

    def cpuid_condition(self, node: Node, what: str) -> Optional[Dict[str, Any]]:
        cwhat = f"a CPUID condition of {what}"
        entries = self.record("cpuid", node, cwhat)
        if entries is None:
            return None
        out = {k.name: self.scalar("cpuid", entries, k.name, cwhat) for k in schema.RECORDS["cpuid"]}
        if any(v is None for v in out.values()):
            return None
        for key in ("leaf", "subleaf"):
            if not 0 <= out[key] < ADDRESS_LIMIT:
                self.error(entries[key].pos, f"{cwhat}: {key} {self.hex(out[key])} does not fit in 32 bits")
                return None
        if not 0 <= out["bit"] <= 31:
            self.error(entries["bit"].pos, f"{cwhat}: bit {out['bit']} is outside 0..31")
            return None
        return out

    def fields(self, entries: Dict[str, Node], msr: Dict[str, Any], enums: Dict[str, Any],
               what: str) -> Optional[List[Dict[str, Any]]]:
        out = []
        ok = True
        for node in self.list_of(entries, "fields", what):
            f = self.field(node, msr, enums, what)
            if f is None:
                ok = False
            else:
                out.append(f)
        self.unique([(f["name"], f["_pos"]) for f in out], f"field name in {what}")
        owner: Dict[int, Dict[str, Any]] = {}
        for f in out:
            for bit in range(f["lsb"], f["msb"] + 1):
                if bit in owner:
                    self.error(f["_bits_pos"], f"field {f['name']} overlaps {owner[bit]['name']} at bit {bit} ({what})")
                    ok = False
                    break
            else:
                for bit in range(f["lsb"], f["msb"] + 1):
                    owner[bit] = f
        return out if ok else None

    def field(self, node: Node, msr: Dict[str, Any], enums: Dict[str, Any], what: str) -> Optional[Dict[str, Any]]:
        label = node.entries.get("name", (None, None))[1] if node.kind == "map" else None
        fname = label.value if label is not None and isinstance(label.value, str) else None
        fwhat = f"field {fname} of {what}" if fname else f"a field of {what}"
        entries = self.record("field", node, fwhat)
        if entries is None:
            return None
        out = {k.name: self.scalar("field", entries, k.name, fwhat) for k in schema.RECORDS["field"]
               if k.name != "enum"}
        out["_pos"] = node.pos
        if out["name"] is not None and RESERVED_MEMBER_RE.match(out["name"].lower()):
            self.error(entries["name"].pos, f"{fwhat}: the name '{out['name']}' is reserved for the generated union")
            return None
        if any(out[k] is None for k in ("name", "bits", "description")):
            return None
        if "access" in entries and out["access"] is None:
            return None
        out["msb"], out["lsb"] = out.pop("bits")
        out["_bits_pos"] = entries["bits"].pos
        width = out["msb"] - out["lsb"] + 1
        reg_access = msr.get("access")
        access = out["access"] or reg_access
        if reg_access is not None and access not in schema.FIELD_ACCESS_ALLOWED[reg_access]:
            allowed = ", ".join(schema.FIELD_ACCESS_ALLOWED[reg_access])
            self.error(entries["access"].pos if "access" in entries else node.pos,
                       f"{fwhat} is '{access}' but the register is '{reg_access}' (allowed: {allowed})")
            return None
        if out["reset"] is not None and not 0 <= out["reset"] < 1 << width:
            self.error(entries["reset"].pos,
                       f"{fwhat}: reset {self.hex(out['reset'])} does not fit in {width} bit(s) (max {self.hex((1 << width) - 1)})")
            return None
        enum_node = entries.get("enum")
        if enum_node is not None:
            if enum_node.kind == "scalar" and isinstance(enum_node.value, str):
                if enum_node.value not in enums:
                    known = ", ".join(enums) or "none"
                    self.error(enum_node.pos, f"{fwhat}: unknown enum '{enum_node.value}' (shared enums: {known})")
                    return None
                shared = enums[enum_node.value]
                too_big = [v for v in shared["values"] if v["value"] >= 1 << width]
                if too_big:
                    v = too_big[0]
                    self.error(enum_node.pos, f"{fwhat}: enum {enum_node.value} value {v['name']} = {v['value']} "
                                              f"does not fit in {width} bit(s) (max {(1 << width) - 1})")
                    return None
                out["enum"] = enum_node.value
            elif enum_node.kind == "list":
                values = self.enum_values(enum_node, f"the enum of {fwhat}", width)
                if values is None or len(values) != len(enum_node.items):
                    return None
                out["enum"] = values
            else:
                self.error(enum_node.pos, f"'enum' of {fwhat} must name a shared enum or list values, "
                                          f"not {enum_node.describe()}")
                return None
        return out

    def unique(self, items: List[Tuple[str, Position]], what: str) -> None:
        seen: Dict[str, Position] = {}
        for name, pos in items:
            if name in seen:
                self.error(pos, f"duplicate {what} '{name}' (first at line {seen[name].line})")
            else:
                seen[name] = pos

    def cross_msr_checks(self, msrs: List[Dict[str, Any]], declared: Set[str]) -> None:
        """Names, aliases and addresses across the whole spec."""
        names: Dict[str, Dict[str, Any]] = {}
        for m in msrs:
            for label, pos in [(m["name"], m["_name_pos"])] + list(zip(m["aliases"] or [], m["_alias_pos"])):
                instance_names = self.instance_names(m, label)
                for n in instance_names:
                    if n in names and names[n] is not m:
                        self.error(pos, f"duplicate MSR name {n} (first at line {names[n]['_pos'].line})")
                    names.setdefault(n, m)
        shares: Dict[int, Dict[str, Any]] = {}  # id(msr) -> the MSR its shares_address_with names
        for m in msrs:
            target = m["shares_address_with"]
            if target is None:
                continue
            other = names.get(target)
            if other is None or other is m:
                if target not in declared or other is m:  # else that MSR has errors of its own
                    self.error(m["_shares_pos"], f"'shares_address_with' of MSR {m['name']} names '{target}', "
                                                 f"which is not another MSR of the spec")
                continue
            shares[id(m)] = other
            if not {a for _, a in self.instances(m)} & {a for _, a in self.instances(other)}:
                self.error(m["_shares_pos"], f"MSR {m['name']} at {self.hex(m['address'])} declares "
                                             f"'shares_address_with: {target}', but {other['name']} is at "
                                             f"{self.hex(other['address'])}")
            common = [v for v in m["vendors"] if v in other["vendors"]]
            if common:
                self.error(m["_shares_pos"], f"MSR {m['name']} declares 'shares_address_with: {target}', but both "
                                             f"list vendor {', '.join(common)}; one register with two names is one "
                                             f"entry with 'aliases'")
        by_address: Dict[int, Tuple[str, Dict[str, Any]]] = {}
        for m in msrs:
            for inst_name, address in self.instances(m):
                if address in by_address:
                    other_name, other = by_address[address]
                    if other is m:
                        self.error(m["_address_pos"], f"array {m['name']}: instances {other_name} and {inst_name} "
                                                      f"collide at {self.hex(address)}")
                        break
                    if shares.get(id(m)) is other or shares.get(id(other)) is m:
                        continue  # declared; checked above
                    kind = f"array {m['name']}: instance {inst_name}" if m["count"] else inst_name
                    self.error(m["_address_pos"],
                               f"{kind} at {self.hex(address)} collides with {other_name} "
                               f"(line {other['_pos'].line}); one register with two names is one entry with "
                               f"'aliases'; vendor-specific registers declare 'shares_address_with'")
                    break
                by_address[address] = (inst_name, m)

    @staticmethod
    def instances(m: Dict[str, Any]) -> List[Tuple[str, int]]:
        if m["count"] is None:
            return [(m["name"], m["address"])]
        return [(m["name"].replace(ARRAY_PLACEHOLDER, str(i)), m["address"] + i * m["stride"])
                for i in range(m["count"])]

    def instance_names(self, m: Dict[str, Any], pattern: str) -> List[str]:
        """Every name `pattern` (the MSR's name or an alias) gives its instances."""
        if m["count"] is None:
            return [pattern]
        return [pattern.replace(ARRAY_PLACEHOLDER, str(i)) for i in range(m["count"])] + [pattern]

    def control_set(self, node: Node, msrs: List[Dict[str, Any]], declared: Set[str]) -> Optional[Dict[str, Any]]:
        label = node.entries.get("name", (None, None))[1] if node.kind == "map" else None
        what = f"VMX control set {label.value}" if label is not None and isinstance(label.value, str) else \
            "a VMX control set"
        entries = self.record("control_set", node, what)
        if entries is None:
            return None
        out = {k.name: self.scalar("control_set", entries, k.name, what)
               for k in schema.RECORDS["control_set"] if k.name != "bits"}
        out["_pos"] = node.pos
        names = {m["name"]: m for m in msrs}
        ok = all(out[k] is not None for k in ("name", "description", "width", "capability"))
        if out["width"] is not None and out["width"] not in (32, 64):
            self.error(entries["width"].pos, f"'width' of {what} must be 32 or 64, not {out['width']}")
            ok = False
        for key in ("capability", "true_capability"):
            if out[key] is not None and out[key] not in names:
                if out[key] not in declared:  # else that MSR has errors of its own, already reported
                    self.error(entries[key].pos, f"'{key}' of {what} names '{out[key]}', which is not an MSR of the spec")
                ok = False
        bits = []
        for item in self.list_of(entries, "bits", what):
            bwhat = f"a control bit of {what}"
            bentries = self.record("control_bit", item, bwhat)
            if bentries is None:
                ok = False
                continue
            b = {k.name: self.scalar("control_bit", bentries, k.name, bwhat) for k in schema.RECORDS["control_bit"]}
            if any(v is None for v in b.values()):
                ok = False
                continue
            if out["width"] in (32, 64) and not 0 <= b["bit"] < out["width"]:
                self.error(bentries["bit"].pos, f"{bwhat}: bit {b['bit']} is outside 0..{out['width'] - 1}")
                ok = False
                continue
            b["_pos"] = item.pos
            bits.append(b)
        self.unique([(b["name"], b["_pos"]) for b in bits], f"control name in {what}")
        self.unique([(str(b["bit"]), b["_pos"]) for b in bits], f"control bit in {what}")
        out["bits"] = bits
        return out if ok else None


def validate(root: Node) -> Tuple[Dict[str, Any], List[SpecError]]:
    v = Validator()
    data = v.spec(root)
    if not v.errors:
        from .identifiers import check_generated_identifiers
        v.errors.extend(check_generated_identifiers(data))
    return data, v.errors
