#!/usr/bin/env python3
"""What README.md and the guides under docs/ show must be true.

--c      every fenced ```c block compiles against the generated headers
         (gcc, -std=c11 -Wall -Wextra -Werror -pedantic; unused variables
         and functions allowed, a snippet may leave its results unused).
         A block with a function definition is compiled as a file; any other
         block is a fragment and is wrapped in a function, its #include lines
         hoisted (and <x86msr/msrs.h> included when it has none). An HTML
         comment on the line(s) before the fence can say otherwise:
           <!-- snippet: wrap-function -->        wrap even so
           <!-- snippet: file -->                 compile as it is
           <!-- snippet: file defines="MSR_BACKEND_OPS" -->   extra -D
           <!-- snippet: fails context="DECLARATIONS" -->   code that must NOT compile:
                                                  each line, after the context, is
                                                  compiled alone in a function and must
                                                  fail; the context alone must compile
           <!-- snippet: skip reason="..." -->    not compiled; the reason is required
         And every set of compiler flags for a freestanding build that the
         files give (a code span, or a line of a code block, with
         -mcmodel=kernel) compiles a file that includes the headers and reads
         an MSR, with --cc: `-mcmodel=kernel` alone fails where the compiler
         makes PIC or PIE code by default (Debian's gcc: "code model kernel
         does not support PIC mode"), so the set needs -fno-pic.
         And the status-code table of docs/using-the-headers.md lists every
         MSR_*ERR_* code the headers of src/include/x86msr define, with its
         number (a row may abbreviate MSR_LINUX_ERR_IO as `_IO` after a
         full name with the same prefix).
--sh     every ```sh block runs (bash -e -o pipefail) in a scratch copy of the
         tree whose build/ points at the build under test, with x86msr on
         PATH, and must exit 0 -- unless it is marked
           <!-- commands: not-run reason="..." -->   (root, real hardware, the
         suite itself, hours of fuzzing: the reason is required).
         A block of any language preceded by
           <!-- output: COMMAND -->
         shows COMMAND's output: its lines must appear, in order, in what
         COMMAND prints there ("..." lines stand for lines left out).
--links  every relative link of those files reaches a file, and an anchor
         in a Markdown file reaches one of its headings (or <a id>).

Usage: test_guides.py (--c | --sh | --links) --root REPO --build BUILD [--cc CC] [FILE.md ...]
"""

import argparse
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^(\s*)```\s*([\w+-]*)\s*$")
DIRECTIVE = re.compile(r"^\s*<!--\s*(snippet|commands|output):\s*(.*?)\s*-->\s*$")
ATTR = re.compile(r'(\w+)="([^"]*)"')
# A function definition at file scope: a type and a name at column 0, a parameter list, a brace.
FUNCTION_DEFINITION = re.compile(r"^(?!(?:if|for|while|switch|return|else|do|case)\b)[A-Za-z_][\w\*]*"
                                 r"(?:[ \t\*]+[A-Za-z_]\w*)+\s*\([^;{}]*\)\s*\n?\{", re.M)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")

# Files a link may name before they exist here: each is written on another
# branch, with the reason. (Nothing else may be missing.)
PENDING: dict = {}


class Block:
    def __init__(self, path, line, lang, text, directives):
        self.path, self.line, self.lang, self.text = path, line, lang, text
        self.directives = directives  # kind -> (mode, attrs)

    @property
    def where(self):
        return f"{self.path}:{self.line}"


def parse_directive(kind, body):
    """(mode, attributes); an output directive's whole body is its command."""
    if kind == "output":
        return body, {}
    attrs = dict(ATTR.findall(body))
    mode = ATTR.sub("", body).strip()
    return mode, attrs


def blocks(path, rel):
    """The fenced blocks of a Markdown file with the directives just above each."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out, pending, i = [], {}, 0
    while i < len(lines):
        line = lines[i]
        d = DIRECTIVE.match(line)
        if d:
            pending[d.group(1)] = parse_directive(d.group(1), d.group(2))
            i += 1
            continue
        m = FENCE.match(line)
        if m:
            indent, lang = m.group(1), m.group(2)
            body, j = [], i + 1
            while j < len(lines) and not re.match(r"^\s*```\s*$", lines[j]):
                text = lines[j]
                body.append(text[len(indent):] if text.startswith(indent) else text.lstrip())
                j += 1
            out.append(Block(rel, i + 1, lang, "\n".join(body) + "\n", pending))
            pending, i = {}, j + 1
            continue
        if line.strip():
            pending = {}
        i += 1
    return out


