"""The register reference: the model rendered as an HTML site and as Markdown.

    python3 -m codegen --spec spec/msrs.yaml --docs DIR

writes

    DIR/html/index.html          every register, searchable (names, aliases,
                                 addresses, field names; plain JavaScript)
    DIR/html/<category>.html     one page per category: per register its bit
                                 diagram (SVG), fields, presence, C names
    DIR/html/vmx-controls.html   the VMX control sets as tables
    DIR/html/style.css, search.js, search-index.js
    DIR/md/README.md, DIR/md/<category>.md, DIR/md/vmx-controls.md
    DIR/md/svg/<stem>.svg        the diagrams the Markdown pages show

The pages work from file:// with no network. This is a renderer beside the C
one (render.py), not part of it: the C output does not change when the docs do.
Templates (codegen/templates/docs/) read only the model and what this module
derives from it; the geometry of the bit diagrams is computed here, once, and
every C identifier they print comes from the model's `names` (naming.py).
"""

import json
import math
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import jinja2

from . import schema
from .model import Field, Model, Msr

TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates", "docs")

# ---- bit diagrams ------------------------------------------------------------------
# Geometry in SVG user units (px). Labels use a monospace font so their width
# is known here: H_CHAR px per character at H_SIZE (horizontal labels), V_CHAR at
# V_SIZE (labels standing on end in narrow boxes).
BIT = 24                 # one bit
MARGIN = 6
NUMBER_LINE = 15         # bit numbers above each row
ACCESS_LINE = 15         # access modes below each row
ROW_GAP = 8
H_SIZE, H_CHAR, H_LINE = 11, 6.7, 13
V_SIZE, V_CHAR, V_LINE = 10, 6.1, 11
MIN_BOX = 30             # box height when every label fits on one line
MAX_BOX = 180            # cap: longer labels are cut (the box's title has the whole name)
BITS_PER_ROW = 32

# Fill per access mode (schema.ACCESS_MODES); reserved bits are grey.
ACCESS_FILL = {"rw": "#cfe2ff", "ro": "#d5efcf", "wo": "#ffe1b8", "rw1c": "#ffd2d2", "rwo": "#e6d7fb"}
RESERVED_FILL = "#e4e4e4"


@dataclass(frozen=True)
class TextLine:
    text: str
    x: float
    y: float


@dataclass(frozen=True)
class Segment:
    """One box of a row: a field (or the part of it in this row) or a run of reserved bits."""

    kind: str                 # "field" | "reserved"
    field: Optional[Field]
    msb: int
    lsb: int
    x: float
    width: float
    lines: Tuple[TextLine, ...]   # the label, one or more lines ("" kinds have none)
    vertical: bool            # the label reads bottom to top (rotated about the box centre)
    title: str                # the box's accessible name
    access: str               # "" for reserved bits
    access_label: str         # what fits under the box
    fill: str
    conditional: bool         # the field exists only on some processors (vendors / present_if)
    cx: float = 0.0
    cy: float = 0.0

    @property
    def bits(self) -> str:
        return str(self.msb) if self.msb == self.lsb else f"{self.msb}:{self.lsb}"

    @property
    def font_size(self) -> int:
        return V_SIZE if self.vertical else H_SIZE


@dataclass(frozen=True)
class BitNumber:
    x: float
    text: str


@dataclass(frozen=True)
class Row:
    hi: int
    lo: int
    y: float                  # top of the bit-number line
    box_y: float
    box_height: float
    access_y: float           # baseline of the access line
    segments: Tuple[Segment, ...]
    numbers: Tuple[BitNumber, ...]


@dataclass(frozen=True)
class Diagram:
    id: str                   # unique per register (SVG title ids)
    register: str
    bits: int                 # 32 or 64: the width drawn
    width: float
    height: float
    rows: Tuple[Row, ...]
    title: str
    desc: str
    note: str                 # "bits 63:32 are reserved" for a 32-bit drawing, else ""

    @property
    def field_boxes(self) -> int:
        return sum(1 for r in self.rows for s in r.segments if s.kind == "field")

    @property
    def reserved_boxes(self) -> int:
        return sum(1 for r in self.rows for s in r.segments if s.kind == "reserved")


