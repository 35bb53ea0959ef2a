"""What the generated C tables hold, cell by cell and byte by byte, derived from
the model once (the templates print it and compute nothing).

Checks (msr_table.c, x86msr/meta.h): each register definition is one record,
an array of cells: cell 0 the definition, cell 1 its masks, one cell per field,
then the nodes of its presence conditions (the register's first, then each
field's, each followed by the cells holding its family's models), then the
values of its strict enumerations, then the conditions of its fields' rules
(`writable_if`), then the addresses of the registers it names (`restore_after`). References are cell numbers within the record; 0 means none.

Text (msr_text.c): every name, description and reference in one pool of rows
of at most TEXT_ROW bytes (ISO C's minimum for a string literal is 4095), each
string whole within a row; tables give offsets into the pool.
"""

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Dict, List, Optional, Tuple

from .model import Condition, Field, Model, Msr
from .schema import CHOICE, CLOSED_ENUMS, REGISTERS, RULE_CONDITION

CELL_MODELS = 40   # MSR_CELL_MODELS: family models per cell
CELL_VALUES = 5    # MSR_CELL_VALUES: strict-enum values per cell
CELL_ADDRESSES = 10  # MSR_CELL_ADDRESSES: register addresses per cell
TEXT_ROW = 4096    # bytes per row of the text pool (a row's literal has at most 4095 characters)
FIRST_FIELD_CELL = 2


@dataclass(frozen=True)
class Cell:
    kind: str                          # def | masks | field | cond | models | values
    field: Optional[Field] = None      # field: the field
    cond: Optional[Condition] = None   # cond: the node
    size: int = 0                      # cond: cells of its subtree
    present_if: int = 0                # def, field: the cell of its condition
    values_at: int = 0                 # field: the cell of its strict values
    rule_cells: Tuple[Tuple[str, int], ...] = ()  # def, field: (attribute, cell) of its condition-valued attributes
    members: Tuple[Tuple[str, Any], ...] = ()     # def, field: (member, value) of its other valued attributes
    items: Tuple[int, ...] = ()        # models, values, addresses: the bytes / numbers the cell holds
    note: str = ""                     # the comment of the row: what the cell is