# ---- C ------------------------------------------------------------------------------------

def c_source(block):
    mode, attrs = block.directives.get("snippet", ("", {}))
    text = block.text
    if mode == "file" or (mode == "" and FUNCTION_DEFINITION.search(text)):
        return "file", text, attrs
    head = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    body = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    if not any(line.lstrip().startswith("#include") for line in head):
        head.insert(0, "#include <x86msr/msrs.h>")
    src = "\n".join(head) + "\n\nint x86msr_snippet(void);\nint x86msr_snippet(void)\n{\n"
    src += "\n".join("    " + line if line else "" for line in body) + "\n    return 0;\n}\n"
    return "wrapped", src, attrs


def compile_ok(src, path, includes, args, defines=()):
    with open(path, "w", encoding="utf-8") as f:
        f.write(src)
    cmd = [args.cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-Wno-unused-variable",
           "-Wno-unused-but-set-variable", "-Wno-unused-function", "-Wno-unused-parameter",
           *defines, *includes, "-c", path, "-o", os.devnull]
    return subprocess.run(cmd, capture_output=True, text=True)


def check_fails(b, attrs, includes, tmp, n, args, failures):
    """Each line of a must-not-compile snippet fails after the context; the context alone compiles."""
    def source(line):
        return ("#include <x86msr/msrs.h>\n\nvoid x86msr_snippet(void);\nvoid x86msr_snippet(void)\n{\n    "
                + attrs.get("context", "") + "\n    " + line + "\n}\n")

    path = os.path.join(tmp, f"fails_{n}.c")
    control = compile_ok(source(""), path, includes, args)
    if control.returncode != 0:
        failures.append(f"{b.where}: the context of a must-not-compile snippet does not compile:\n{control.stderr}")
        return 0
    good = 0
    for line in b.text.splitlines():
        code = re.sub(r"/\*.*?\*/", "", line).strip()
        if not code:
            continue
        if compile_ok(source(code), path, includes, args).returncode == 0:
            failures.append(f"{b.where}: this line is shown as an error but compiles: {code}")
        else:
            good += 1
    print(f"ok   {b.where}: {good} lines fail to compile, as shown")
    return 1


def check_c(blocks_, args, failures):
    compiled = skipped = 0
    includes = [f"-I{d}" for d in args.include]
    with tempfile.TemporaryDirectory(prefix="x86msr-snippets-") as tmp:
        for n, b in enumerate(blk for blk in blocks_ if blk.lang == "c"):
            mode, attrs = b.directives.get("snippet", ("", {}))
            if mode == "skip":
                if not attrs.get("reason"):
                    failures.append(f"{b.where}: a skipped C snippet must give reason=\"...\"")
                skipped += 1
                print(f"skip {b.where}: {attrs.get('reason', '')}")
                continue
            if mode == "fails":
                ok = check_fails(b, attrs, includes, tmp, n, args, failures)
                compiled += ok
                continue
            if mode not in ("", "file", "wrap-function"):
                failures.append(f"{b.where}: unknown snippet mode {mode!r}")
                continue
            how, src, attrs = c_source(b)
            path = os.path.join(tmp, f"snippet_{n}.c")
            with open(path, "w", encoding="utf-8") as f:
                f.write(src)
            defines = [f"-D{d}" for d in attrs.get("defines", "").split()]
            cmd = [args.cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-Wno-unused-variable",
                   "-Wno-unused-but-set-variable", "-Wno-unused-function", "-Wno-unused-parameter",
                   *defines, *includes, "-c", path, "-o", os.devnull]
            result = subprocess.run(cmd, capture_output=True, text=True)
            if result.returncode != 0:
                numbered = "\n".join(f"{i + 1:4} {line}" for i, line in enumerate(src.splitlines()))
                failures.append(f"{b.where}: the C snippet ({how}) does not compile:\n{result.stderr}\n{numbered}")
            else:
                compiled += 1
                print(f"ok   {b.where}: compiles ({how})")
    return f"{compiled} C snippets compiled, {skipped} skipped"


# ---- freestanding compiler flags ------------------------------------------------------------------

FLAGS_PROBE = ("#include <x86msr/msrs.h>\n\nunsigned long long x86msr_flags_probe(void);\n"
               "unsigned long long x86msr_flags_probe(void)\n{\n    return msr_rdmsr(MSR_IA32_EFER_ADDR);\n}\n")


