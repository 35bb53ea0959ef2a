#!/usr/bin/env python3
"""The man page x86msr(1) (src/tool/x86msr.1) says what the built tool's help says.

Runs `x86msr help` and `x86msr help CMD` for every subcommand the overview
lists and compares with the man page, both ways:
  - subcommands: each has a `.SS CMD` under SUBCOMMANDS, and each such
    section is a subcommand the tool has;
  - usage: the section's first line is the tool's `Usage:` line;
  - options: the `.TP` heads of the section are the options of the tool's
    `Options:` list; options every subcommand has (-h, --help) are named once,
    in the paragraph of OPTIONS that starts "Every subcommand also takes";
  - global options (the overview's usage line): the `.TP` heads of OPTIONS;
  - environment variables named anywhere in the help: the `.TP` heads of
    ENVIRONMENT, and no others;
  - exit statuses of the overview's "Exit status:" line: the `.TP` heads of
    EXIT STATUS;
  - the version in `.TH` is `x86msr --version`'s;
and, when groff is installed, the page formats without a warning.

Usage: test_manpage.py --tool BUILD/x86msr --man src/tool/x86msr.1
"""
import argparse
import re
import shlex
import shutil
import subprocess
import sys

OPTION = re.compile(r"^--?[A-Za-z][A-Za-z0-9-]*$")


