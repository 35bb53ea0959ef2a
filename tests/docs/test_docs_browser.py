#!/usr/bin/env python3
"""The register reference in a real browser: headless Chromium opens the
generated pages from file:// (no network, no server) and checks the DOM.

- the index lists every register of the spec, and its links reach their pages;
- searching "efer", "0xC0000080", "NXE" (and a query in the URL) finds IA32_EFER;
- on every category page each register has a bit diagram with exactly one box
  per field (per row it reaches) and one greyed box per run of reserved bits,
  the boxes tile each row, and every label stays inside its box;
- every SVG has role="img" and a <title>; every box has a <title>;
- no page logs a console error or throws;
- a screenshot of IA32_EFER (build/docs/screenshot.png) and of a search
  (build/docs/screenshot-search.png) stay in the build tree for people to look at.

Usage: test_docs_browser.py --docs BUILD/docs [--spec spec/msrs.yaml]
Exit 77 (CTest: skipped) when no Chromium is installed.
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import expect  # noqa: E402
from cdp import Browser, CdpError, find_chromium  # noqa: E402

SKIP = 77

# Per register section: the diagram's boxes, titles and geometry, as the browser lays them out.
SECTIONS_JS = r"""
(function () {
  function inside(inner, outer) {
    return inner.left >= outer.left - 1 && inner.right <= outer.right + 1 &&
           inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1;
  }
  function title(el) {
    var t = el.querySelector(':scope > title');
    return t ? t.textContent.trim() : '';
  }
  return Array.from(document.querySelectorAll('section.msr')).map(function (sec) {
    var svgs = sec.querySelectorAll('svg');
    var svg = svgs[0];
    var out = {name: sec.getAttribute('data-name'), id: sec.id, svgs: svgs.length, fields: [], reserved: [],
               overflow: [], rows: [], tableRows: sec.querySelectorAll('table.fields > tbody > tr').length};
    if (!svg) return out;
    out.role = svg.getAttribute('role');
    out.title = title(svg);
    out.width = svg.getAttribute('data-width');
    svg.querySelectorAll('g.row').forEach(function (row) {
      var total = 0;
      row.querySelectorAll(':scope > g > rect, :scope > a > g > rect').forEach(function (r) {
        total += parseFloat(r.getAttribute('width'));
      });
      out.rows.push([row.getAttribute('data-bits'), total]);
    });
    svg.querySelectorAll('g.field').forEach(function (g) {
      var box = g.querySelector('rect').getBoundingClientRect();
      out.fields.push([g.getAttribute('data-field'), g.getAttribute('data-bits'), title(g)]);
      g.querySelectorAll('text.label').forEach(function (t) {
        if (!inside(t.getBoundingClientRect(), box)) out.overflow.push(g.getAttribute('data-field'));
      });
    });
    svg.querySelectorAll('g.reserved').forEach(function (g) {
      var box = g.querySelector('rect').getBoundingClientRect();
      out.reserved.push([g.getAttribute('data-bits'), title(g)]);
      g.querySelectorAll('text.label').forEach(function (t) {
        if (!inside(t.getBoundingClientRect(), box)) out.overflow.push('reserved ' + g.getAttribute('data-bits'));
      });
    });
    return out;
  });
})()
"""

# Every SVG of the page: role and title.
SVGS_JS = r"""
Array.from(document.querySelectorAll('svg')).map(function (svg) {
  var t = svg.querySelector(':scope > title');
  return [svg.getAttribute('data-register') || '?', svg.getAttribute('role'), t ? t.textContent.trim() : ''];
})
"""

IDS_JS = "Array.from(document.querySelectorAll('[id]')).map(function (e) { return e.id; })"

LINKS_JS = r"""
Array.from(document.querySelectorAll('a[href]')).map(function (a) { return a.getAttribute('href'); })
  .filter(function (h) { return !/^[a-z]+:/i.test(h); })
"""

VISIBLE_ROWS_JS = r"""
Array.from(document.querySelectorAll('#registers tbody tr')).filter(function (tr) { return !tr.hidden; })
  .map(function (tr) { return [tr.getAttribute('data-name'), tr.querySelector('.why').textContent]; })
