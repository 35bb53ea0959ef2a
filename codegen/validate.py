"""Validate the node trees against the key tables (schema.py) and the spec's
rules, and build the frozen model (model.py) in the same pass.

Every error is collected with its position and none stops the check of the rest;
the model is returned only when there is no error. Defaults are applied here,
once; array instances are expanded here, once; C names are attached from
naming.py and checked for clashes with each other and with the handwritten
headers (handwritten.py).

Several files may be validated together (a base spec and overlays): their
entries share one name space, so an overlay that reuses a base name or address
is refused at the overlay's position.
"""

import dataclasses
import datetime
import re
from typing import Any, Dict, FrozenSet, List, Optional, Set, Tuple

from . import handwritten, naming, schema
from .errors import Position, SpecError
from .keywords import C_AND_CXX_KEYWORDS
from .loader import Node
from .model import (ARRAY_PLACEHOLDER, Category, Condition, ControlBit, ControlSet, Enum, EnumValue, Field,
                    Instance, Model, Msr, Vendor, exclusive)

IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MSR_NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
RESERVED_MEMBER_RE = re.compile(r"^raw$")  # the value union's own member
ADDRESS_LIMIT = 1 << 32
ARRAY_COUNT_LIMIT = 4096  # every instance gets its own C macro and table row
ENUM_CONSTANT_MAX = (1 << 31) - 1  # ISO C: an enumeration constant is an int
INDEX = "n"               # an `int-or-n` value that stands for the array index
TYPE_WORDS = {
    schema.INT: "an integer",
    schema.STR: "a string",
    schema.BOOL: "true or false",
    schema.IDENT: "a name (C identifier)",
    schema.NAME_PATTERN: "a name",
    schema.BITS: "a bit number or a \"msb:lsb\" string",
    schema.STR_LIST: "a list of strings",
    schema.INT_LIST: "a list of integers",
    schema.VENDOR_LIST: "a list of vendor names",
    schema.CATEGORY: "a category name",
    schema.INDEXED_INT: "an integer or n (the array index)",
    schema.WORDS: "a mapping from placeholder name to words",
}
# A placeholder of a layout's field descriptions: {controls}; {n} is the array index, not a placeholder.
PLACEHOLDER_RE = re.compile(r"\{([a-z][a-z0-9_]*)\}")


@dataclasses.dataclass
class _FieldDraft:
    """A field as written (in a register or a shared layout), before the register it
    belongs to is known: access may still be the register's default."""

    name: str
    msb: int
    lsb: int
    access: Optional[str]
    description: str
    enum: Any                      # shared enum name, a list of value dicts, or None
    reset: Optional[int]
    vendors: Optional[List[str]]
    present_if: Optional[Condition]
    flags: FrozenSet[str]          # the attributes (schema.FIELD_ATTRIBUTES) it has
    values: Dict[str, Any]         # ... and the values of those that carry one
    pos: Position
    name_pos: Position
    bits_pos: Position
    access_pos: Optional[Position]
    vendors_pos: Optional[Position]