def flag_sets(path, rel):
    """(where, flags) for each code span (which may run over lines), and each
    line of a code block, that gives -mcmodel=kernel: its words that start with '-'."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    fence, prose = False, []
    for n, line in enumerate(lines, 1):
        if FENCE.match(line) or re.match(r"^\s*```\s*$", line):
            fence = not fence
            prose.append("")
            continue
        if fence:
            prose.append("")
            if "-mcmodel=kernel" in line:
                yield f"{rel}:{n}", [w for w in line.split() if w.startswith("-")]
        else:
            prose.append(line)
    text = "\n".join(prose)
    for m in re.finditer(r"`([^`]+)`", text):
        if "-mcmodel=kernel" in m.group(1):
            line = text.count("\n", 0, m.start()) + 1
            yield f"{rel}:{line}", [w.strip(".,;:()'\"") for w in m.group(1).split() if w.startswith("-")]


def check_flags(files, args, failures):
    checked = 0
    root = os.path.abspath(args.root)
    includes = [f"-I{d}" for d in args.include]
    with tempfile.TemporaryDirectory(prefix="x86msr-flags-") as tmp:
        probe = os.path.join(tmp, "probe.c")
        with open(probe, "w", encoding="utf-8") as f:
            f.write(FLAGS_PROBE)
        for rel in files:
            for where, flags in flag_sets(os.path.join(root, rel), rel):
                flags = [f for f in flags if f.startswith(("-f", "-m", "-O", "-W", "-n", "-std"))]
                result = subprocess.run([args.cc, *flags, *includes, "-c", probe, "-o", os.devnull],
                                        capture_output=True, text=True)
                checked += 1
                if result.returncode != 0:
                    failures.append(f"{where}: the flags {' '.join(flags)} do not compile a freestanding file"
                                    f"{' (-fno-pic is missing)' if '-fno-pic' not in flags else ''}:\n"
                                    f"{result.stderr.strip()}")
                else:
                    print(f"ok   {where}: {' '.join(flags)}")
    return f"{checked} freestanding flag sets compiled"


# ---- the status-code table --------------------------------------------------------------------------

STATUS_CODE = re.compile(r"\b(MSR_[A-Z0-9_]*?ERR)(_[A-Z0-9_]+)\s*=\s*(-\d+)")


def check_status_table(args, failures):
    root = os.path.abspath(args.root)
    codes = []
    for header in sorted(glob.glob(os.path.join(root, "src", "include", "x86msr", "*.h"))):
        with open(header, encoding="utf-8") as f:
            codes += [(m.group(1), m.group(2), m.group(3), os.path.basename(header))
                      for m in STATUS_CODE.finditer(f.read())]
    doc = os.path.join(root, "docs", "using-the-headers.md")
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    section = text[text.find("## Status codes"):]
    section = section[:section.find("\n## ", 3)]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    for prefix, suffix, number, header in codes:
        full = f"`{prefix}{suffix}` ({number}"
        short = f"`{suffix}` ({number}"
        if not any(full in row or (short in row and f"`{prefix}_" in row) for row in rows):
            failures.append(f"docs/using-the-headers.md: the status-code table lacks {prefix}{suffix} ({number}, "
                            f"x86msr/{header})")
    return f"{len(codes)} status codes in the table"


# ---- shell commands ------------------------------------------------------------------------------

def sandbox(root, build, tmp):
    """A scratch tree: the repository's files linked in, generated/ copied (the
    generator may rewrite it), build/ a directory of links into the build under test
    (its docs/ left out, so a command can write its own)."""
    tree = os.path.join(tmp, "tree")
    os.makedirs(tree)
    for name in os.listdir(root):
        if name in (".git", "generated") or name.startswith("build"):
            continue
        os.symlink(os.path.join(root, name), os.path.join(tree, name))
    shutil.copytree(os.path.join(root, "generated"), os.path.join(tree, "generated"), symlinks=True)
    os.makedirs(os.path.join(tree, "build"))
    for name in os.listdir(build):
        if name not in ("docs", "Testing"):
            os.symlink(os.path.join(build, name), os.path.join(tree, "build", name))
    return tree


def run_in(tree, script, timeout):
    env = dict(os.environ, PATH=os.path.join(tree, "build") + os.pathsep + os.environ.get("PATH", ""))
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=timeout)


def check_sh(blocks_, args, failures):
    ran = not_run = outputs = 0
    with tempfile.TemporaryDirectory(prefix="x86msr-commands-") as tmp:
        tree = sandbox(os.path.abspath(args.root), os.path.abspath(args.build), tmp)
        for b in blocks_:
            if "output" in b.directives:
                command = b.directives["output"][0]
                result = run_in(tree, command, args.timeout)
                actual = [line.rstrip() for line in (result.stdout + result.stderr).splitlines()]
                shown = [line.rstrip() for line in b.text.rstrip("\n").splitlines()]
                at = 0
                for line in shown:
                    if line.strip() == "...":
                        continue
                    try:
                        at = actual.index(line, at) + 1
                    except ValueError:
                        failures.append(f"{b.where}: `{command}` does not print this line (or not in this "
                                        f"order): {line!r}\n--- it prints:\n" + "\n".join(actual[:60]))
                        break
                else:
                    outputs += 1
                    print(f"ok   {b.where}: output of `{command}`")
            if b.lang not in ("sh", "shell", "bash"):
                continue
            mode, attrs = b.directives.get("commands", ("run", {}))
            if mode == "not-run":
                if not attrs.get("reason"):
                    failures.append(f"{b.where}: commands marked not-run must give reason=\"...\"")
                not_run += 1
                print(f"skip {b.where}: not run: {attrs.get('reason', '')}")
                continue
            if mode != "run":
                failures.append(f"{b.where}: unknown commands mode {mode!r}")
                continue
            try:
                result = run_in(tree, b.text, args.timeout)
            except subprocess.TimeoutExpired:
                failures.append(f"{b.where}: the commands did not finish in {args.timeout} s")
                continue
            if result.returncode != 0:
                failures.append(f"{b.where}: the commands exit with {result.returncode}:\n{b.text}"
                                f"--- stderr:\n{result.stderr[-2000:]}")
            else:
                ran += 1
                print(f"ok   {b.where}: ran {len([x for x in b.text.splitlines() if x.strip()])} line(s)")
    return f"{ran} command blocks ran, {not_run} marked not-run, {outputs} shown outputs checked"


# ---- links -------------------------------------------------------------------------------------------

def slug(heading, seen):
    text = re.sub(r"`([^`]*)`", r"\1", heading.strip())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
    if text in seen:
        seen[text] += 1
        return f"{text}-{seen[text]}"
    seen[text] = 0
    return text


def anchors(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text_wo_code = re.sub(r"```.*?```", "", text, flags=re.S)
    seen, out = {}, set()
    for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", text_wo_code, re.M):
        out.add(slug(m.group(1), seen))
    out.update(re.findall(r'<a id="([^"]+)"', text))
    return out


def check_links(files, args, failures):
    count = 0
    root = os.path.abspath(args.root)
    for rel in files:
        path = os.path.join(root, rel)
        with open(path, encoding="utf-8") as f:
            text = re.sub(r"```.*?```", "", f.read(), flags=re.S)
        for m in LINK.finditer(text):
            target = m.group(1) or m.group(2)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue
            count += 1
            file_part, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
            dest_rel = os.path.relpath(dest, root)
            if not os.path.exists(dest):
                if dest_rel in PENDING:
                    print(f"note {rel}: {target} is pending ({PENDING[dest_rel]})")
                    continue
                failures.append(f"{rel}: link to {target}: {dest_rel} does not exist")
                continue
            if anchor and dest.endswith(".md") and anchor not in anchors(dest):
                failures.append(f"{rel}: link to {target}: {dest_rel} has no heading #{anchor}")
    return f"{count} relative links checked"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--c", action="store_true")
    what.add_argument("--sh", action="store_true")
    what.add_argument("--links", action="store_true")
    parser.add_argument("--root", required=True)
    parser.add_argument("--build", required=True)
    parser.add_argument("--cc", default="cc")
    parser.add_argument("--include", action="append", default=[])
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    files = args.files or (["README.md"] + sorted(os.path.relpath(p, root)
                                                  for p in glob.glob(os.path.join(root, "docs", "*.md")))
                           + ["spec/README.md"])
    if not args.include:
        args.include = [os.path.join(os.path.abspath(args.build), "generated", "include"),
                        os.path.join(root, "src", "include")]
    failures = []
    all_blocks = []
    for rel in files:
        all_blocks += blocks(os.path.join(root, rel), rel)
    if args.c:
        summary = "; ".join((check_c(all_blocks, args, failures), check_flags(files, args, failures),
                             check_status_table(args, failures)))
    elif args.sh:
        summary = check_sh(all_blocks, args, failures)
    else:
        summary = check_links(files, args, failures)
    for f in failures:
        print("FAIL:", f)
    print(f"{len(files)} files: {summary}; {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