"""

DROPDOWN_JS = r"""
(function () {
  var list = document.getElementById('search-results');
  if (!list || list.hidden) return null;
  return Array.from(list.querySelectorAll('li a')).map(function (a) { return a.textContent; });
})()
"""


class Failures:
    def __init__(self):
        self.items = []

    def check(self, ok, message):
        if not ok:
            self.items.append(message)
        return ok


def url_of(path):
    return "file://" + os.path.abspath(path)


def type_query(page, text):
    """Clears the search box and types `text` as a user would (input events per insert)."""
    page.eval("(function(){var i=document.getElementById('search'); i.value=''; "
              "i.dispatchEvent(new Event('input', {bubbles: true})); i.focus(); return true;})()")
    page.call("Input.insertText", {"text": text})
    page.drain(0.1)


def check_index(page, html, model, fail):
    page.goto(url_of(os.path.join(html, "index.html")))
    names = page.eval("Array.from(document.querySelectorAll('#registers tbody tr'))"
                      ".map(function (tr) { return tr.getAttribute('data-name'); })")
    spec_names = [m.name for m in model.msrs]
    missing = sorted(set(spec_names) - set(names))
    extra = sorted(set(names) - set(spec_names))
    fail.check(not missing, f"index.html: registers of the spec missing from the index: {missing[:10]}")
    fail.check(not extra, f"index.html: registers not in the spec: {extra[:10]}")
    fail.check(len(names) == len(set(names)), "index.html: a register is listed twice")
    visible = page.eval("document.querySelectorAll('#registers tbody tr:not([hidden])').length")
    fail.check(visible == len(spec_names), f"index.html: {visible} of {len(spec_names)} rows visible before a search")

    for query, why in (("efer", "alias EFER"), ("0xC0000080", "address 0xC0000080"), ("C0000080H", None),
                       ("NXE", "field NXE"), ("ia32_efer", "name")):
        type_query(page, query)
        rows = page.eval(VISIBLE_ROWS_JS)
        found = [n for n, _ in rows]
        if fail.check("IA32_EFER" in found, f"index.html: searching {query!r} does not find IA32_EFER "
                                            f"(found {found[:5]})"):
            if query != "NXE":
                fail.check(found[0] == "IA32_EFER", f"index.html: searching {query!r} lists {found[0]} first")
            if why:
                reason = dict(rows)["IA32_EFER"]
                fail.check(reason == why, f"index.html: {query!r} matched IA32_EFER by {reason!r}, not {why!r}")
        status = page.eval("document.getElementById('search-status').textContent")
        fail.check(str(len(found)) in status, f"index.html: status {status!r} after {query!r} ({len(found)} rows)")

    # an array instance by name and by address
    arrays = [m for m in model.msrs if m.is_array and m.count > 3]
    if arrays:
        m = arrays[0]
        inst = m.instances[3]
        for query in (inst.name.lower(), f"0x{inst.address:X}"):
            type_query(page, query)
            found = [n for n, _ in page.eval(VISIBLE_ROWS_JS)]
            fail.check(m.name in found, f"index.html: searching {query!r} does not find {m.name}")
    type_query(page, "no_such_register_zz")
    fail.check(page.eval(VISIBLE_ROWS_JS) == [], "index.html: a query that matches nothing still shows rows")
    type_query(page, "")
    fail.check(page.eval("document.querySelectorAll('#registers tbody tr:not([hidden])').length") == len(spec_names),
               "index.html: clearing the search does not bring every row back")

    links = page.eval(LINKS_JS)
    ids = set(page.eval(IDS_JS))

    # the query in the URL (what the search box of the other pages submits)
    page.goto(url_of(os.path.join(html, "index.html")) + "?q=0xC0000080")
    rows = page.eval(VISIBLE_ROWS_JS)
    fail.check(rows and rows[0][0] == "IA32_EFER", f"index.html?q=0xC0000080 shows {rows[:3]}")
    return links, ids


def check_category(page, path, model, fail, all_ids):
    page.goto(url_of(path))
    name = os.path.basename(path)
    sections = page.eval(SECTIONS_JS)
    expected = {m.name: m for m in model.msrs if m.category == name[:-len(".html")]}
    got = {s["name"]: s for s in sections}
    fail.check(set(got) == set(expected),
               f"{name}: registers {sorted(set(expected) ^ set(got))[:6]} differ from the spec's")
    boxes = 0
    for reg, m in expected.items():
        s = got.get(reg)
        if s is None:
            continue
        where = f"{name}: {reg}"
        if not fail.check(s["svgs"] == 1, f"{where}: {s['svgs']} diagrams, want 1"):
            continue
        fail.check(s["role"] == "img", f"{where}: the diagram's role is {s['role']!r}")
        fail.check(bool(s["title"]) and reg in s["title"], f"{where}: the diagram's title is {s['title']!r}")
        fail.check(s["width"] == str(expect.width(m)), f"{where}: drawn {s['width']} bits wide, "
                                                        f"want {expect.width(m)}")
        want_fields, want_reserved = expect.boxes(m)
        have_fields = sorted((f, b) for f, b, _ in s["fields"])
        have_reserved = sorted(b for b, _ in s["reserved"])
        fail.check(have_fields == want_fields, f"{where}: field boxes {have_fields} != {want_fields}")
        fail.check(have_reserved == want_reserved, f"{where}: reserved boxes {have_reserved} != {want_reserved}")
        untitled = [f for f, _, t in s["fields"] if not t] + [b for b, t in s["reserved"] if not t]
        fail.check(not untitled, f"{where}: boxes without a <title>: {untitled}")
        fail.check(not s["overflow"], f"{where}: labels outside their boxes: {s['overflow']}")
        for bits, total in s["rows"]:
            fail.check(abs(total - 32 * 24) < 0.5, f"{where}: row {bits} boxes cover {total}px, not 32 bits")
        fail.check(s["tableRows"] == len(m.fields), f"{where}: {s['tableRows']} field table rows, "
                                                      f"want {len(m.fields)}")
        boxes += len(have_fields) + len(have_reserved)
    all_ids[name] = set(page.eval(IDS_JS))
    return boxes


def check_svgs(page, name, fail):
    for register, role, title in page.eval(SVGS_JS):
        fail.check(role == "img", f"{name}: an SVG ({register}) without role=img")
        fail.check(bool(title), f"{name}: an SVG ({register}) without a <title>")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", required=True, help="the --docs output directory (build/docs)")
    parser.add_argument("--spec", action="append", help="the spec (default spec/msrs.yaml)")
    args = parser.parse_args()

    chromium = find_chromium()
    if not chromium:
        print("SKIP: no Chromium (Debian: apt-get install chromium; or set CHROMIUM=/path/to/chrome)")
        return SKIP
    html = os.path.join(args.docs, "html")
    if not os.path.exists(os.path.join(html, "index.html")):
        print(f"{html}/index.html does not exist: build the docs first (cmake --build build --target docs)")
        return 1
    model = expect.load(args.spec or [os.path.join(expect.ROOT, "spec", "msrs.yaml")])
    fail = Failures()
    started = time.monotonic()
    log = os.path.join(args.docs, "chromium.log")
    errors = []
    pages = 0
    boxes = 0
    try:
        with Browser(chromium, log_path=log) as browser:
            page = browser.page()
            links, index_ids = check_index(page, html, model, fail)
            check_svgs(page, "index.html", fail)
            errors += page.console_errors
            page.console_errors = []
            pages += 1

            all_ids = {"index.html": index_ids}
            for c in model.used_categories:
                path = os.path.join(html, c.name + ".html")
                if not fail.check(os.path.exists(path), f"{c.name}.html is missing"):
                    continue
                boxes += check_category(page, path, model, fail, all_ids)
                check_svgs(page, c.name + ".html", fail)
                pages += 1
            page.goto(url_of(os.path.join(html, "vmx-controls.html")))
            tables = page.eval("document.querySelectorAll('section.ctls table.controls').length")
            fail.check(tables == len(model.control_sets),
                       f"vmx-controls.html: {tables} control-set tables, want {len(model.control_sets)}")
            all_ids["vmx-controls.html"] = set(page.eval(IDS_JS))
            pages += 1

            # the index's links reach a page and an element on it
            for href in links:
                target, _, anchor = href.partition("#")
                target = target or "index.html"
                if fail.check(target in all_ids, f"index.html links to {href}, which is not a page"):
                    fail.check(not anchor or anchor in all_ids[target], f"index.html links to {href}: no such id")

            # the search box of another page lists matches as you type
            page.goto(url_of(os.path.join(html, "system.html")))
            type_query(page, "efer")
            shown = page.eval(DROPDOWN_JS)
            fail.check(shown and shown[0] == "IA32_EFER", f"system.html: typing 'efer' lists {shown}")

            # screenshots for people: IA32_EFER's entry and a search
            page.eval("window.scrollTo(0, 0)")
            rect = page.eval("(function(){var r=document.getElementById('IA32_EFER').getBoundingClientRect();"
                             "return [r.top + window.scrollY, r.height];})()")
            shot = os.path.join(args.docs, "screenshot.png")
            page.screenshot(shot, {"x": 0, "y": max(rect[0] - 12, 0), "width": 1280,
                                   "height": min(rect[1] + 80, 1600)})
            page.goto(url_of(os.path.join(html, "index.html")) + "?q=efer")
            page.screenshot(os.path.join(args.docs, "screenshot-search.png"))
            errors += page.console_errors
            for path in (shot, os.path.join(args.docs, "screenshot-search.png")):
                fail.check(os.path.getsize(path) > 10000, f"{path}: suspiciously small screenshot")
    except CdpError as exc:
        fail.check(False, f"browser: {exc} (Chromium's log: {log})")

    for url, text in errors:
        fail.check(False, f"console error on {url}: {text}")
    for item in fail.items:
        print("FAIL:", item)
    print(f"docs_browser: {pages} pages, {len(model.msrs)} registers, {boxes} diagram boxes checked in "
          f"{time.monotonic() - started:.1f} s; {len(fail.items)} failure(s); "
          f"screenshots in {args.docs}/screenshot.png and screenshot-search.png")
    return 1 if fail.items else 0


if __name__ == "__main__":
    sys.exit(main())