class Validator:
    def __init__(self) -> None:
        self.errors: List[SpecError] = []
        self.vendor_names: Set[str] = set(schema.VENDOR_NAMES)
        self.category_names: Set[str] = set(schema.CATEGORY_NAMES)
        self.broken_enums: Set[str] = set()  # shared enums declared with errors (reported)
        self.broken_vendors: Set[str] = set()  # vendors and categories declared with errors (reported)
        self.broken_categories: Set[str] = set()

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
        if typ == schema.WORDS:
            if node.kind != "map":
                self.error(node.pos, f"{what} must be {TYPE_WORDS[typ]}, not {node.describe()}")
                return None
            words = {}
            for key, (key_pos, value) in node.entries.items():
                if not re.fullmatch(r"[a-z][a-z0-9_]*", key) or key == INDEX:
                    self.error(key_pos, f"{what}: '{key}' is not a placeholder name (lower case, not n)")
                    return None
                text = self.typed(schema.STR, value, f"'{key}' of {what}")
                if text is None:
                    return None
                words[key] = (text, key_pos)
            return words
        if typ in (schema.STR_LIST, schema.INT_LIST, schema.VENDOR_LIST):
            if node.kind != "list":
                self.error(node.pos, f"{what} must be {TYPE_WORDS[typ]}, not {node.describe()}")
                return None
            item_type = schema.INT if typ == schema.INT_LIST else schema.STR
            out = []
            for item in node.items:
                v = self.typed(item_type, item, f"an entry of {what}")
                if v is None:
                    return None
                if v in out:
                    self.error(item.pos, f"{what} lists '{v}' twice")
                    return None
                out.append(v)
            if typ == schema.VENDOR_LIST:
                for item, v in zip(node.items, out):
                    if v in self.broken_vendors:
                        return None
                    if v not in self.vendor_names:
                        known = ", ".join(sorted(self.vendor_names))
                        self.error(item.pos, f"{what}: unknown vendor '{v}' (vendors: {known}; declare others "
                                             f"under the top-level key 'vendors')")
                        return None
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
        if typ == schema.INDEXED_INT:
            if value == INDEX:
                return INDEX
            if isinstance(value, bool) or not isinstance(value, int):
                self.error(node.pos, f"{what} must be {TYPE_WORDS[typ]}, not {node.describe()}")
                return None
            return value
        if typ == schema.BOOL:
            if not isinstance(value, bool):
                self.error(node.pos, f"{what} must be true or false, not {node.describe()}")
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
        if typ == schema.CATEGORY:
            if not self.identifier(value, node.pos, what):
                return None
            if value in self.broken_categories:
                return None
            if value not in self.category_names:
                self.error(node.pos, f"{what}: unknown category '{value}' (spec/README.md lists the built-in "
                                     f"ones; declare others under the top-level key 'categories')")
                return None
            return value
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
        plain = value.replace(ARRAY_PLACEHOLDER, "N")
        if not self.identifier(plain if IDENT_RE.match(plain) else value, pos, what):
            return False
        if not MSR_NAME_RE.match(plain):
            self.error(pos, f"{what}: '{value}' must be upper case (letters A-Z, digits, '_'), as the manuals "
                            f"write MSR names")
            return False
        return True

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

    def map_of(self, entries: Dict[str, Node], key: str, what: str) -> List[Tuple[str, Position, Node]]:
        node = entries.get(key)
        if node is None:
            return []
        if node.kind != "map":
            self.error(node.pos, f"'{key}' must be a mapping from {what} name to {what}, not {node.describe()}")
            return []
        return [(name, key_pos, value) for name, (key_pos, value) in node.entries.items()]

    def unique(self, items: List[Tuple[str, Position]], what: str) -> bool:
        seen: Dict[str, Position] = {}
        ok = True
        for name, pos in items:
            if name in seen:
                self.error(pos, f"duplicate {what} '{name}' (first at {self.where(seen[name], pos)})")
                ok = False
            else:
                seen[name] = pos
        return ok

    @staticmethod
    def where(first: Position, here: Position) -> str:
        """How a message names an earlier position: `line N`, or `FILE:N` in another file."""
        if first.file != here.file and first.file:
            return f"{first.file}:{first.line}"
        return f"line {first.line}"

    @staticmethod
    def hex(value: int) -> str:
        return f"0x{value:X}" if value >= 0 else f"-0x{-value:X}"

    # ---- the spec -----------------------------------------------------------

    def spec(self, roots: List[Node]) -> Optional[Model]:
        tops = []
        for root in roots:
            top = self.record("top", root, "the spec")
            if top is not None:
                tops.append(top)
        if not tops:
            return None
        vendors = self.vendors(tops)
        categories = self.categories(tops)
        enums = self.enums(tops)
        layouts = self.layouts(tops, enums)
        msr_nodes = [n for top in tops for n in self.list_of(top, "msrs", "the spec")]
        for top in tops:
            if "msrs" in top and top["msrs"].kind == "list" and not top["msrs"].items:
                self.error(top["msrs"].pos, "'msrs' is empty: the spec describes no register")
        drafts = [d for d in (self.msr(n, enums, layouts) for n in msr_nodes) if d]
        declared = {n.entries["name"][1].value for n in msr_nodes
                    if n.kind == "map" and "name" in n.entries and isinstance(n.entries["name"][1].value, str)}
        self.cross_msr_checks(drafts, declared)
        self.resolve_conditions(drafts, declared)
        self.restore_orders(drafts, declared)
        msrs = self.build_msrs(drafts, enums)
        set_nodes = [n for top in tops for n in self.list_of(top, "vmx_control_sets", "the spec")]
        sets = self.control_sets(set_nodes, msrs, declared)
        if self.errors:
            return None
        model = Model(msrs=tuple(sorted(msrs, key=lambda m: (m.address, m.name))),
                      enums=tuple(e for e in enums.values()), vendors=vendors, categories=categories,
                      control_sets=sets, layouts=tuple(layouts), names=naming.model_names(schema.CLOSED_ENUMS, schema.ATTRIBUTES_OF))
        self.errors.extend(naming.clashes(model, handwritten.names()))
        return None if self.errors else model

    # ---- declarations: vendors, categories, enums, layouts -------------------

    def vendors(self, tops: List[Dict[str, Node]]) -> Tuple[Vendor, ...]:
        top_pos = Position(0, 0, "")  # built in: no place in the spec
        out = [Vendor(v.name, v.title, v.meaning, i, v.leaf, v.signatures, v.registers, top_pos,
                      naming.vendor_names(v.name)) for i, v in enumerate(schema.VENDORS)]
        for top in tops:
            for name, key_pos, node in self.map_of(top, "vendors", "vendor"):
                if name not in self.vendor_names:
                    self.broken_vendors.add(name)  # until it is accepted: its users add no second error
                if not self.identifier(name, key_pos, "vendor name"):
                    continue
                if name != name.lower():
                    self.error(key_pos, f"vendor name '{name}' must be lower case")
                    continue
                if name in self.vendor_names:
                    self.error(key_pos, f"vendor '{name}' is already declared" +
                               (" (built in)" if name in schema.VENDOR_NAMES else ""))
                    continue
                entries = self.record("vendor", node, f"vendor {name}")
                if entries is None:
                    continue
                description = self.scalar("vendor", entries, "description", f"vendor {name}")
                if description is None:
                    continue
                if len(out) >= schema.VENDOR_LIMIT:
                    self.error(key_pos, f"vendor {name}: at most {schema.VENDOR_LIMIT} vendors fit the C vendor set")
                    continue
                self.vendor_names.add(name)
                self.broken_vendors.discard(name)
                out.append(Vendor(name, name, description, len(out), None, (), (), key_pos, naming.vendor_names(name)))
        return tuple(out)

    def categories(self, tops: List[Dict[str, Node]]) -> Tuple[Category, ...]:
        top_pos = Position(0, 0, "")  # built in: no place in the spec
        found = [(c.name, c.meaning, top_pos) for c in schema.CATEGORIES]
        for top in tops:
            for name, key_pos, node in self.map_of(top, "categories", "category"):
                if name not in self.category_names:
                    self.broken_categories.add(name)  # until it is accepted: its users add no second error
                if not self.identifier(name, key_pos, "category name"):
                    continue
                if name != name.lower():
                    self.error(key_pos, f"category name '{name}' must be lower case")
                    continue
                if name in self.category_names:
                    self.error(key_pos, f"category '{name}' is already declared" +
                               (" (built in)" if name in schema.CATEGORY_NAMES else ""))
                    continue
                entries = self.record("category_decl", node, f"category {name}")
                if entries is None:
                    continue
                description = self.scalar("category_decl", entries, "description", f"category {name}")
                if description is None:
                    continue
                self.category_names.add(name)
                self.broken_categories.discard(name)
                found.append((name, description, key_pos))
        # Built-in categories first (sorted), declared ones after them in spec order:
        # an overlay never renumbers the categories a library was compiled with.
        return tuple(Category(name, meaning, i, pos, naming.category_names(name))
                     for i, (name, meaning, pos) in enumerate(found))

    def enums(self, tops: List[Dict[str, Node]]) -> Dict[str, Enum]:
        out: Dict[str, Enum] = {}
        for top in tops:
            node = top.get("enums")
            if node is None:
                continue
            if node.kind != "map":
                self.error(node.pos, f"'enums' must be a mapping from enum name to enum, not {node.describe()}")
                continue
            for name, (key_pos, enum_node) in node.entries.items():
                what = f"enum {name}"
                if not self.identifier(name, key_pos, "enum name"):
                    continue
                if name in out:
                    self.error(key_pos, f"duplicate enum name '{name}' (first at "
                                        f"{self.where(out[name].position, key_pos)})")
                    continue
                entries = self.record("enum", enum_node, what)
                if entries is None:
                    self.broken_enums.add(name)
                    continue
                description = self.scalar("enum", entries, "description", what)
                values = self.enum_values(entries.get("values"), what, None, naming.shared_enum_prefix(name))
                if description is not None and values is not None:
                    out[name] = Enum(name, description, values, True, key_pos, naming.enum_names(name))
                else:
                    self.broken_enums.add(name)  # its users add no second error
        return out

    def enum_values(self, node: Optional[Node], what: str, width: Optional[int],
                    prefix: str) -> Optional[Tuple[EnumValue, ...]]:
        """The values of an enum whose C constants are MSR_<prefix>_<VALUE>."""
        if node is None:
            return None
        if node.kind != "list":
            self.error(node.pos, f"the values of {what} must be a non-empty list, not {node.describe()}")
            return None
        if not node.items:
            self.error(node.pos, f"the values of {what} must be a non-empty list, not an empty one")
            return None
        out = []
        ok = True
        for item in node.items:
            entries = self.record("enum_value", item, f"a value of {what}")
            if entries is None:
                ok = False
                continue
            name = self.scalar("enum_value", entries, "name", f"a value of {what}")
            value = self.scalar("enum_value", entries, "value", f"a value of {what}")
            desc = self.scalar("enum_value", entries, "description", f"a value of {what}")
            if name is None or value is None or desc is None:
                ok = False
                continue
            if value < 0 or value >= 1 << 64:
                self.error(entries["value"].pos, f"{what}: value {name} = {value} is outside 0..2^64-1")
                ok = False
                continue
            if width is not None and value >= 1 << width:
                self.error(entries["value"].pos,
                           f"{what}: value {name} = {value} does not fit in {width} bit(s) (max {(1 << width) - 1})")
                ok = False
                continue
            if value > ENUM_CONSTANT_MAX:
                self.error(entries["value"].pos, f"{what}: value {name} = {self.hex(value)} is above "
                                                 f"{self.hex(ENUM_CONSTANT_MAX)}, the largest C enum constant")
                ok = False
                continue
            out.append((name, value, desc, item.pos, entries["value"].pos))
        if not self.unique([(v[0], v[3]) for v in out], f"name in {what}"):
            ok = False  # else an inline enum, checked once and built once per register, says it again
        seen: Dict[int, str] = {}
        for name, value, _, _, value_pos in out:
            if value in seen:
                self.error(value_pos, f"{what}: duplicate value {value} ({seen[value]} and {name})")
                ok = False
            else:
                seen[value] = name
        if not ok:
            return None
        return tuple(EnumValue(name, value, desc, naming.enum_value_names(prefix, name))
                     for name, value, desc, _, _ in out)

    def layouts(self, tops: List[Dict[str, Node]], enums: Dict[str, Enum]) -> Dict[str, Optional[List[_FieldDraft]]]:
        """Shared field lists; a layout with errors maps to None (its users add no second error)."""
        out: Dict[str, Optional[List[_FieldDraft]]] = {}
        positions: Dict[str, Position] = {}
        for top in tops:
            for name, key_pos, node in self.map_of(top, "layouts", "layout"):
                if not self.identifier(name, key_pos, "layout name"):
                    continue
                if name in out:
                    self.error(key_pos, f"duplicate layout name '{name}' (first at "
                                        f"{self.where(positions[name], key_pos)})")
                    continue
                positions[name] = key_pos
                what = f"layout {name}"
                entries = self.record("layout", node, what)
                if entries is None:
                    out[name] = None
                    continue
                self.scalar("layout", entries, "description", what)
                out[name] = self.field_drafts(entries, enums, what) if "fields" in entries else None
        return out

    # ---- registers ------------------------------------------------------------

    def msr(self, node: Node, enums: Dict[str, Enum],
            layouts: Dict[str, Optional[List[_FieldDraft]]]) -> Optional[Dict[str, Any]]:
        name_node = node.entries.get("name", (None, None))[1] if node.kind == "map" else None
        label = name_node.value if name_node is not None and isinstance(name_node.value, str) else None
        what = f"MSR {label}" if label else "an MSR"
        entries = self.record("msr", node, what)
        if entries is None:
            return None
        out: Dict[str, Any] = {"_pos": node.pos}
        attribute_keys = {a.key for a in schema.MSR_ATTRIBUTES}  # checked by attributes(), below
        for key in schema.RECORDS["msr"]:
            if key.name not in attribute_keys and key.type in (schema.INT, schema.STR, schema.IDENT, schema.NAME_PATTERN, schema.STR_LIST,
                            schema.VENDOR_LIST, schema.CATEGORY, schema.WORDS):
                out[key.name] = self.scalar("msr", entries, key.name, what)
        for alias_node in (entries["aliases"].items if "aliases" in entries and entries["aliases"].kind == "list"
                           else []):
            if isinstance(alias_node.value, str):
                self.alias(alias_node, entries, what)
        if "vendors" in entries and out["vendors"] == []:
            self.error(entries["vendors"].pos, f"'vendors' of {what} must name at least one vendor")
            out["vendors"] = None
        out["present_if"] = self.condition(entries["present_if"], what) if "present_if" in entries else None
        address = out["address"]
        if address is not None and not 0 <= address < ADDRESS_LIMIT:
            self.error(entries["address"].pos, f"address {self.hex(address)} of {what} does not fit in 32 bits")
            out["address"] = None
        self.array(out, entries, what)
        attributes = self.attributes("msr", entries, what)
        out["_flags"], out["_values"] = attributes if attributes is not None else (frozenset(), {})
        out["fields"] = self.msr_fields(entries, out, enums, layouts, what)
        if attributes is None:
            return None
        if out["fields"] is not None and not self.register_attributes_fit(out, what):
            return None
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

    def register_attributes_fit(self, msr: Dict[str, Any], what: str) -> bool:
        """A register attribute that names a field names one of the register's own."""
        for a in schema.MSR_ATTRIBUTES:
            if a.value != schema.LOCK or a.key not in msr["_values"]:
                continue
            name, _, pos = msr["_values"][a.key]
            field = next((f for f in msr["fields"] if f.name == name), None)
            if field is None:
                self.error(pos, f"'{a.key}' of {what} names '{name}', which is not a field of the register")
                return False
            if a.one_bit and field.msb != field.lsb:
                self.error(pos, f"'{a.key}' of {what} names {name}, which is {field.msb - field.lsb + 1} bits wide; "
                                f"a lock field is one bit")
                return False
        return True

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

    # ---- presence conditions ------------------------------------------------------

    def condition(self, node: Node, what: str) -> Optional[Condition]:
        """A condition tree; MSR names are resolved later (resolve_conditions)."""
        cwhat = what if what.startswith("the condition of ") else f"a presence condition of {what}"
        if node.kind != "map":
            self.error(node.pos, f"{cwhat} must be a mapping, not {node.describe()}")
            return None
        kind = next((rec for key, rec in schema.CONDITION_RECORDS if key in node.entries), None)
        if kind is None:
            keys = ", ".join(key for key, _ in schema.CONDITION_RECORDS)
            self.error(node.pos, f"{cwhat} must hold one of the keys {keys}")
            return None
        entries = self.record(kind, node, cwhat)
        if entries is None or any(k.required and k.name not in entries for k in schema.RECORDS[kind]):
            return None  # a missing key is reported; checking the rest would only repeat it
        cond_kind = schema.CONDITION_KIND_OF_RECORD[kind]
        if cond_kind == "not":
            child = self.condition(entries["not"], what)
            return None if child is None else Condition("not", node.pos, children=(child,))
        if cond_kind in ("any_of", "all_of"):
            items = self.list_of(entries, cond_kind, cwhat)
            if not items and entries[cond_kind].kind == "list":
                self.error(node.pos, f"'{cond_kind}' of {what} must list at least one condition")
                return None
            children = [self.condition(item, what) for item in items]
            if not items or any(c is None for c in children):
                return None
            return Condition(cond_kind, node.pos, children=tuple(children))
        if cond_kind == "context":
            context = self.scalar(kind, entries, "context", cwhat)
            return None if context is None else Condition("context", node.pos, context=context)
        if cond_kind == "index":
            index = self.scalar(kind, entries, "index", cwhat)
            if index is None:
                return None
            if index < 0:
                self.error(entries["index"].pos, f"{cwhat}: index {index} is negative")
                return None
            return Condition("index", node.pos, compare="equals", operand=index)
        if cond_kind == "family":
            family = self.scalar(kind, entries, "family", cwhat)
            models = self.scalar(kind, entries, "models", cwhat)
            if family is None or models is None:
                return None
            if not 0 <= family <= 0x10E:
                self.error(entries["family"].pos, f"{cwhat}: family {self.hex(family)} is outside 0..0x10E")
                return None
            for m, item in zip(models, entries["models"].items if "models" in entries else []):
                if not 0 <= m <= 0xFF:
                    self.error(item.pos, f"{cwhat}: model {self.hex(m)} is outside 0..0xFF")
                    return None
            return Condition("family", node.pos, family=family, models=tuple(models))
        values = {k.name: self.scalar(kind, entries, k.name, cwhat) for k in schema.RECORDS[kind]}
        if any(values[k] is None and k in entries for k in values):
            return None
        width = 32 if cond_kind == "cpuid" else 64
        if cond_kind == "cpuid":
            for key in ("leaf", "subleaf"):
                if not 0 <= values[key] < ADDRESS_LIMIT:
                    self.error(entries[key].pos, f"{cwhat}: {key} {self.hex(values[key])} does not fit in 32 bits")
                    return None
        has_bit, has_bits = "bit" in entries, "bits" in entries
        if has_bit == has_bits:
            self.error(node.pos, f"{cwhat} must give exactly one of 'bit' and 'bits'")
            return None
        bit_is_index = False
        if has_bit:
            bit = values["bit"]
            if bit == INDEX:
                bit_is_index, msb, lsb = True, 0, 0
            elif not 0 <= bit < width:
                self.error(entries["bit"].pos, f"{cwhat}: bit {bit} is outside 0..{width - 1}")
                return None
            else:
                msb = lsb = bit
        else:
            msb, lsb = values["bits"]
            if msb >= width:
                self.error(entries["bits"].pos, f"{cwhat}: bit {msb} is outside 0..{width - 1}")
                return None
        compares = sorted((k for k in schema.COMPARISON_KEYS if k in entries), key=lambda k: entries[k].pos)
        if len(compares) > 1:
            self.error(entries[compares[1]].pos, f"{cwhat} compares twice ('{compares[0]}' and '{compares[1]}')")
            return None
        compare, operand, operand_is_index = "nonzero", 0, False
        if compares:
            compare = compares[0]
            operand = values[compare]
            if operand == INDEX:
                operand, operand_is_index = 0, True
            else:
                limit = 1 << (1 if bit_is_index else msb - lsb + 1)
                if not 0 <= operand < limit:
                    self.error(entries[compare].pos, f"{cwhat}: {self.hex(operand)} does not fit in the "
                                                     f"{msb - lsb + 1 if not bit_is_index else 1} bit(s) tested")
                    return None
        common = dict(msb=msb, lsb=lsb, bit_is_index=bit_is_index, compare=compare, operand=operand,
                      operand_is_index=operand_is_index)
        if cond_kind == "cpuid":
            return Condition("cpuid", node.pos, leaf=values["leaf"], subleaf=values["subleaf"],
                             register=values["register"], **common)
        return Condition("msr", entries["msr"].pos, msr=values["msr"], **common)

    def resolve_conditions(self, drafts: List[Dict[str, Any]], declared: Set[str]) -> None:
        """Tie each MSR condition to its register: it must exist and not be an array;
        `n` only appears in conditions of arrays; no register's presence depends on itself."""
        by_name = {d["name"]: d for d in drafts}
        instances = {name: (address, d["name"]) for d in drafts if d["count"] is not None
                     for name, address in self.instances(d)}
        aliases = {a: d["name"] for d in drafts for a in d["aliases"] or []}
        # Names of MSRs with errors of their own (reported): a condition naming one adds none.
        broken = [re.compile(re.escape(n).replace(re.escape(ARRAY_PLACEHOLDER), "[0-9]+") + "$")
                  for n in declared - set(by_name) if ARRAY_PLACEHOLDER in n]

        def resolve(cond: Condition, owner: Dict[str, Any], what: str) -> Optional[Condition]:
            cwhat = what if what.startswith("the condition of ") else f"a presence condition of {what}"
            if cond.children:
                kids = [resolve(c, owner, what) for c in cond.children]
                return None if any(k is None for k in kids) else dataclasses.replace(cond, children=tuple(kids))
            target = by_name.get(cond.msr) if cond.kind == "msr" else None
            if target is not None and target["count"] is not None and owner["count"] is None:
                self.error(cond.position, f"{cwhat} names the array {cond.msr}; name one "
                                          f"instance, or use {{n}} in an array's condition")
                return None
            if cond.kind == "index" and (owner["count"] is None or cond.operand >= owner["count"]):
                has = "is not an array" if owner["count"] is None else f"has {owner['count']} instances"
                self.error(cond.position, f"{cwhat} names instance {cond.operand}, but {owner['name']} {has}")
                return None
            if cond.uses_index and owner["count"] is None:
                self.error(cond.position, f"{cwhat} uses n, but {owner['name']} is not an array")
                return None
            if cond.kind != "msr":
                return cond
            if target is not None and target["count"] is not None:
                if target["count"] < owner["count"]:
                    self.error(cond.position, f"{cwhat} names {cond.msr}, which has "
                                              f"{target['count']} instance(s), for each of the {owner['count']} "
                                              f"of {owner['name']}")
                    return None
                return dataclasses.replace(cond, msr_address=target["address"], msr_stride=target["stride"],
                                           msr_def=target["name"])
            if target is not None:
                return dataclasses.replace(cond, msr_address=target["address"], msr_def=target["name"])
            instance = instances.get(cond.msr)
            if instance is not None:
                return dataclasses.replace(cond, msr_address=instance[0], msr_def=instance[1])
            if cond.msr in aliases:
                self.error(cond.position, f"{cwhat} names '{cond.msr}', an alias of "
                                          f"{aliases[cond.msr]}; name the register by its name")
            elif cond.msr not in declared and not any(p.match(cond.msr) for p in broken):
                self.error(cond.position, f"{cwhat} names '{cond.msr}', which is not "
                                          f"an MSR of the spec")
            return None

        for d in drafts:
            if d["present_if"] is not None:
                d["present_if"] = resolve(d["present_if"], d, f"MSR {d['name']}") or None
                if d["present_if"] is None:
                    d["_bad"] = True
            for k, v in list(d["_values"].items()):
                if isinstance(v, Condition):
                    d["_values"][k] = resolve(v, d, f"the condition of '{k}' of MSR {d['name']}")
                    if d["_values"][k] is None:
                        d["_bad"] = True
            for f in d["fields"]:
                if f.present_if is not None:
                    f.present_if = resolve(f.present_if, d, f"field {f.name} of MSR {d['name']}")
                    if f.present_if is None:
                        d["_bad"] = True
                conditions = {k: v for k, v in f.values.items() if isinstance(v, Condition)}
                if conditions:  # a copy: a layout's drafts share their dict
                    f.values = dict(f.values, **{k: resolve(v, d, f"the condition of '{k}' of field {f.name} of "
                                                                  f"MSR {d['name']}")
                                                 for k, v in conditions.items()})
                    if any(f.values[k] is None for k in conditions):
                        d["_bad"] = True
        # A register whose presence hangs on itself, directly or through others, can never be read first.
        owner_of = {name: d["name"] for d in drafts for name, _ in self.instances(d)}
        owner_of.update((d["name"], d["name"]) for d in drafts)
        deps = {d["name"]: {owner_of.get(n, n) for n in d["present_if"].msr_names()} if d["present_if"] else set()
                for d in drafts}
        for d in drafts:
            if d["name"] in deps[d["name"]]:
                self.error(d["present_if"].position, f"the presence condition of MSR {d['name']} names the register "
                                                     f"itself")
                continue
            seen, stack = set(), list(deps.get(d["name"], ()))
            while stack:
                n = stack.pop()
                if n == d["name"]:
                    self.error(d["present_if"].position, f"the presence of MSR {d['name']} depends on itself "
                                                         f"(through the presence conditions of other MSRs)")
                    break
                if n not in seen:
                    seen.add(n)
                    stack.extend(deps.get(n, ()))

    def restore_orders(self, drafts: List[Dict[str, Any]], declared: Set[str]) -> None:
        """`restore_after` names other registers of the spec that are guest state carried no
        later than the register itself, and the constraints have no cycle."""
        by_name = {d["name"]: d for d in drafts}
        aliases = {a: d["name"] for d in drafts for a in d["aliases"] or []}
        rank = {c.name: i for i, c in enumerate(schema.GUEST_STATES)}
        after: Dict[str, List[str]] = {}
        for d in drafts:
            value = d["_values"].get("restore_after")
            if value is None:
                continue
            names, _, positions = value
            what = f"'restore_after' of MSR {d['name']}"
            mine = d["_values"].get("guest_state")
            for name, pos in zip(names, positions):
                target = by_name.get(name)
                if name == d["name"]:
                    self.error(pos, f"{what} names the register itself")
                elif target is None:
                    if name in aliases:
                        self.error(pos, f"{what} names '{name}', an alias of {aliases[name]}; name the register "
                                        f"by its name")
                    elif name not in declared:
                        self.error(pos, f"{what} names '{name}', which is not an MSR of the spec (an array by its "
                                        f"{{n}} name)")
                    d["_bad"] = True
                    continue
                elif "guest_state" not in target["_values"]:
                    self.error(pos, f"{what} names {name}, which is no guest state")
                elif mine in rank and rank[target["_values"]["guest_state"]] > rank[mine]:
                    self.error(pos, f"{what} names {name}, carried in '{target['_values']['guest_state']}', which "
                                    f"a restore sets after '{mine}'")
                else:
                    after.setdefault(d["name"], []).append(name)
                    continue
                d["_bad"] = True
        # No cycle: a register can never be restored after itself.
        state: Dict[str, int] = {}  # 1: on the path, 2: done

        def visit(name: str, path: List[str]) -> None:
            state[name] = 1
            for n in after.get(name, ()):
                if state.get(n) == 1:  # n is on the path: the edges from n back to n are a cycle
                    cycle = path[path.index(n):] + [n]
                    names, _, positions = by_name[cycle[0]]["_values"]["restore_after"]
                    self.error(positions[names.index(cycle[1])],
                               "'restore_after' makes a cycle: " + " after ".join(cycle))
                    by_name[cycle[0]]["_bad"] = True
                elif state.get(n) is None:
                    visit(n, path + [n])
            state[name] = 2

        for name in after:
            if state.get(name) is None:
                visit(name, [name])

    # ---- fields --------------------------------------------------------------------

    def msr_fields(self, entries: Dict[str, Node], msr: Dict[str, Any], enums: Dict[str, Enum],
                   layouts: Dict[str, Optional[List[_FieldDraft]]], what: str) -> Optional[List[_FieldDraft]]:
        layout_name = msr["layout"]  # checked with the register's other keys
        if "layout" in entries:
            if "fields" in entries:
                self.error(entries["layout"].pos, f"{what} has both 'layout' and 'fields'; give one")
                return None
            if layout_name is None:
                return None
            if layout_name not in layouts:
                known = ", ".join(layouts) or "none"
                self.error(entries["layout"].pos, f"{what}: unknown layout '{layout_name}' (layouts: {known})")
                return None
            drafts = layouts[layout_name]
            if drafts is None:
                return None
            if "layout_words" in entries and msr["layout_words"] is None:
                return None  # reported with the register's other keys
            drafts = self.worded(drafts, msr["layout_words"], entries, layout_name, what)
            if drafts is None:
                return None
            ok = all(self.field_fits_register(d, msr, what) for d in drafts)
            return drafts if ok else None
        if "layout_words" in entries:
            self.error(entries["layout_words"].pos, f"{what} has 'layout_words' but no 'layout'")
            return None
        drafts = self.field_drafts(entries, enums, what)
        if drafts is None:
            return None
        ok = all(self.field_fits_register(d, msr, what) for d in drafts)
        return drafts if ok else None

    def worded(self, drafts: List[_FieldDraft], words: Optional[Dict[str, Tuple[str, Position]]],
               entries: Dict[str, Node], layout: str, what: str) -> Optional[List[_FieldDraft]]:
        """Copies of a layout's fields for one register, the placeholders of their
        descriptions filled with the register's words."""
        words = words or {}
        used = []
        for d in drafts:
            used += [w for w in PLACEHOLDER_RE.findall(d.description) if w not in used]
        missing = [w for w in used if w not in words]
        if missing:
            self.error(entries["layout"].pos, f"{what} uses layout {layout}, whose descriptions need the word "
                                              f"'{missing[0]}': give it under 'layout_words'")
            return None
        for w, (_, pos) in words.items():
            if w not in used:
                self.error(pos, f"{what}: layout {layout} has no placeholder {{{w}}} in its descriptions")
                return None

        def fill(text: str) -> str:
            return PLACEHOLDER_RE.sub(lambda m: words[m.group(1)][0], text)

        return [dataclasses.replace(d, description=fill(d.description)) for d in drafts]

    def field_drafts(self, entries: Dict[str, Node], enums: Dict[str, Enum], what: str) -> Optional[List[_FieldDraft]]:
        out = []
        ok = True
        for node in self.list_of(entries, "fields", what):
            f = self.field(node, enums, what)
            if f is None:
                ok = False
            else:
                out.append(f)
        self.unique([(f.name, f.pos) for f in out], f"field name in {what}")
        owner: Dict[int, _FieldDraft] = {}
        for f in out:
            for bit in range(f.lsb, f.msb + 1):
                if bit in owner:
                    self.error(f.bits_pos, f"field {f.name} overlaps {owner[bit].name} at bit {bit} ({what})")
                    ok = False
                    break
            else:
                for bit in range(f.lsb, f.msb + 1):
                    owner[bit] = f
        return out if ok else None

    def field(self, node: Node, enums: Dict[str, Enum], what: str) -> Optional[_FieldDraft]:
        label = node.entries.get("name", (None, None))[1] if node.kind == "map" else None
        fname = label.value if label is not None and isinstance(label.value, str) else None
        fwhat = f"field {fname} of {what}" if fname else f"a field of {what}"
        entries = self.record("field", node, fwhat)
        if entries is None:
            return None
        simple = ("name", "bits", "access", "description", "reset", "vendors")
        out = {k: self.scalar("field", entries, k, fwhat) for k in simple}
        if out["name"] is not None and RESERVED_MEMBER_RE.match(out["name"].lower()):
            self.error(entries["name"].pos, f"{fwhat}: the name '{out['name']}' is reserved for the generated union")
            return None
        present_if = self.condition(entries["present_if"], fwhat) if "present_if" in entries else None
        if any(out[k] is None for k in ("name", "bits", "description")):
            return None
        if any(k in entries and out[k] is None for k in ("access", "reset", "vendors")):
            return None
        attributes = self.attributes("field", entries, fwhat)
        if attributes is None:
            return None
        flags, attr_values = attributes
        if "present_if" in entries and present_if is None:
            return None
        if out["vendors"] == []:
            self.error(entries["vendors"].pos, f"'vendors' of {fwhat} must name at least one vendor")
            return None
        msb, lsb = out["bits"]
        width = msb - lsb + 1
        if out["reset"] is not None and not 0 <= out["reset"] < 1 << width:
            self.error(entries["reset"].pos,
                       f"{fwhat}: reset {self.hex(out['reset'])} does not fit in {width} bit(s) (max {self.hex((1 << width) - 1)})")
            return None
        enum: Any = None
        enum_node = entries.get("enum")
        if enum_node is not None:
            if enum_node.kind == "scalar" and isinstance(enum_node.value, str):
                if enum_node.value in self.broken_enums:
                    return None
                if enum_node.value not in enums:
                    known = ", ".join(enums) or "none"
                    self.error(enum_node.pos, f"{fwhat}: unknown enum '{enum_node.value}' (shared enums: {known})")
                    return None
                shared = enums[enum_node.value]
                too_big = [v for v in shared.values if v.value >= 1 << width]
                if too_big:
                    v = too_big[0]
                    self.error(enum_node.pos, f"{fwhat}: enum {enum_node.value} value {v.name} = {v.value} "
                                              f"does not fit in {width} bit(s) (max {(1 << width) - 1})")
                    return None
                enum = shared
            elif enum_node.kind == "list":
                enum = ("inline", enum_node, f"the enum of {fwhat}", width)
                # checked here so the messages come in file order; rebuilt per register (names differ)
                if self.enum_values(enum_node, f"the enum of {fwhat}", width, "probe") is None:
                    return None
            else:
                self.error(enum_node.pos, f"'enum' of {fwhat} must name a shared enum or list values, "
                                          f"not {enum_node.describe()}")
                return None
        return _FieldDraft(name=out["name"], msb=msb, lsb=lsb, access=out["access"], description=out["description"],
                           enum=enum, reset=out["reset"], vendors=out["vendors"], present_if=present_if,
                           flags=flags, values=attr_values, pos=node.pos,
                           name_pos=entries["name"].pos,
                           bits_pos=entries["bits"].pos,
                           access_pos=entries["access"].pos if "access" in entries else None,
                           vendors_pos=entries["vendors"].pos if "vendors" in entries else None)

    def attributes(self, kind: str, entries: Dict[str, Node],
                   what: str) -> Optional[Tuple[FrozenSet[str], Dict[str, Any]]]:
        """The attributes (schema.ATTRIBUTES_OF[kind]) an entry sets and the values of
        those that carry one, checked against each other and the entry's other keys as
        the declarations say; None after an error."""
        declared = schema.ATTRIBUTES_OF[kind]
        values: Dict[str, Any] = {}
        for a in declared:
            node = entries.get(a.key)
            values[a.key] = None if node is None else self.attribute_value(kind, a, node, what)
            if node is not None and values[a.key] is None:
                return None
        flags = frozenset(a.key for a in declared if values[a.key] not in (None, False))
        for a in declared:
            if a.key not in flags:
                continue
            said = [k for k in a.excludes if k in entries and (k not in values or k in flags)]
            if said:
                self.error(entries[said[0]].pos, f"{what} {a.phrase}, so it has no '{said[0]}'")
                return None
            missing = [k for k in a.needs if k not in entries]
            if missing:
                self.error(entries[a.key].pos, f"{what}: '{a.key}' needs '{missing[0]}' ({a.needs_why})")
                return None
        return flags, {a.key: values[a.key] for a in declared if a.key in flags and a.value != schema.FLAG}

    def attribute_value(self, kind: str, a: schema.Attribute, node: Node, what: str) -> Any:
        """An attribute's value as its declaration types it (schema.FLAG ...); None after an error."""
        awhat = f"'{a.key}' of {what}"
        if a.value == schema.FLAG:
            return self.scalar(kind, {a.key: node}, a.key, what)
        if a.value == schema.FLAG_OR_VENDORS:
            if node.kind == "scalar" and isinstance(node.value, bool):
                return () if node.value else False
            if node.kind != "list":
                self.error(node.pos, f"{awhat} must be true, false or a list of vendor names, not {node.describe()}")
                return None
            vendors = self.typed(schema.VENDOR_LIST, node, awhat)
            if vendors == []:
                self.error(node.pos, f"{awhat} must name at least one vendor (or be true or false)")
                return None
            return None if vendors is None else tuple(vendors)
        if a.value == schema.RULE_CONDITION:
            return self.condition(node, f"the condition of {awhat}")
        if a.value == schema.LOCK:
            entries = self.record("lock", node, awhat)
            if entries is None:
                return None
            field = self.scalar("lock", entries, "field", awhat)
            writes = self.scalar("lock", entries, "writes", awhat)
            if field is None or writes is None:
                return None
            return (field, writes, entries["field"].pos)
        if a.value == schema.CHOICE:
            return self.scalar(kind, {a.key: node}, a.key, what)
        if a.value == schema.REGISTERS:
            entries = self.record("registers", node, awhat)
            if entries is None:
                return None
            names = self.scalar("registers", entries, "msrs", awhat)
            why = self.scalar("registers", entries, "why", awhat)
            if names is None or why is None:
                return None
            if not names:
                self.error(entries["msrs"].pos, f"'msrs' of {awhat} must name at least one register")
                return None
            return (tuple(names), " ".join(why.split()), tuple(item.pos for item in entries["msrs"].items))
        raise AssertionError(a.value)

    def field_fits_register(self, f: _FieldDraft, msr: Dict[str, Any], what: str) -> bool:
        fwhat = f"field {f.name} of {what}"
        reg_access = msr.get("access")
        access = f.access or reg_access
        if reg_access is not None and access not in schema.FIELD_ACCESS_ALLOWED[reg_access]:
            allowed = ", ".join(schema.FIELD_ACCESS_ALLOWED[reg_access])
            self.error(f.access_pos or f.pos, f"{fwhat} is '{access}' but the register is '{reg_access}' "
                                              f"(allowed: {allowed})")
            return False
        if access is not None and access in schema.ACCESS_MODES and not schema.ACCESS_MODES[access][0]:
            for a in schema.FIELD_ATTRIBUTES:
                if a.readable and a.key in f.flags:
                    self.error(f.access_pos or f.pos, f"{fwhat} {a.phrase}, so it must be readable (it is '{access}')")
                    return False
        if f.vendors and msr.get("vendors"):
            extra = [v for v in f.vendors if v not in msr["vendors"]]
            if extra:
                self.error(f.vendors_pos or f.pos, f"{fwhat} lists vendor {', '.join(extra)}, which the register "
                                                   f"does not")
                return False
        for a in schema.FIELD_ATTRIBUTES:
            if a.register_needs and a.key in f.flags:
                key, values = a.register_needs
                if msr.get("_values", {}).get(key) not in values:
                    said = " or ".join(f"'{key}: {v}'" for v in values)
                    self.error(f.pos, f"{fwhat} {a.phrase}, so the register must have {said}")
                    return False
        for a in schema.FIELD_ATTRIBUTES:
            listed = f.values.get(a.key) if a.value == schema.FLAG_OR_VENDORS else None
            if listed and msr.get("vendors"):
                extra = [v for v in listed if v not in (f.vendors or msr["vendors"])]
                if extra:
                    self.error(f.pos, f"'{a.key}' of {fwhat} lists vendor {', '.join(extra)}, which the field does "
                                      f"not have")
                    return False
        return True

    # ---- across registers ------------------------------------------------------------

    def cross_msr_checks(self, msrs: List[Dict[str, Any]], declared: Set[str]) -> None:
        """Names, aliases and addresses across the whole spec."""
        names: Dict[str, Dict[str, Any]] = {}
        for m in msrs:
            for label, pos in [(m["name"], m["_name_pos"])] + list(zip(m["aliases"] or [], m["_alias_pos"])):
                for n in self.instance_names(m, label):
                    if n in names and names[n] is not m:
                        self.error(pos, f"duplicate MSR name {n} (first at {self.where(names[n]['_pos'], pos)})")
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
            if common and m["present_if"] is None and other["present_if"] is None:
                self.error(m["_shares_pos"], f"MSR {m['name']} declares 'shares_address_with: {target}', but both "
                                             f"list vendor {', '.join(common)}; one register with two names is one "
                                             f"entry with 'aliases'")
            elif common and not exclusive(m["present_if"], other["present_if"]):
                self.error(m["_shares_pos"], f"MSR {m['name']} declares 'shares_address_with: {target}', and both "
                                             f"list vendor {', '.join(common)}, but their presence conditions do not "
                                             f"exclude each other by family and model")
        parent: Dict[int, Dict[str, Any]] = {}

        def group(x: Dict[str, Any]) -> Dict[str, Any]:
            """The representative of the registers linked by 'shares_address_with'."""
            while id(x) in parent and parent[id(x)] is not x:
                x = parent[id(x)]
            return x

        for m in msrs:
            if id(m) in shares:
                a, b = group(m), group(shares[id(m)])
                if a is not b:
                    parent[id(a)] = b
        by_address: Dict[int, List[Tuple[str, Dict[str, Any]]]] = {}
        for m in msrs:
            for inst_name, address in self.instances(m):
                clash = None
                for other_name, other in by_address.get(address, []):
                    if other is m:
                        self.error(m["_address_pos"], f"array {m['name']}: instances {other_name} and {inst_name} "
                                                      f"collide at {self.hex(address)}")
                        clash = "reported"
                        break
                    if shares.get(id(m)) is other or shares.get(id(other)) is m:
                        continue  # declared; checked above
                    if group(m) is group(other) and self.may_share(m, other):
                        continue  # both linked to registers at this address, and they may share it
                    clash = (other_name, other)
                    break
                if clash == "reported":
                    break
                if clash is not None:
                    other_name, other = clash
                    kind = f"array {m['name']}: instance {inst_name}" if m["count"] else inst_name
                    if group(m) is group(other):
                        self.error(m["_address_pos"],
                                   f"{kind} at {self.hex(address)} collides with {other_name} "
                                   f"({self.where(other['_pos'], m['_pos'])}): both list vendor "
                                   f"{', '.join(v for v in m['vendors'] if v in other['vendors'])} and their presence "
                                   f"conditions do not exclude each other by family and model")
                    else:
                        self.error(m["_address_pos"],
                                   f"{kind} at {self.hex(address)} collides with {other_name} "
                                   f"({self.where(other['_pos'], m['_pos'])}); one register with two names is one "
                                   f"entry with 'aliases'; vendor-specific registers declare 'shares_address_with'")
                    break
                by_address.setdefault(address, []).append((inst_name, m))

    @staticmethod
    def may_share(a: Dict[str, Any], b: Dict[str, Any]) -> bool:
        """Two registers may sit at one address: no common vendor, or exclusive by family and model."""
        return not set(a["vendors"]) & set(b["vendors"]) or exclusive(a["present_if"], b["present_if"])

    @staticmethod
    def instances(m: Dict[str, Any]) -> List[Tuple[str, int]]:
        if m["count"] is None:
            return [(m["name"], m["address"])]
        return [(naming.instance_name(m["name"], i), m["address"] + i * m["stride"]) for i in range(m["count"])]

    @staticmethod
    def instance_names(m: Dict[str, Any], pattern: str) -> List[str]:
        """Every name `pattern` (the MSR's name or an alias) gives its instances."""
        if m["count"] is None:
            return [pattern]
        return [naming.instance_name(pattern, i) for i in range(m["count"])] + [pattern]

    # ---- the model's registers ------------------------------------------------------------

    def build_msrs(self, drafts: List[Dict[str, Any]], enums: Dict[str, Enum]) -> List[Msr]:
        out = []
        for d in drafts:
            if d.get("_bad"):
                continue
            fields = []
            for f in sorted(d["fields"], key=lambda f: f.lsb):
                enum = f.enum
                if isinstance(enum, tuple):  # a field's own enum: named after the register and the field
                    _, node, what, width = enum
                    key = naming.field_enum_key(d["name"], f.name)
                    enum = Enum(key, f"Values of {d['name']}.{f.name}",
                                self.enum_values(node, what, width, naming.field_enum_prefix(d["name"], f.name)),
                                False, f.pos, naming.enum_names(key))
                vendors = tuple(v for v in d["vendors"] if v in f.vendors) if f.vendors else ()
                fields.append(Field(name=f.name, msb=f.msb, lsb=f.lsb, access=f.access or d["access"],
                                    description=f.description, enum=enum, reset=f.reset, vendors=vendors,
                                    present_if=f.present_if, flags=f.flags,
                                    values=tuple(sorted(f.values.items())),
                                    position=f.pos,
                                    names=naming.field_names(d["name"], f.name)))
            msr = Msr(name=d["name"], address=d["address"], category=d["category"], access=d["access"],
                      description=d["description"], vendors=tuple(d["vendors"]), ref=d["ref"],
                      aliases=tuple(d["aliases"]), present_if=d["present_if"], count=d["count"],
                      stride=d["stride"], layout=d["layout"], fields=tuple(fields), position=d["_pos"],
                      flags=d["_flags"], values=tuple(sorted((k, v[:2] if isinstance(v, tuple) else v)
                                                             for k, v in d["_values"].items())),
                      names=naming.msr_names(d["name"], d["access"], d["count"] is not None, d["category"],
                                             any(f.access == "rw1c" and f.writable for f in fields)))
            count = d["count"] if d["count"] is not None else 1
            instances = tuple(
                Instance(name=naming.instance_name(d["name"], i) if msr.is_array else d["name"],
                         address=d["address"] + i * d["stride"], index=i, msr=msr,
                         aliases=tuple(naming.instance_name(a, i) for a in msr.aliases))
                for i in range(count))
            object.__setattr__(msr, "instances", instances)
            out.append(msr)
        return out

    # ---- VMX control sets -----------------------------------------------------------------

    def control_sets(self, nodes: List[Node], msrs: List[Msr], declared: Set[str]) -> Tuple[ControlSet, ...]:
        drafts = [d for d in (self.control_set(n, msrs, declared) for n in nodes) if d]
        self.unique([(s["name"], s["_pos"]) for s in drafts], "VMX control set name")
        by_name = {s["name"]: s for s in drafts}
        set_names = {n.entries["name"][1].value for n in nodes if n.kind == "map" and "name" in n.entries}
        ok = len(drafts) == len(nodes)
        for s in drafts:
            ref = s["activated_by"]
            if ref is None:
                continue
            other = by_name.get(ref["set"])
            if other is None and ref["set"] in set_names:
                ok = False  # that set has errors of its own, already reported
            elif other is None or other is s:
                self.error(s["_act_pos"], f"'activated_by' of VMX control set {s['name']} names '{ref['set']}', "
                                          f"which is not another control set")
                ok = False
            elif not 0 <= ref["bit"] < other["width"]:
                self.error(s["_act_pos"], f"'activated_by' of VMX control set {s['name']}: bit {ref['bit']} is "
                                          f"outside 0..{other['width'] - 1}")
                ok = False
            elif other["activated_by"] is not None:  # msr_vmx_controls_adjust() settles parents first, in one pass
                self.error(s["_act_pos"], f"'activated_by' of VMX control set {s['name']} names '{ref['set']}', "
                                          f"which is itself activated by '{other['activated_by']['set']}'; a set "
                                          f"activated by another must be activated by a set that is always on")
                ok = False
        if not ok:
            return ()
        by_msr = {m.name: m for m in msrs}
        return tuple(
            ControlSet(name=s["name"], description=s["description"], width=s["width"],
                       capability=by_msr[s["capability"]],
                       true_capability=by_msr[s["true_capability"]] if s["true_capability"] else None,
                       activated_by=(s["activated_by"]["set"], s["activated_by"]["bit"]) if s["activated_by"] else None,
                       bits=tuple(sorted((ControlBit(b["bit"], b["name"], b["description"],
                                                     naming.control_bit_names(s["name"], b["name"]))
                                          for b in s["bits"]), key=lambda b: b.bit)),
                       index=i, position=s["_pos"], names=naming.control_set_names(s["name"]))
            for i, s in enumerate(drafts))

    def control_set(self, node: Node, msrs: List[Msr], declared: Set[str]) -> Optional[Dict[str, Any]]:
        label = node.entries.get("name", (None, None))[1] if node.kind == "map" else None
        what = f"VMX control set {label.value}" if label is not None and isinstance(label.value, str) else \
            "a VMX control set"
        entries = self.record("control_set", node, what)
        if entries is None:
            return None
        out = {k.name: self.scalar("control_set", entries, k.name, what)
               for k in schema.RECORDS["control_set"] if k.name not in ("bits", "activated_by")}
        out["_pos"] = node.pos
        names = {m.name: m for m in msrs}
        ok = all(out[k] is not None for k in ("name", "description", "width", "capability"))
        if out["width"] is not None and out["width"] not in (32, 64):
            self.error(entries["width"].pos, f"'width' of {what} must be 32 or 64, not {out['width']}")
            ok = False
        for key in ("capability", "true_capability"):
            if out[key] is not None and out[key] not in names:
                if out[key] not in declared:  # else that MSR has errors of its own, already reported
                    self.error(entries[key].pos, f"'{key}' of {what} names '{out[key]}', which is not an MSR of the spec")
                ok = False
        out["activated_by"] = None
        if "activated_by" in entries:
            awhat = f"'activated_by' of {what}"
            aentries = self.record("control_ref", entries["activated_by"], awhat)
            if aentries is None:
                ok = False
            else:
                ref = {k.name: self.scalar("control_ref", aentries, k.name, awhat) for k in schema.RECORDS["control_ref"]}
                if any(v is None for v in ref.values()):
                    ok = False
                else:
                    out["activated_by"] = ref
                    out["_act_pos"] = entries["activated_by"].pos
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


def validate(roots: List[Node]) -> Tuple[Optional[Model], List[SpecError]]:
    """The model of the spec made of `roots` (base first, then overlays), or None
    and every error found."""
    v = Validator()
    model = v.spec(roots)
    return model, v.errors