def diagram_bits(m: Msr) -> int:
    """32 when every field lies in bits 31:0 (the upper half is all reserved), else 64.
    The terminal diagram (src/tool/bit_diagram.c) draws the same width."""
    return 32 if m.fields and max(f.msb for f in m.fields) < 32 else 64


def _words(name: str) -> List[str]:
    """A name split after each underscore: SENTER_LOCAL -> SENTER_, LOCAL."""
    parts = name.split("_")
    return [p + "_" for p in parts[:-1]] + [parts[-1]]


def _wrap(words: List[str], limit: int) -> List[str]:
    """Greedy line filling; a word longer than `limit` gets a line of its own."""
    lines: List[str] = []
    for w in words:
        if lines and len(lines[-1]) + len(w) <= limit:
            lines[-1] += w
        else:
            lines.append(w)
    return lines


@dataclass(frozen=True)
class _Label:
    need: float               # box height this layout needs
    vertical: bool
    lines: Tuple[str, ...]


def _label_options(name: str, width: float) -> List[_Label]:
    """Ways to write `name` in a box `width` px wide, each with the box height it needs:
    on one line, wrapped at underscores (at most 3 lines), or on end in 1..k columns."""
    words = _words(name)
    out: List[_Label] = []
    per_line = int((width - 6) // H_CHAR)
    if per_line >= max(len(w) for w in words):
        lines = _wrap(words, per_line)
        if len(lines) <= 3:
            out.append(_Label(len(lines) * H_LINE + (17 if len(lines) == 1 else 10), False, tuple(lines)))
    columns = max(1, int((width - 2) // V_LINE))
    for c in range(1, columns + 1):
        limit = max(len(w) for w in words)
        while len(_wrap(words, limit)) > c:
            limit += 1
        lines = _wrap(words, limit)
        out.append(_Label(math.ceil(max(len(line) for line in lines) * V_CHAR + 10), True, tuple(lines)))
    return out


def _choose_label(name: str, width: float, height: float) -> _Label:
    """The layout for a box of this size: one line if possible, then wrapped lines,
    then the fewest columns on end; cut with an ellipsis when nothing fits."""
    options = _label_options(name, width)
    for o in options:
        if o.need <= height:
            return o
    best = min((o for o in options if o.vertical), key=lambda o: (o.need, len(o.lines)))
    chars = max(int((height - 10) // V_CHAR), 2)
    lines = [line if len(line) <= chars else line[:chars - 1] + "\u2026" for line in best.lines]
    return _Label(height, True, tuple(lines))


def _place(label: _Label, cx: float, cy: float) -> Tuple[TextLine, ...]:
    """Line positions in the label's own frame (rotated about (cx, cy) when vertical)."""
    step = V_LINE if label.vertical else H_LINE
    first = cy - (len(label.lines) - 1) * step / 2
    return tuple(TextLine(text, cx, first + i * step) for i, text in enumerate(label.lines))


def _row_runs(m: Msr, hi: int, lo: int) -> List[Tuple[str, Optional[Field], int, int]]:
    """(kind, field, msb, lsb) from bit `hi` down to `lo`."""
    by_bit: Dict[int, Field] = {}
    for f in m.fields:
        for b in range(max(f.lsb, lo), min(f.msb, hi) + 1):
            by_bit[b] = f
    runs: List[Tuple[str, Optional[Field], int, int]] = []
    bit = hi
    while bit >= lo:
        f = by_bit.get(bit)
        end = bit
        while end - 1 >= lo and by_bit.get(end - 1) is f:
            end -= 1
        runs.append(("field" if f else "reserved", f, bit, end))
        bit = end - 1
    return runs


def _field_title(f: Field, msb: int, lsb: int, vendor_titles: Dict[str, str]) -> str:
    text = f"{f.name}, {f.bits_text}, {f.access}: {f.description}"
    if (msb, lsb) != (f.msb, f.lsb):
        text += f" (this box: bits {msb}:{lsb})"
    if f.vendors:
        text += " Only on " + " and ".join(vendor_titles[v] for v in f.vendors) + "."
    if f.present_if:
        text += f" Present if {f.present_if.text()}."
    return " ".join(text.split())


def diagram(m: Msr, vendor_titles: Dict[str, str]) -> Diagram:
    """The layout of `m`'s bit diagram: rows of 32 bits, most significant first,
    each row as tall as its labels need."""
    bits = diagram_bits(m)
    rows: List[Row] = []
    y = 0.0
    for hi in range(bits - 1, -1, -BITS_PER_ROW):
        lo = hi - BITS_PER_ROW + 1
        runs = _row_runs(m, hi, lo)
        need = [min(o.need for o in _label_options(f.name, (msb - lsb + 1) * BIT))
                for kind, f, msb, lsb in runs if kind == "field"]
        box = min(MAX_BOX, max([MIN_BOX] + need))
        box_y = y + NUMBER_LINE
        cy = box_y + box / 2
        segments: List[Segment] = []
        numbers: List[BitNumber] = []
        for kind, f, msb, lsb in runs:
            x = MARGIN + (hi - msb) * BIT
            width = (msb - lsb + 1) * BIT
            cx = x + width / 2
            if kind == "field":
                assert f is not None
                label = _choose_label(f.name, width, box)
                access_label = f.access if len(f.access) * 5.4 <= width + 2 else f.access[:2]
                segments.append(Segment("field", f, msb, lsb, x, width, _place(label, cx, cy), label.vertical,
                                        _field_title(f, msb, lsb, vendor_titles), f.access, access_label,
                                        ACCESS_FILL[f.access], bool(f.vendors or f.present_if), cx, cy))
            else:
                fits = len("reserved") * H_CHAR + 6 <= width
                lines = (TextLine("reserved", cx, cy),) if fits else ()
                bits_text = f"bit {msb}" if msb == lsb else f"bits {msb}:{lsb}"
                segments.append(Segment("reserved", None, msb, lsb, x, width, lines, False,
                                        f"{bits_text} reserved", "", "", RESERVED_FILL, False, cx, cy))
            numbers.append(BitNumber(x + BIT / 2, str(msb)))
            if lsb != msb:
                numbers.append(BitNumber(x + width - BIT / 2, str(lsb)))
        rows.append(Row(hi, lo, y, box_y, box, box_y + box + 11, tuple(segments), tuple(numbers)))
        y = box_y + box + ACCESS_LINE + ROW_GAP

    parts = []
    for r in rows:
        for s in r.segments:
            parts.append(f"{s.field.name} {s.bits} {s.access}" if s.kind == "field" else f"reserved {s.bits}")
    count = len(m.fields)
    desc = (f"{count} field{'s' if count != 1 else ''}, from bit {bits - 1} down to bit 0: " + "; ".join(parts) + "."
            + (" Bits 63:32 are reserved." if bits == 32 else ""))
    return Diagram(id="bits-" + m.names.stem, register=m.name, bits=bits, width=2 * MARGIN + BITS_PER_ROW * BIT,
                   height=y - ROW_GAP, rows=tuple(rows), title=f"Bit layout of {m.name}", desc=desc,
                   note="bits 63:32 are reserved" if bits == 32 else "")


# ---- search index --------------------------------------------------------------------


def search_index(model: Model, page_of: Dict[str, str]) -> List[dict]:
    """One entry per register, for search.js: everything a query may match."""
    out = []
    for m in model.msrs:
        out.append({
            "n": m.name,
            "id": m.names.macro_stem,
            "p": page_of[m.category],
            "a": m.address,
            "k": m.count or 0,
            "s": m.stride,
            "al": list(m.aliases),
            "f": [f.name for f in m.fields],
        })
    return out


# ---- rendering -----------------------------------------------------------------------------


def _md_cell(text) -> str:
    """Text for a Markdown table cell: one line, pipes and angle brackets escaped."""
    text = " ".join(str(text).split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _md_text(text) -> str:
    """Running Markdown text: one paragraph, angle brackets escaped."""
    return " ".join(str(text).split()).replace("<", "&lt;").replace(">", "&gt;")


def _hex(value: int) -> str:
    return f"0x{value:X}"


def _hex64(value: int) -> str:
    return f"0x{value:016X}"


def _num(value: float) -> str:
    """SVG coordinates: short, stable text."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _thousands(value: int) -> str:
    return f"{value:,}"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "svg", "j2"),
                                            default_for_string=True, default=True),
    )
    env.filters.update(md=_md_cell, mdtext=_md_text, hex=_hex, hex64=_hex64, num=_num, thousands=_thousands,
                       extract=lambda key, mapping: mapping[key])
    return env


def _static(name: str) -> str:
    """A file copied as it is (the stylesheet, the search script)."""
    with open(os.path.join(TEMPLATE_DIR, name), encoding="utf-8") as f:
        return f.read()


def _markdown_env() -> jinja2.Environment:
    env = environment()
    env.autoescape = False
    return env


def _relative(target: str, start: str) -> str:
    return os.path.relpath(os.path.abspath(target), os.path.abspath(start)).replace(os.sep, "/")


def render_docs(model: Model, spec_paths: Sequence[str], out_dir: str,
                source_url: Optional[str] = None) -> Dict[str, str]:
    """Every file of the reference: path relative to `out_dir` -> text.

    Links to the spec point at `source_url` + the spec's path (e.g. a
    repository browser, `#L<line>` appended) or, without it, at the spec file
    relative to the pages."""
    spec_paths = list(spec_paths)
    page_of = {c.name: c.name + ".html" for c in model.used_categories}
    md_page_of = {c.name: c.name + ".md" for c in model.used_categories}
    vendor_titles = {v.name: v.title for v in model.vendors}
    category_meaning = {c.name: c.meaning for c in model.categories}
    diagrams = {m.name: diagram(m, vendor_titles) for m in model.msrs}

    def spec_link(m_or_pos, subdir: str) -> str:
        pos = m_or_pos.position if hasattr(m_or_pos, "position") else m_or_pos
        path = pos.file or spec_paths[0]
        if source_url:
            return f"{source_url.rstrip('/')}/{_relative(path, os.getcwd())}#L{pos.line}"
        return f"{_relative(path, os.path.join(out_dir, subdir))}#L{pos.line}"

    def spec_label(m_or_pos) -> str:
        pos = m_or_pos.position if hasattr(m_or_pos, "position") else m_or_pos
        return f"{os.path.basename(pos.file or spec_paths[0])}:{pos.line}"

    by_name = {m.name: m for m in model.msrs}
    capability_sets: Dict[str, List] = {}
    for s in model.control_sets:
        capability_sets.setdefault(s.capability.name, []).append(s)
        if s.true_capability:
            capability_sets.setdefault(s.true_capability.name, []).append(s)

    common = {
        "model": model,
        "spec_names": [os.path.basename(p) for p in spec_paths],
        "diagrams": diagrams,
        "vendor_titles": vendor_titles,
        "category_meaning": category_meaning,
        "access_fill": ACCESS_FILL,
        "reserved_fill": RESERVED_FILL,
        "access_meaning": {mode: meaning for mode, (_, _, meaning) in schema.ACCESS_MODES.items()},
        "spec_label": spec_label,
        "by_name": by_name,
        "capability_sets": capability_sets,
            }
    files: Dict[str, str] = {}

    html = environment()
    html_ctx = dict(common, page_of=page_of, spec_link=lambda m: spec_link(m, "html"))
    files["html/index.html"] = html.get_template("index.html.j2").render(**html_ctx)
    files["html/vmx-controls.html"] = html.get_template("vmx_controls.html.j2").render(**html_ctx)
    category_tpl = html.get_template("category.html.j2")
    for c in model.used_categories:
        files["html/" + page_of[c.name]] = category_tpl.render(category=c, msrs=model.msrs_in(c.name), **html_ctx)
    files["html/style.css"] = _static("style.css")
    files["html/search.js"] = _static("search.js")
    files["html/search-index.js"] = ("/* Generated by python3 -m codegen --docs: one entry per register. */\n"
                                     "window.X86MSR_SEARCH = " +
                                     json.dumps(search_index(model, page_of), separators=(",", ":"),
                                                ensure_ascii=True) + ";\n")

    md = _markdown_env()
    md_ctx = dict(common, page_of=md_page_of, spec_link=lambda m: spec_link(m, "md"))
    files["md/README.md"] = md.get_template("index.md.j2").render(**md_ctx)
    files["md/vmx-controls.md"] = md.get_template("vmx_controls.md.j2").render(**md_ctx)
    md_category = md.get_template("category.md.j2")
    for c in model.used_categories:
        files["md/" + md_page_of[c.name]] = md_category.render(category=c, msrs=model.msrs_in(c.name), **md_ctx)
    svg = html.get_template("diagram.svg.j2")
    for m in model.msrs:
        files[f"md/svg/{m.names.stem}.svg"] = svg.render(d=diagrams[m.name], m=m, standalone=True, **common)
    return files