def _cond_cells(cond: Condition) -> int:
    models = -(-len(cond.models) // CELL_MODELS) if cond.kind == "family" else 0
    return 1 + models + sum(_cond_cells(c) for c in cond.children)


def _emit_condition(cond: Condition, out: List[Cell], note: str) -> None:
    out.append(Cell("cond", cond=cond, size=_cond_cells(cond), note=note))
    if cond.kind == "family":
        for i in range(0, len(cond.models), CELL_MODELS):
            out.append(Cell("models", items=cond.models[i:i + CELL_MODELS], note="models"))
    for c in cond.children:
        _emit_condition(c, out, "")


@dataclass(frozen=True)
class Record:
    """One register definition's check record."""

    msr: Msr
    id: int
    cells: Tuple[Cell, ...]

    @staticmethod
    def of(msr: Msr, ident: int, constants: Dict[str, Dict[str, str]], addresses: Dict[str, int]) -> "Record":
        """`constants`: closed enumeration -> member -> C constant; `addresses`: register name -> address."""
        fields = msr.fields
        tail: List[Cell] = []
        first_tail = FIRST_FIELD_CELL + len(fields)
        reg_cond = 0
        if msr.present_if is not None:
            reg_cond = first_tail
            _emit_condition(msr.present_if, tail, "present_if")
        field_cond: Dict[int, int] = {}
        for i, f in enumerate(fields):
            if f.present_if is not None:
                field_cond[i] = first_tail + len(tail)
                _emit_condition(f.present_if, tail, f"present_if of {f.name}")
        field_values: Dict[int, int] = {}
        for i, f in enumerate(fields):
            if f.has("strict_enum"):
                field_values[i] = first_tail + len(tail)
                values = tuple(v.value for v in f.enum.values)
                for k in range(0, len(values), CELL_VALUES):
                    tail.append(Cell("values", items=values[k:k + CELL_VALUES], note=f"values of {f.name}"))
        rules: Dict[int, List[Tuple[str, int]]] = {}
        for i, f in enumerate(fields):
            for a in f.attributes:
                if a.value == RULE_CONDITION:
                    rules.setdefault(i, []).append((a.key, first_tail + len(tail)))
                    _emit_condition(f.value(a.key), tail, f"{a.key} of {f.name}")
        reg_rules: List[Tuple[str, int]] = []
        for a in msr.attributes:
            if a.value == RULE_CONDITION:
                reg_rules.append((a.key, first_tail + len(tail)))
                _emit_condition(msr.value(a.key), tail, a.key)
        reg_members: List[Tuple[str, Any]] = []
        for a in msr.attributes:
            if a.value == CHOICE:
                reg_members.append((a.member, constants[a.choices][msr.value(a.key)]))
            elif a.value == REGISTERS:
                named = tuple(addresses[n] for n in msr.value(a.key)[0])
                reg_members += [(a.member, first_tail + len(tail)), (a.member + "_count", len(named))]
                for k in range(0, len(named), CELL_ADDRESSES):
                    tail.append(Cell("addresses", items=named[k:k + CELL_ADDRESSES], note=a.key))

        def field_members(f: Field) -> Tuple[Tuple[str, Any], ...]:
            return tuple((a.member, constants[a.choices][f.value(a.key)]) for a in f.attributes if a.value == CHOICE)

        head = [Cell("def", present_if=reg_cond, rule_cells=tuple(reg_rules), members=tuple(reg_members)),
                Cell("masks")]
        body = [Cell("field", field=f, present_if=field_cond.get(i, 0), values_at=field_values.get(i, 0),
                     rule_cells=tuple(rules.get(i, ())), members=field_members(f), note=f.name)
                for i, f in enumerate(fields)]
        return Record(msr, ident, tuple(head + body + tail))


def _restore_why(m: Msr) -> str:
    """Why the register is restored after the ones its restore_after names ("" without one)."""
    return m.value("restore_after")[1] if m.has("restore_after") else ""


@dataclass(frozen=True)
class TextPool:
    """Strings packed into rows; offset() of each string (equal strings are stored once)."""

    rows: Tuple[Tuple[str, ...], ...]
    offsets: Dict[str, int]

    @staticmethod
    def of(strings: List[str]) -> "TextPool":
        rows: List[List[str]] = [[]]
        used = 0
        offsets: Dict[str, int] = {}
        for s in strings:
            if s in offsets:
                continue
            size = len(s.encode("utf-8")) + 1
            if size > TEXT_ROW - 1:
                raise ValueError(f"a text of {size} bytes does not fit a row of the text pool")
            if used + size > TEXT_ROW - 1:  # the row's literal keeps one byte for its own terminator
                rows.append([])
                used = 0
            offsets[s] = (len(rows) - 1) * TEXT_ROW + used
            rows[-1].append(s)
            used += size
        return TextPool(tuple(tuple(r) for r in rows), offsets)

    def offset(self, s: str) -> int:
        return self.offsets[s]


@dataclass(frozen=True)
class DefText:
    name: int
    description: int
    ref: int
    first_field: int
    spec_line: int
    restore_why: int


@dataclass(frozen=True)
class FieldText:
    name: int
    description: int
    first_enum: int
    enum_count: int


@dataclass(frozen=True)
class EnumText:
    value: int
    name: int
    description: int


@dataclass(frozen=True)
class InstanceText:
    name: int
    first_alias: int
    alias_count: int


@dataclass
class Tables:
    """Everything the two table files print."""

    model: Model
    records: Tuple[Record, ...] = ()
    pool: Optional[TextPool] = None
    def_text: Tuple[DefText, ...] = ()
    field_text: Tuple[FieldText, ...] = ()
    enum_text: Tuple[EnumText, ...] = ()
    instance_text: Tuple[InstanceText, ...] = ()
    aliases: Tuple[int, ...] = ()
    instances: Tuple[Any, ...] = ()    # model.Instance, ascending address then name
    def_id: Dict[str, int] = field(default_factory=dict)

    @staticmethod
    def of(model: Model) -> "Tables":
        t = Tables(model)
        constants = {key: dict(zip(CLOSED_ENUMS[key][0], e.constants)) for key, e in model.names.schema_enums}
        addresses = {m.name: m.address for m in model.msrs}
        t.records = tuple(Record.of(m, i, constants, addresses) for i, m in enumerate(model.msrs))
        t.def_id = {m.name: i for i, m in enumerate(model.msrs)}
        t.instances = model.instances
        strings: List[str] = []
        for m in model.msrs:
            strings += [m.name, m.description, m.ref, _restore_why(m)]
            for f in m.fields:
                strings += [f.name, f.description]
                if f.enum is not None:
                    for v in f.enum.values:
                        strings += [v.name, v.description]
        for i in t.instances:
            strings += [i.name, *i.aliases]
        pool = TextPool.of(strings)
        t.pool = pool
        defs, fields, enums = [], [], []
        for m in model.msrs:
            defs.append(DefText(pool.offset(m.name), pool.offset(m.description), pool.offset(m.ref), len(fields),
                                m.position.line, pool.offset(_restore_why(m))))
            for f in m.fields:
                values = f.enum.values if f.enum is not None else ()
                fields.append(FieldText(pool.offset(f.name), pool.offset(f.description), len(enums), len(values)))
                enums += [EnumText(v.value, pool.offset(v.name), pool.offset(v.description)) for v in values]
        t.def_text, t.field_text, t.enum_text = tuple(defs), tuple(fields), tuple(enums)
        aliases: List[int] = []
        inst_text = []
        for i in t.instances:
            inst_text.append(InstanceText(pool.offset(i.name), len(aliases), len(i.aliases)))
            aliases += [pool.offset(a) for a in i.aliases]
        t.instance_text, t.aliases = tuple(inst_text), tuple(aliases)
        return t
