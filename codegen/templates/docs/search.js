/* x86msr register reference: search over names, aliases, addresses and field
 * names (window.X86MSR_SEARCH, from search-index.js). On the index page it
 * filters the register table; on other pages it lists the best matches under
 * the search box. Plain JavaScript, no network: works from file://. */
(function () {
  "use strict";

  var entries = window.X86MSR_SEARCH || [];
  var input = document.getElementById("search");
  if (!input) {
    return;
  }

  /* An address: 0xC0000080, C0000080H / 0C0000080H (as the manuals write it),
   * or hex digits with at least one decimal digit (c0000080). */
  function addressOf(q) {
    var m = /^0x([0-9a-f]{1,8})$/.exec(q) || /^([0-9a-f]{1,9})h$/.exec(q) ||
            /^([0-9a-f]*[0-9][0-9a-f]*)$/.exec(q);
    var value;
    if (!m || m[1].length > 9) {
      return null;
    }
    value = parseInt(m[1], 16);
    return value <= 0xFFFFFFFF ? value : null;
  }

  function hex(value) {
    return "0x" + value.toString(16).toUpperCase();
  }

  /* {rank, why} when entry `e` matches the lower-case query `q`, else null;
   * a lower rank is a better match. */
  function match(e, q, addr) {
    var name = e.n.toLowerCase();
    var i, j, text;
    if (name === q) {
      return { rank: 0, why: "name" };
    }
    for (i = 0; i < e.al.length; i++) {
      if (e.al[i].toLowerCase() === q) {
        return { rank: 0, why: "alias " + e.al[i] };
      }
    }
    if (addr !== null) {
      if (e.k > 0) {
        if (addr >= e.a && addr <= e.a + (e.k - 1) * e.s && (addr - e.a) % e.s === 0) {
          return { rank: 0, why: "address " + hex(addr) + " = " + e.n.replace("{n}", String((addr - e.a) / e.s)) };
        }
      } else if (addr === e.a) {
        return { rank: 0, why: "address " + hex(addr) };
      }
    }
    if (e.k > 0) {
      for (i = 0; i < e.k; i++) {
        text = name.replace("{n}", String(i));
        if (text === q) {
          return { rank: 0, why: "instance " + e.n.replace("{n}", String(i)) };
        }
      }
    }
    if (name.indexOf(q) >= 0) {
      return { rank: 1, why: "name" };
    }
    if (e.k > 0) {
      for (i = 0; i < e.k; i++) {
        if (name.replace("{n}", String(i)).indexOf(q) >= 0) {
          return { rank: 1, why: "instance " + e.n.replace("{n}", String(i)) };
        }
      }
    }
    for (i = 0; i < e.al.length; i++) {
      if (e.al[i].toLowerCase().indexOf(q) >= 0) {
        return { rank: 1, why: "alias " + e.al[i] };
      }
    }
    /* fields: the whole name, else the start of one of its words (NXE, VMX_OUTSIDE) */
    for (j = 0; j < 2; j++) {
      for (i = 0; i < e.f.length; i++) {
        text = e.f[i].toLowerCase();
        if (j === 0 ? text === q : text.indexOf(q) === 0 || text.indexOf("_" + q) >= 0) {
          return { rank: 2 + j, why: "field " + e.f[i] };
        }
      }
    }
    return null;
  }

  /* The matches of `query`, best first (ties in address order). */
  function search(query) {
    var q = query.trim().toLowerCase();
    var out = [];
    var addr, i, m;
    if (!q) {
      return null;
    }
    addr = addressOf(q);
    for (i = 0; i < entries.length; i++) {
      m = match(entries[i], q, addr);
      if (m) {
        out.push({ entry: entries[i], rank: m.rank, why: m.why, order: i });
      }
    }
    out.sort(function (a, b) { return a.rank - b.rank || a.order - b.order; });
    return out;
  }

  function describe(results, query) {
    if (results === null) {
      return entries.length + " registers.";
    }
    if (results.length === 0) {
      return "No register matches \u201c" + query.trim() + "\u201d.";
    }
    return results.length + (results.length === 1 ? " register matches" : " registers match") +
           " \u201c" + query.trim() + "\u201d.";
  }

  var table = document.getElementById("registers");
  var status = document.getElementById("search-status");

  if (table) {
    /* Index page: filter and reorder the table. */
    var body = table.tBodies[0];
    var original = Array.prototype.slice.call(body.rows);
    var rowOf = {};
    original.forEach(function (tr) { rowOf[tr.getAttribute("data-name")] = tr; });

    var run = function () {
      var results = search(input.value);
      var shown = {};
      if (results === null) {
        original.forEach(function (tr) {
          tr.hidden = false;
          tr.querySelector(".why").textContent = "";
          body.appendChild(tr);
        });
        table.classList.remove("searching");
      } else {
        results.forEach(function (r) {
          var tr = rowOf[r.entry.n];
          shown[r.entry.n] = true;
          tr.hidden = false;
          tr.querySelector(".why").textContent = r.why;
          body.appendChild(tr);
        });
        original.forEach(function (tr) {
          if (!shown[tr.getAttribute("data-name")]) {
            tr.hidden = true;
          }
        });
        table.classList.add("searching");
      }
      if (status) {
        status.textContent = describe(results, input.value);
      }
    };

    input.addEventListener("input", run);
    var given = /[?&]q=([^&#]*)/.exec(window.location.search);
    if (given) {
      input.value = decodeURIComponent(given[1].replace(/\+/g, " "));
    }
    if (input.value) {
      run();
    }
    return;
  }

  /* Other pages: the best matches under the box; Enter opens the index with the query. */
  var list = document.createElement("ul");
  list.id = "search-results";
  list.className = "results";
  list.hidden = true;
  list.setAttribute("aria-label", "Search results");
  input.parentNode.appendChild(list);

  input.addEventListener("input", function () {
    var results = search(input.value);
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    if (results === null) {
      list.hidden = true;
      return;
    }
    results.slice(0, 12).forEach(function (r) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      var why = document.createElement("span");
      a.href = r.entry.p + "#" + r.entry.id;
      a.textContent = r.entry.n;
      why.className = "why";
      why.textContent = r.why;
      li.appendChild(a);
      li.appendChild(why);
      list.appendChild(li);
    });
    if (results.length > 12) {
      var more = document.createElement("li");
      more.className = "more";
      more.textContent = (results.length - 12) + " more: press Enter";
      list.appendChild(more);
    } else if (results.length === 0) {
      var none = document.createElement("li");
      none.className = "more";
      none.textContent = describe(results, input.value);
      list.appendChild(none);
    }
    list.hidden = false;
  });
}());