def run(tool, *args):
    done = subprocess.run([tool, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"test_manpage: '{tool} {' '.join(args)}' exited {done.returncode}: {done.stderr}")
    return done.stdout


def options_in(text):
    """Option names in a help column or a man page head: '-c, --cpu CPUS' -> {-c, --cpu}."""
    return {t for t in re.split(r"[\s,|\[\]()]+", text) if OPTION.match(t)}


# ---------------------------------------------------------------------------
# The tool's help

def section_lines(text, title):
    """The indented lines after a line equal to `title` (up to a blank line)."""
    lines = text.splitlines()
    try:
        start = lines.index(title) + 1
    except ValueError:
        return []
    out = []
    for line in lines[start:]:
        if not line.strip():
            break
        out.append(line)
    return out


def tool_facts(tool):
    overview = run(tool, "help")
    usage = overview.splitlines()[0]
    facts = {
        "global": options_in(usage.split("x86msr", 1)[1]),
        "commands": {},
        "env": set(re.findall(r"\bX86MSR_[A-Z_]+\b", overview)),
        "exit": set(),
        "version": run(tool, "--version").split()[-1],
    }
    exit_line = next((l for l in overview.splitlines() if l.startswith("Exit status:")), "")
    facts["exit"] = set(re.findall(r"\b(\d+) [a-z]", exit_line))
    for line in section_lines(overview, "Subcommands:"):
        name = line.split()[0]
        text = run(tool, "help", name)
        facts["env"] |= set(re.findall(r"\bX86MSR_[A-Z_]+\b", text))
        first = text.splitlines()[0]
        if not first.startswith("Usage: "):
            sys.exit(f"test_manpage: 'help {name}' does not start with 'Usage: ': {first!r}")
        opts = set()
        for opt_line in section_lines(text, "Options:"):
            opts |= options_in(re.split(r"\s{2,}", opt_line.strip())[0])
        facts["commands"][name] = {"usage": " ".join(first[len("Usage: "):].split()), "options": opts}
    return facts


# ---------------------------------------------------------------------------
# The man page

FONT_MACROS = {"B", "I", "R", "SB", "SM"}
ALTERNATING = {"BR", "RB", "BI", "IB", "RI", "IR"}


def unescape(text):
    text = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", text)
    text = text.replace("\\-", "-").replace("\\&", "").replace("\\e", "\\")
    text = re.sub(r"\\\(aq", "'", text)
    return text


def man_lines(path):
    """(macro, text) per line: macro is None for text lines, text is plain."""
    out = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            raw = raw.rstrip("\n")
            if raw.startswith('.\\"') or raw.startswith("'\\\""):
                continue
            if raw.startswith("."):
                parts = raw[1:].split(None, 1)
                macro = parts[0] if parts else ""
                rest = parts[1] if len(parts) > 1 else ""
                try:
                    args = shlex.split(rest.replace("\\", "\\\\"), posix=True)
                except ValueError:
                    args = rest.split()
                args = [a.replace("\\\\", "\\") for a in args]
                if macro in ALTERNATING:
                    text = "".join(args)
                else:
                    text = " ".join(args)
                out.append((macro, unescape(text)))
            else:
                out.append((None, unescape(raw)))
    return out


def man_facts(path):
    facts = {"global": set(), "common": set(), "commands": {}, "env": set(), "exit": set(),
             "version": None, "order": []}
    section = subsection = None
    expect_head = False
    expect_usage = False
    common_para = False
    for macro, text in man_lines(path):
        if macro == "TH":
            m = re.search(r"x86msr (\S+)", text)
            facts["version"] = m.group(1) if m else None
            continue
        if macro == "SH":
            section, subsection = text.strip(), None
            continue
        if macro == "SS":
            subsection = text.strip()
            if section == "SUBCOMMANDS":
                facts["commands"][subsection] = {"usage": None, "options": set()}
                facts["order"].append(subsection)
                expect_usage = True
            continue
        if macro == "TP":
            expect_head = True
            continue
        if macro in ("PP", "P", "LP"):
            common_para = False
            continue
        if macro is not None and macro not in FONT_MACROS | ALTERNATING:
            continue
        # A text line (plain or through a font macro).
        if expect_usage and section == "SUBCOMMANDS":
            facts["commands"][subsection]["usage"] = " ".join(text.split())
            expect_usage = False
            continue
        if expect_head:
            expect_head = False
            head = text.strip()
            if section == "OPTIONS":
                facts["global"] |= options_in(head)
            elif section == "SUBCOMMANDS" and subsection:
                facts["commands"][subsection]["options"] |= options_in(head)
            elif section == "ENVIRONMENT":
                facts["env"].add(head)
            elif section == "EXIT STATUS":
                facts["exit"].add(head)
            continue
        if section == "OPTIONS" and text.startswith("Every subcommand also takes"):
            common_para = True
        if common_para:
            facts["common"] |= options_in(text)
    return facts


# ---------------------------------------------------------------------------

def compare(what, tool_set, man_set, problems):
    for item in sorted(tool_set - man_set):
        problems.append(f"{what}: {item} is in the tool's help but not in the man page")
    for item in sorted(man_set - tool_set):
        problems.append(f"{what}: {item} is in the man page but the tool has no such thing")


def check(tool, man_path):
    """The list of differences between the tool's help and the man page."""
    man = man_facts(man_path)
    problems = []

    compare("subcommands", set(tool["commands"]), set(man["commands"]), problems)
    commands = [c for c in tool["commands"] if c in man["commands"]]
    common = set.intersection(*(tool["commands"][c]["options"] for c in tool["commands"])) \
        if tool["commands"] else set()
    compare("options every subcommand takes (OPTIONS, 'Every subcommand also takes')",
            common, man["common"], problems)
    for name in commands:
        t, m = tool["commands"][name], man["commands"][name]
        if t["usage"] != m["usage"]:
            problems.append(f"{name}: usage differs\n  tool: {t['usage']}\n  man:  {m['usage']}")
        compare(f"{name} options", t["options"] - common, m["options"], problems)
    compare("global options (OPTIONS)", tool["global"], man["global"], problems)
    compare("environment variables (ENVIRONMENT)", tool["env"], man["env"], problems)
    compare("exit statuses (EXIT STATUS)", tool["exit"], man["exit"], problems)
    if tool["version"] != man["version"]:
        problems.append(f".TH says version {man['version']}, the tool says {tool['version']}")

    return problems, common


# Each mutation of the real page must be caught (the checker checks itself).
MUTATIONS = [
    ("an option dropped", r"^\.TP\n\.B \\-\\-force\n[^.][^\n]*\n", ""),
    ("an option renamed", r"^\.B \\-\\-snapshot$", r".B \\-\\-snapshots"),
    ("a subcommand dropped", r"^\.SS vmxcap\n.*?(?=^\.SS help)", ""),
    ("a subcommand added", r"^\.SS help$", ".SS frobnicate\n.B x86msr frobnicate\n.SS help"),
    ("a usage changed", r"^\.B x86msr show NAME\|ADDRESS", ".B x86msr show NAME"),
    ("an environment variable renamed", r"^\.TP\n\.B X86MSR_SYSFS_ROOT$", ".TP\n.B X86MSR_SYS_ROOT"),
    ("the common options dropped", r"^Every subcommand also takes", "Each subcommand takes"),
    ("an exit status added", r"^\.SH ENVIRONMENT$", ".TP\n.B 3\nOther.\n.SH ENVIRONMENT"),
]


def self_test(tool, man_path):
    import os
    import tempfile
    with open(man_path, encoding="utf-8") as f:
        page = f.read()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for what, pattern, replacement in MUTATIONS:
            mutated, n = re.subn(pattern, replacement, page, count=1, flags=re.M | re.S)
            path = os.path.join(tmp, "x86msr.1")
            with open(path, "w", encoding="utf-8") as f:
                f.write(mutated)
            problems = check(tool, path)[0] if n else []
            print(f"{'ok' if problems else 'NOT CAUGHT'}: {what}"
                  + (f" -> {problems[0].splitlines()[0]}" if problems else ("" if n else " (pattern not found)")))
            failures += not problems
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", required=True)
    parser.add_argument("--man", required=True)
    parser.add_argument("--self-test", action="store_true",
                        help="mutate the page in known ways and require each to be caught")
    args = parser.parse_args()

    tool = tool_facts(args.tool)
    if args.self_test:
        return self_test(tool, args.man)
    problems, common = check(tool, args.man)

    groff = shutil.which("groff")
    if groff:
        done = subprocess.run([groff, "-man", "-ww", "-z", args.man], capture_output=True, text=True)
        if done.returncode != 0 or done.stderr.strip():
            problems.append(f"groff -man -ww reports:\n{done.stderr}")
    else:
        print("note: groff not installed; the page was not formatted")

    if problems:
        print(f"{args.man} is out of sync with the tool's help:")
        for p in problems:
            print(f"  {p}")
        return 1
    n_opts = sum(len(tool["commands"][c]["options"]) for c in tool["commands"])
    print(f"{args.man}: {len(tool['commands'])} subcommands, {n_opts} options "
          f"({len(common)} common), {len(tool['global'])} global options, "
          f"{len(tool['env'])} environment variables, {len(tool['exit'])} exit statuses: in sync")
    return 0


if __name__ == "__main__":
    sys.exit(main())
