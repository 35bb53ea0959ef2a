#!/usr/bin/env python3
"""x86msr as someone else's dependency (CTest label `consumers`).

Each scenario builds one of examples/ from a clean directory, the way a
consumer would, and checks what a good guest promises (docs/consuming.md):

  add_subdirectory   examples/add_subdirectory: no Check lookup, no C++ compiler,
                     no CMake warning; x86msr defines no test, tool or fuzz
                     target and builds only the library the consumer links
  fetchcontent       examples/fetchcontent from a local source archive: the same checks
  committed_snapshot add_subdirectory without a Python that has Jinja2: builds from
                     the committed generated/ and says so
  stale_snapshot     a copy whose spec changed after the snapshot: configure fails
                     with instructions (with and without X86MSR_USE_COMMITTED_GENERATED)
  install            cmake --install of this build into a prefix; the installed tree
                     (headers, libraries, CMake package, .pc files, tool, man page,
                     spec, generator), relocation, the version policy
  find_package       examples/find_package against the (moved) installed prefix
  pkg_config         examples/pkg-config (a plain Makefile) against it; the other .pc files
  freestanding       examples/freestanding: a -mcmodel=kernel object from the headers alone
  test_backend       examples/test_backend: a consumer's own unit test on the test backend
  shared             x86msr built with BUILD_SHARED_LIBS=ON: SONAMEs, only msr_/MSR_
                     symbols exported (nm -D), the installed tool and consumers run
  overlay            examples/overlay: a private MSR spec through x86msr_add_spec(), from
                     the source tree and from the installed package; an overlay that
                     reuses a base address fails at configure with FILE:LINE:COL
  doc                every sh block of docs/consuming.md, in order

Each scenario prints a `figures:` line (times, build steps, target counts).
"""
import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import time

ALLOWED_SUBPROJECT_TARGETS = {
    # what x86msr may define in a consumer's build: its libraries and the generator steps
    "x86msr", "x86msr_headers", "x86msr_vmx", "x86msr_virt", "x86msr_linux", "x86msr_test_backend",
    "x86msr_generate", "x86msr_refresh_snapshot", "x86msr_docs",
}
LIBRARIES = ["x86msr", "x86msr_vmx", "x86msr_virt", "x86msr_linux", "x86msr_test_backend"]
PC_FILES = {"x86msr": None, "x86msr-vmx": "x86msr_vmx", "x86msr-virt": "x86msr_virt", "x86msr-linux": "x86msr_linux",
            "x86msr-test-backend": "x86msr_test_backend"}
EXPECTED_OUTPUT = "IA32_EFER 0xC0000080"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


class Ctx:
    def __init__(self, args):
        self.a = args
        self.source = os.path.realpath(args.source)
        self.work = os.path.realpath(args.work)
        self.env = dict(os.environ)
        # A consumer needs no C++ compiler: make any attempt to find one fail loudly.
        self.env["CXX"] = "/nonexistent/c++"
        self.env["CC"] = args.cc
        self.env["CMAKE_GENERATOR"] = args.generator
        for var in ("MAKEFLAGS", "PKG_CONFIG_PATH", "CMAKE_PREFIX_PATH"):
            self.env.pop(var, None)
        self.figures = []

    # -- running commands --------------------------------------------------
    def run(self, cmd, cwd=None, env=None, ok=True, quiet=False):
        cwd = cwd or self.work
        print(f"$ {shlex.join(cmd)}", flush=True)
        start = time.monotonic()
        done = subprocess.run(cmd, cwd=cwd, env=env or self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, check=False)
        seconds = time.monotonic() - start
        if not quiet or (ok and done.returncode != 0):
            sys.stdout.write(done.stdout)
        if ok and done.returncode != 0:
            raise Failure(f"exit status {done.returncode}: {shlex.join(cmd)}")
        return done.stdout, seconds, done.returncode

    def fresh(self, *parts):
        path = os.path.join(self.work, *parts)
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
        return path

    def configure(self, src, build, *defs, env=None, ok=True, file_api=False):
        if file_api:
            query = os.path.join(build, ".cmake", "api", "v1", "query")
            os.makedirs(query, exist_ok=True)
            open(os.path.join(query, "codemodel-v2"), "w").close()
        cmd = [self.a.cmake, "-S", src, "-B", build, "-G", self.a.generator,
               f"-DCMAKE_C_COMPILER={self.a.cc}"]
        if self.a.make_program:
            cmd.append(f"-DCMAKE_MAKE_PROGRAM={self.a.make_program}")
        out, seconds, rc = self.run(cmd + list(defs), env=env, ok=ok)
        if rc == 0:
            for bad in ("CMake Warning", "CMake Deprecation Warning", "CMake Error"):
                check(bad not in out, f"configure printed a '{bad}'")
        return out, seconds, rc

    def build(self, build, *extra):
        out, seconds, _ = self.run([self.a.cmake, "--build", build, *extra])
        steps = re.findall(r"^\[\d+/(\d+)\]", out, re.M)
        return out, seconds, int(steps[-1]) if steps else 0

    def figure(self, text):
        self.figures.append(text)

    def pkg_env(self, prefix):
        env = dict(self.env)
        env["PKG_CONFIG_PATH"] = os.path.join(prefix, self.a.libdir, "pkgconfig")
        env.pop("PKG_CONFIG_LIBDIR", None)
        return env

    def no_pkg_config_env(self):
        """An environment in which pkg-config finds nothing (so a Check lookup would fail)."""
        env = dict(self.env)
        empty = os.path.join(self.work, "empty-pkgconfig")
        os.makedirs(empty, exist_ok=True)
        env["PKG_CONFIG_LIBDIR"] = empty
        return env

    # -- helpers -----------------------------------------------------------
    def source_archive(self, dest_dir):
        """A release-style x86msr-VERSION.tar.gz of the working tree (tracked and
        untracked-but-not-ignored files), as a project would download it."""
        top = f"x86msr-{self.a.version}"
        files = None
        if shutil.which("git"):
            done = subprocess.run(["git", "-C", self.source, "ls-files", "-z", "-c", "-o", "--exclude-standard"],
                                  capture_output=True, text=True, check=False)
            if done.returncode == 0:
                files = sorted({f for f in done.stdout.split("\0") if f})
        if files is None:  # not a git checkout: every file but build trees and caches
            files = []
            for root, dirs, names in os.walk(self.source):
                rel = os.path.relpath(root, self.source)
                dirs[:] = [d for d in dirs if not (rel == "." and d.startswith("build"))
                           and d not in (".git", "__pycache__")]
                files += [os.path.normpath(os.path.join(rel, n)) for n in names if not n.endswith(".pyc")]
        path = os.path.join(dest_dir, f"{top}.tar.gz")
        with tarfile.open(path, "w:gz") as tar:
            for f in files:
                full = os.path.join(self.source, f)
                if os.path.isfile(full):
                    tar.add(full, arcname=f"{top}/{f}", recursive=False)
        return path, top

    def fake_no_jinja(self):
        """A PYTHONPATH under which `import jinja2` fails: a machine without Jinja2."""
        fake = os.path.join(self.work, "no-jinja2")
        os.makedirs(os.path.join(fake, "jinja2"), exist_ok=True)
        with open(os.path.join(fake, "jinja2", "__init__.py"), "w") as f:
            f.write('raise ImportError("Jinja2 hidden by the x86msr consumer test")\n')
        return fake


# ---------------------------------------------------------------------------
# File API: which targets x86msr defines in a consumer's build, which were built

def subproject_targets(build, x86msr_source):
    reply = os.path.join(build, ".cmake", "api", "v1", "reply")
    index = sorted(f for f in os.listdir(reply) if f.startswith("index-"))[-1]
    with open(os.path.join(reply, index)) as f:
        index = json.load(f)
    codemodel = next(o for o in index["objects"] if o["kind"] == "codemodel")
    with open(os.path.join(reply, codemodel["jsonFile"])) as f:
        model = json.load(f)
    config = model["configurations"][0]
    source_root = model["paths"]["source"]
    project = next((p for p in config["projects"] if p["name"] == "x86msr"), None)
    check(project is not None, "no project named x86msr in the consumer's build")
    ours = []
    for i in project.get("targetIndexes", []):
        target = config["targets"][i]
        directory = config["directories"][target["directoryIndex"]]["source"]
        directory = os.path.realpath(os.path.join(source_root, directory))
        with open(os.path.join(reply, target["jsonFile"])) as f:
            detail = json.load(f)
        artifacts = [os.path.join(build, a["path"]) for a in detail.get("artifacts", [])]
        ours.append({"name": target["name"], "type": detail["type"],
                     "dir": os.path.relpath(directory, os.path.realpath(x86msr_source)),
                     "built": bool(artifacts) and all(os.path.exists(a) for a in artifacts)})
    return ours


def check_subproject(ctx, label, configure_out, build_dir, x86msr_source, seconds):
    """The checks shared by add_subdirectory and FetchContent consumers."""
    check("Checking for module 'check'" not in configure_out and "check" not in
          re.findall(r"Checking for module '([^']+)'", configure_out),
          "configure looked up Check")
    check("CXX compiler" not in configure_out, "configure looked for a C++ compiler")
    build_out, build_s, steps = ctx.build(build_dir)
    targets = subproject_targets(build_dir, x86msr_source)
    names = sorted(t["name"] for t in targets)
    unexpected = [f"{t['name']} ({t['dir']})" for t in targets
                  if t["name"] not in ALLOWED_SUBPROJECT_TARGETS
                  or t["dir"].startswith(("tests", "src/tool"))]
    check(not unexpected, f"x86msr defines test/tool/fuzz targets in a consumer's build: {unexpected}")
    built = sorted(t["name"] for t in targets if t["built"] and t["type"] != "UTILITY"
                   and t["type"] != "INTERFACE_LIBRARY")
    check(built == ["x86msr"], f"the consumer links only x86msr::x86msr, but these were built: {built}")
    out, _, _ = ctx.run([os.path.join(build_dir, "msr_lookup")])
    check(out.strip() == EXPECTED_OUTPUT, f"msr_lookup printed {out.strip()!r}")
    ctx.figure(f"{label}: configure {seconds:.1f} s, build {build_s:.1f} s ({steps} steps); "
               f"x86msr targets defined {len(names)} ({', '.join(names)}), built: {', '.join(built)}")


# ---------------------------------------------------------------------------
# Scenarios

def scenario_add_subdirectory(ctx):
    build = ctx.fresh("build")
    out, seconds, _ = ctx.configure(os.path.join(ctx.source, "examples", "add_subdirectory"), build,
                                    f"-DX86MSR_SOURCE_DIR={ctx.source}",
                                    env=ctx.no_pkg_config_env(), file_api=True)
    check("x86msr: generator runs with" in out or "committed generated/" in out,
          "configure did not say how the headers are made")
    check_subproject(ctx, "add_subdirectory", out, build, ctx.source, seconds)


def scenario_fetchcontent(ctx):
    archive, top = ctx.source_archive(ctx.fresh("archive"))
    build = ctx.fresh("build")
    out, seconds, _ = ctx.configure(os.path.join(ctx.source, "examples", "fetchcontent"), build,
                                    f"-DX86MSR_URL={archive}", env=ctx.no_pkg_config_env(), file_api=True)
    fetched = os.path.join(build, "_deps", "x86msr-src")
    check(os.path.isfile(os.path.join(fetched, "spec", "msrs.yaml")), "FetchContent did not unpack x86msr")
    check_subproject(ctx, "fetchcontent", out, build, fetched, seconds)
    ctx.figure(f"fetchcontent: source archive {os.path.getsize(archive) // 1024} KiB")


def scenario_committed_snapshot(ctx):
    env = ctx.no_pkg_config_env()
    env["PYTHONPATH"] = ctx.fake_no_jinja()
    build = ctx.fresh("build")
    out, seconds, _ = ctx.configure(os.path.join(ctx.source, "examples", "add_subdirectory"), build,
                                    f"-DX86MSR_SOURCE_DIR={ctx.source}", env=env, file_api=True)
    check("building from the committed generated/ snapshot" in out,
          "configure did not say it builds from the committed snapshot")
    check("generator runs with" not in out, "the generator was used although Jinja2 is missing")
    check_subproject(ctx, "committed_snapshot", out, build, ctx.source, seconds)


def scenario_stale_snapshot(ctx):
    archive, top = ctx.source_archive(ctx.fresh("archive"))
    copy_root = ctx.fresh("copy")
    with tarfile.open(archive) as tar:
        tar.extractall(copy_root)
    copy = os.path.join(copy_root, top)
    with open(os.path.join(copy, "spec", "msrs.yaml"), "a") as f:
        f.write("# an edit made after the snapshot was generated\n")
    example = os.path.join(ctx.source, "examples", "add_subdirectory")
    env = ctx.no_pkg_config_env()
    env["PYTHONPATH"] = ctx.fake_no_jinja()
    for label, extra, run_env in (("no Jinja2", [], env),
                                  ("X86MSR_USE_COMMITTED_GENERATED=ON", ["-DX86MSR_USE_COMMITTED_GENERATED=ON"],
                                   ctx.no_pkg_config_env())):
        build = ctx.fresh("build")
        out, _, rc = ctx.configure(example, build, f"-DX86MSR_SOURCE_DIR={copy}", *extra, env=run_env, ok=False)
        check(rc != 0, f"{label}: configure accepted a stale snapshot")
        for needle in ("spec/msrs.yaml: changed since the snapshot was generated",
                       "apt-get install python3-jinja2 python3-yaml",
                       "--target x86msr_refresh_snapshot"):
            check(needle in out, f"{label}: the configure error lacks {needle!r}")
        print(f"ok: {label}: a stale snapshot is refused with instructions")
    # The hash check itself names the file.
    out, _, rc = ctx.run([ctx.a.cmake, f"-DX86MSR_SOURCE_DIR={copy}", "-P",
                          os.path.join(copy, "cmake", "x86msr_inputs_hash.cmake")], ok=False)
    check(rc != 0 and "spec/msrs.yaml: changed" in out, "the hash check script passed a stale snapshot")


def installed_files(prefix):
    out = set()
    for root, _, names in os.walk(prefix):
        for n in names:
            out.add(os.path.relpath(os.path.join(root, n), prefix))
    return out


def inspect_install(ctx, prefix, shared, tool=True):
    """The installed tree holds exactly what it should."""
    a = ctx.a
    lib, inc, data = a.libdir, a.includedir, os.path.join(a.datadir, "x86msr")
    handwritten = sorted(f for f in os.listdir(os.path.join(ctx.source, "src", "include", "x86msr"))
                         if f.endswith(".h"))
    generated = sorted(f for f in os.listdir(os.path.join(a.generated_dir, "include", "x86msr"))
                       if f.endswith(".h"))
    expected = {f"{inc}/x86msr/{h}" for h in handwritten + generated}
    for name in LIBRARIES:
        if shared:
            v = a.version
            expected |= {f"{lib}/lib{name}.so", f"{lib}/lib{name}.so.{a.soversion}", f"{lib}/lib{name}.so.{v}"}
        else:
            expected.add(f"{lib}/lib{name}.a")
    cmakedir = f"{lib}/cmake/x86msr"
    expected |= {f"{cmakedir}/x86msrConfig.cmake", f"{cmakedir}/x86msrConfigVersion.cmake",
                 f"{cmakedir}/x86msrTargets.cmake", f"{cmakedir}/x86msr_spec.cmake"}
    expected |= {f"{lib}/pkgconfig/{pc}.pc" for pc in PC_FILES}
    if tool:
        expected |= {f"{a.bindir}/x86msr", f"{a.mandir}/man1/x86msr.1",
                     f"{a.datadir}/bash-completion/completions/x86msr"}
    expected.add(f"{data}/spec/msrs.yaml")
    expected |= {f"{data}/tool/{f}" for f in os.listdir(os.path.join(ctx.source, "src", "tool"))
                 if f.endswith((".c", ".h"))}
    expected |= {f"{data}/codegen/{f}" for f in os.listdir(os.path.join(ctx.source, "codegen"))
                 if f.endswith((".py", ".txt"))}
    expected |= {f"{data}/codegen/templates/{f}"
                 for f in os.listdir(os.path.join(ctx.source, "codegen", "templates"))
                 if os.path.isfile(os.path.join(ctx.source, "codegen", "templates", f))}
    actual = installed_files(prefix)
    per_config = {f for f in actual if re.fullmatch(re.escape(cmakedir) + r"/x86msrTargets-[a-z]+\.cmake", f)}
    check(len(per_config) == 1, f"expected one x86msrTargets-<config>.cmake, found {sorted(per_config)}")
    missing = sorted(expected - actual)
    extra = sorted(actual - expected - per_config)
    check(not missing, f"not installed: {missing}")
    check(not extra, f"installed but not expected: {extra}")
    for h in generated:
        with open(os.path.join(prefix, inc, "x86msr", h), "rb") as f1, \
                open(os.path.join(a.generated_dir, "include", "x86msr", h), "rb") as f2:
            check(f1.read() == f2.read(), f"installed {h} differs from the build's")
    # Relocatable: no installed package file names this prefix, the source or the build tree.
    for rel in sorted(f for f in actual if f.startswith((cmakedir, f"{lib}/pkgconfig"))):
        with open(os.path.join(prefix, rel), encoding="utf-8") as f:
            text = f.read()
        for path in (prefix, ctx.source, a.build_dir):
            check(path not in text, f"{rel} contains the absolute path {path}")
    print(f"ok: {len(actual)} files installed: {len(handwritten)} + {len(generated)} headers, "
          f"{len(LIBRARIES)} libraries, CMake package, {len(PC_FILES)} .pc files, "
          f"{'tool, man page, ' if tool else ''}spec and generator")
    return len(actual)


def move_prefix(ctx, prefix, moved):
    shutil.rmtree(moved, ignore_errors=True)
    shutil.copytree(prefix, moved, symlinks=True)
    shutil.rmtree(prefix)  # nothing may still point at the old place
    return moved


def check_pkg_config_files(ctx, prefix, shared):
    env = ctx.pkg_env(prefix)
    pc = ctx.a.pkg_config
    for name, lib in PC_FILES.items():
        ctx.run([pc, "--exists", "--print-errors", name], env=env)
        out, _, rc = ctx.run([pc, "--validate", name], env=env, ok=False)
        check(rc == 0 or "unknown option" in out.lower() or "unrecognized" in out.lower(),
              f"pkg-config --validate {name} failed")
        if lib:
            requires, _, _ = ctx.run([pc, "--print-requires", name], env=env)
            check(requires.split()[:1] == ["x86msr"], f"{name}.pc does not require x86msr: {requires!r}")
        libs, _, _ = ctx.run([pc, "--libs", name], env=env)
        check(f"-l{lib or 'x86msr'}" in libs.split(), f"{name}: --libs lacks -l{lib or 'x86msr'}")
        if lib:
            check("-lx86msr" in libs.split(), f"{name}: --libs lacks -lx86msr (through Requires)")
    cflags, _, _ = ctx.run([pc, "--cflags", "x86msr"], env=env)
    include = cflags.split()[0][2:]
    check(os.path.realpath(include) == os.path.realpath(os.path.join(prefix, ctx.a.includedir)),
          f"pkg-config --cflags x86msr points at {include}, not into {prefix}")
    cflags, _, _ = ctx.run([pc, "--cflags", "x86msr-test-backend"], env=env)
    check("-DMSR_BACKEND_OPS" in cflags.split(), "x86msr-test-backend.pc does not define MSR_BACKEND_OPS")
    # Link a program through x86msr-test-backend and one through x86msr-linux.
    src = os.path.join(ctx.work, "pc_programs")
    os.makedirs(src, exist_ok=True)
    programs = {
        "x86msr-test-backend": "#include <x86msr/test_backend.h>\n#include <x86msr/msrs.h>\n"
                               "static struct msr_test_backend tb;\nint main(void)\n{\n"
                               "    uint64_t v;\n    msr_test_backend_init(&tb);\n"
                               "    msr_test_backend_set(&tb, MSR_IA32_EFER_ADDR, 0xD01);\n"
                               "    msr_backend_install(&tb.backend);\n"
                               "    return !(msr_rdmsr_safe(MSR_IA32_EFER_ADDR, &v) == MSR_OK && v == 0xD01);\n}\n",
        "x86msr-linux": "#include <x86msr/linux.h>\nint main(void)\n{\n"
                        "    struct msr_linux *h = msr_linux_open(NULL);\n"
                        "    if (h == NULL)\n        return 1;\n    msr_linux_close(h);\n    return 0;\n}\n",
    }
    for name, text in programs.items():
        c = os.path.join(src, f"{name}.c")
        with open(c, "w") as f:
            f.write(text)
        flags, _, _ = ctx.run([pc, "--cflags", "--libs", name], env=env)
        exe = os.path.join(src, name)
        ctx.run([ctx.a.cc, "-Wall", "-Werror", "-o", exe, c, *flags.split()], env=env)
        run_env = dict(env)
        if shared:
            run_env["LD_LIBRARY_PATH"] = os.path.join(prefix, ctx.a.libdir)
        ctx.run([exe], env=run_env)
        print(f"ok: a program built with `pkg-config --cflags --libs {name}` runs")


def check_version_policy(ctx, prefix):
    version_file = os.path.join(prefix, ctx.a.libdir, "cmake", "x86msr", "x86msrConfigVersion.cmake")
    script = os.path.join(ctx.work, "version_policy.cmake")
    major, minor = ctx.a.version.split(".")[:2]
    if major == "0":
        # 0.x: compatible within a minor version only (every 0.x may change the ABI)
        cases = [(ctx.a.version, True), (f"0.{minor}", True), (f"0.{int(minor) + 1}", False), ("1.0", False)]
        if minor != "0":
            cases.append((f"0.{int(minor) - 1}", False))
    else:
        cases = [(ctx.a.version, True), (f"{major}.0", True), (f"{int(major) + 1}.0", False),
                 (f"{int(major) - 1}.0", False)]
    with open(script, "w") as f:
        for want, ok in cases:
            f.write(f'set(PACKAGE_FIND_VERSION "{want}")\n'
                    f'string(REPLACE "." ";" _v "{want}")\nlist(GET _v 0 PACKAGE_FIND_VERSION_MAJOR)\n'
                    f'list(GET _v 1 PACKAGE_FIND_VERSION_MINOR)\nset(PACKAGE_FIND_VERSION_PATCH 0)\n'
                    f'set(PACKAGE_FIND_VERSION_COUNT 2)\nset(PACKAGE_VERSION_COMPATIBLE "")\n'
                    f'set(CMAKE_SIZEOF_VOID_P 8)\ninclude("{version_file}")\n'
                    f'if({"NOT " if ok else ""}PACKAGE_VERSION_COMPATIBLE)\n'
                    f'  message(FATAL_ERROR "find_package(x86msr {want}) gives compatible=${{PACKAGE_VERSION_COMPATIBLE}}")\n'
                    f'endif()\nmessage(STATUS "find_package(x86msr {want}): {"accepted" if ok else "refused"}")\n')
    ctx.run([ctx.a.cmake, "-P", script])


def scenario_install(ctx):
    a = ctx.a
    prefix = os.path.join(ctx.fresh("tree"), "prefix")
    _, seconds, _ = ctx.run([a.cmake, "--install", a.build_dir, "--prefix", prefix])
    count = inspect_install(ctx, prefix, shared=a.shared, tool=a.tool)
    # The installed generator reproduces the installed headers (from a copy of the package data).
    if a.python:
        regen = ctx.fresh("regen")
        env = dict(ctx.env, PYTHONDONTWRITEBYTECODE="1")
        ctx.run([a.python, "-m", "codegen", "--spec", "spec/msrs.yaml", "--out", regen, "--quiet"],
                cwd=os.path.join(prefix, a.datadir, "x86msr"), env=env)
        for h in os.listdir(os.path.join(regen, "include", "x86msr")):
            with open(os.path.join(regen, "include", "x86msr", h), "rb") as f1, \
                    open(os.path.join(prefix, a.includedir, "x86msr", h), "rb") as f2:
                check(f1.read() == f2.read(), f"the installed generator makes a different {h}")
        print("ok: the installed spec and generator reproduce the installed headers")
    moved = move_prefix(ctx, prefix, os.path.join(ctx.work, "prefix"))
    print(f"ok: prefix moved to {moved}")
    check_version_policy(ctx, moved)
    check_pkg_config_files(ctx, moved, shared=a.shared)
    if a.tool:
        out, _, _ = ctx.run([os.path.join(moved, a.bindir, "x86msr"), "show", "IA32_EFER"])
        check("0xC0000080" in out, "the installed tool does not show IA32_EFER")
        out, _, _ = ctx.run([os.path.join(moved, a.bindir, "x86msr"), "--version"])
        check(out.strip() == f"x86msr {a.version}", f"the installed tool says {out.strip()!r}")
    ctx.figure(f"install: {count} files in {seconds:.1f} s")


def scenario_find_package(ctx, prefix=None, label="find_package", run_env=None, build="build"):
    prefix = prefix or ctx.a.prefix
    build = ctx.fresh(build)
    out, seconds, _ = ctx.configure(os.path.join(ctx.source, "examples", "find_package"), build,
                                    f"-DCMAKE_PREFIX_PATH={prefix}", env=ctx.no_pkg_config_env())
    check("CXX compiler" not in out, "configure looked for a C++ compiler")
    _, build_s, steps = ctx.build(build)
    out, _, _ = ctx.run([os.path.join(build, "msr_lookup")], env=run_env)
    check(out.strip() == EXPECTED_OUTPUT, f"msr_lookup printed {out.strip()!r}")
    ctx.figure(f"{label}: configure {seconds:.1f} s, build {build_s:.1f} s ({steps} steps)")
    # What else the package promises (docs/consuming.md): components, x86msr_DATADIR, x86msr_SHARED_LIBS.
    probe = ctx.fresh(build + "-probe")
    with open(os.path.join(probe, "CMakeLists.txt"), "w") as f:
        f.write(f"""cmake_minimum_required(VERSION 3.21)
project(probe LANGUAGES C)
find_package(x86msr 0.1 REQUIRED COMPONENTS x86msr headers vmx virt linux test_backend)
foreach(t x86msr headers vmx virt linux test_backend)
  if(NOT TARGET x86msr::${{t}})
    message(FATAL_ERROR "no target x86msr::${{t}}")
  endif()
endforeach()
if(NOT EXISTS "${{x86msr_DATADIR}}/spec/msrs.yaml" OR NOT EXISTS "${{x86msr_DATADIR}}/codegen/__main__.py")
  message(FATAL_ERROR "x86msr_DATADIR=${{x86msr_DATADIR}} lacks the spec or the generator")
endif()
if(NOT x86msr_SHARED_LIBS STREQUAL "{'ON' if (ctx.a.shared or 'shared' in label) else 'OFF'}")
  message(FATAL_ERROR "x86msr_SHARED_LIBS=${{x86msr_SHARED_LIBS}}")
endif()
find_package(x86msr 0.1 QUIET COMPONENTS no_such_component)
if(x86msr_FOUND)
  message(FATAL_ERROR "find_package(x86msr COMPONENTS no_such_component) succeeded")
endif()
message(STATUS "x86msr package: 5 components, x86msr_DATADIR, x86msr_SHARED_LIBS=${{x86msr_SHARED_LIBS}}: ok")
""")
    ctx.configure(probe, os.path.join(probe, "build"), f"-DCMAKE_PREFIX_PATH={prefix}", env=ctx.no_pkg_config_env())


def scenario_pkg_config(ctx, prefix=None, label="pkg_config", shared=None, build="build"):
    prefix = prefix or ctx.a.prefix
    shared = ctx.a.shared if shared is None else shared
    build = ctx.fresh(build)
    env = ctx.pkg_env(prefix)
    makefile = os.path.join(ctx.source, "examples", "pkg-config", "Makefile")
    _, seconds, _ = ctx.run([ctx.a.make, "-f", makefile, f"CC={ctx.a.cc}", f"PKG_CONFIG={ctx.a.pkg_config}"],
                            cwd=build, env=env)
    run_env = dict(env)
    if shared:
        run_env["LD_LIBRARY_PATH"] = os.path.join(prefix, ctx.a.libdir)
    out, _, _ = ctx.run([os.path.join(build, "msr_lookup")], env=run_env)
    check(out.strip() == EXPECTED_OUTPUT, f"msr_lookup printed {out.strip()!r}")
    ctx.figure(f"{label}: make {seconds:.1f} s")


def check_freestanding_object(ctx, obj):
    out, _, _ = ctx.run([ctx.a.nm, "-u", obj])
    check(out.strip() == "", f"the freestanding object needs symbols: {out.strip()}")
    out, _, _ = ctx.run([ctx.a.readelf, "-S", "-W", obj], quiet=True)
    check(re.search(r"\bmsr_extable\b", out), "no msr_extable section: the _safe read left no fixup record")
    check(".text.msr_fixup" in out, "no .text.msr_fixup section")
    out, _, _ = ctx.run([ctx.a.readelf, "-r", "-W", obj], quiet=True)
    # (a branch to a local label may be R_X86_64_PLT32 with LLVM: the same as PC32 there)
    check("GOT" not in out, "the object goes through a GOT (not -fno-pic code)")


def scenario_freestanding(ctx):
    makefile = os.path.join(ctx.source, "examples", "freestanding", "Makefile")
    # 1. against the installed headers (X86MSR_CFLAGS from pkg-config)
    build = ctx.fresh("installed")
    _, seconds, _ = ctx.run([ctx.a.make, "-f", makefile, f"CC={ctx.a.cc}"], cwd=build,
                            env=ctx.pkg_env(ctx.a.prefix))
    check_freestanding_object(ctx, os.path.join(build, "kernel_msr.o"))
    # 2. against a source tree: the handwritten headers and the build's generated ones
    build = ctx.fresh("source-tree")
    cflags = f"-I{ctx.source}/src/include -I{ctx.a.generated_dir}/include"
    ctx.run([ctx.a.make, "-f", makefile, f"CC={ctx.a.cc}", f"X86MSR_CFLAGS={cflags}"], cwd=build)
    check_freestanding_object(ctx, os.path.join(build, "kernel_msr.o"))
    print("ok: kernel_msr.o is freestanding: no undefined symbols, exception-table entries, no GOT")
    ctx.figure(f"freestanding: compile {seconds:.2f} s")


def scenario_test_backend(ctx):
    build = ctx.fresh("build")
    _, seconds, _ = ctx.configure(os.path.join(ctx.source, "examples", "test_backend"), build,
                                  f"-DCMAKE_PREFIX_PATH={ctx.a.prefix}", env=ctx.no_pkg_config_env())
    _, build_s, steps = ctx.build(build)
    out, test_s, _ = ctx.run([ctx.a.ctest, "--test-dir", build, "--output-on-failure", "-V"])
    check("enable_nx: all checks passed" in out and "100% tests passed" in out,
          "the consumer's unit test did not pass")
    ctx.figure(f"test_backend: configure {seconds:.1f} s, build {build_s:.1f} s ({steps} steps), "
               f"ctest {test_s:.1f} s")


def scenario_shared(ctx):
    a = ctx.a
    build = ctx.fresh("build")
    out, seconds, _ = ctx.configure(ctx.source, build, "-DBUILD_SHARED_LIBS=ON", "-DX86MSR_BUILD_TESTS=OFF",
                                    "-DCMAKE_BUILD_TYPE=Release", env=ctx.no_pkg_config_env())
    check("Checking for module 'check'" not in out, "a build without tests looked up Check")
    _, build_s, steps = ctx.build(build)
    prefix = os.path.join(ctx.fresh("tree"), "prefix")
    ctx.run([a.cmake, "--install", build, "--prefix", prefix])
    inspect_install(ctx, prefix, shared=True, tool=True)
    libdir = os.path.join(prefix, a.libdir)
    exported_total = 0
    for name in LIBRARIES:
        so = os.path.join(libdir, f"lib{name}.so")
        out, _, _ = ctx.run([a.readelf, "-d", "-W", so], quiet=True)
        soname = re.search(r"\(SONAME\)\s+Library soname: \[([^]]+)\]", out)
        check(soname and soname.group(1) == f"lib{name}.so.{a.soversion}",
              f"lib{name}.so has SONAME {soname.group(1) if soname else None}")
        out, _, _ = ctx.run([a.nm, "-D", "--defined-only", so], quiet=True)
        symbols = [line.split()[-1] for line in out.splitlines() if line.strip()]
        bad = [s for s in symbols if not s.startswith(("msr_", "MSR_"))]
        check(not bad, f"lib{name}.so exports symbols outside msr_/MSR_: {bad}")
        check(symbols, f"lib{name}.so exports nothing")
        undefined, _, _ = ctx.run([a.nm, "-D", "--undefined-only", so], quiet=True)
        weak = [l.split()[-1] for l in undefined.splitlines() if l.split()[:1] == ["w"]]
        exported_total += len(symbols)
        print(f"ok: lib{name}.so: SONAME lib{name}.so.{a.soversion}, {len(symbols)} symbols exported, "
              f"all msr_/MSR_; weak undefined: {', '.join(weak) or 'none'}")
    moved = move_prefix(ctx, prefix, os.path.join(ctx.work, "prefix"))
    out, _, _ = ctx.run([os.path.join(moved, a.bindir, "x86msr"), "show", "IA32_EFER"])
    check("0xC0000080" in out, "the installed tool (shared libraries, moved prefix) does not run")
    out, _, _ = ctx.run([a.readelf, "-d", "-W", os.path.join(moved, a.bindir, "x86msr")], quiet=True)
    check("$ORIGIN" in out, "the installed tool has no $ORIGIN run path")
    check_pkg_config_files(ctx, moved, shared=True)
    scenario_pkg_config(ctx, prefix=moved, label="shared pkg_config", shared=True, build="pkg_config")
    scenario_find_package(ctx, prefix=moved, label="shared find_package", build="find_package")
    ctx.figure(f"shared: configure {seconds:.1f} s, build {build_s:.1f} s ({steps} steps); "
               f"{exported_total} symbols exported by the 4 libraries")


OVERLAY_OUTPUT = "ACME_GUEST_CTL 0x40001000 acme 0x3"


def scenario_overlay(ctx):
    example = os.path.join(ctx.source, "examples", "overlay")
    build = ctx.fresh("build")
    _, seconds, _ = ctx.configure(example, build, f"-DX86MSR_SOURCE_DIR={ctx.source}", env=ctx.no_pkg_config_env())
    _, build_s, steps = ctx.build(build)
    out, _, _ = ctx.run([os.path.join(build, "acme_hv")])
    check(out.strip() == OVERLAY_OUTPUT, f"acme_hv printed {out.strip()!r}")
    header = os.path.join(build, "x86msr_acme_hv", "include", "x86msr", "msr_acme.h")
    check(os.path.isfile(header), "no x86msr/msr_acme.h in the consumer's build tree")
    shown, _, _ = ctx.run([os.path.join(build, "acme-msr"), "decode", "ACME_GUEST_CTL", "0x3", "--json"])
    fields = {f["name"]: f["value"] for f in json.loads(shown)["fields"]}
    check(fields.get("ENABLE") == "0x1" and fields.get("MODE") == "0x1",
          f"the overlay's tool decodes ACME_GUEST_CTL 0x3 as {fields}")
    ctx.figure(f"overlay (add_subdirectory): configure {seconds:.1f} s, build {build_s:.1f} s ({steps} steps)")
    # A clash with the base spec is the generator's FILE:LINE:COL, at configure.
    bad = ctx.fresh("clash")
    for name in ("CMakeLists.txt", "main.c", "acme_msrs.yaml"):
        shutil.copy(os.path.join(example, name), bad)
    spec = os.path.join(bad, "acme_msrs.yaml")
    with open(spec) as f:
        text = f.read()
    with open(spec, "w") as f:
        f.write(text.replace("address: 0x40001000", "address: 0xC0000080"))
    result = subprocess.run([ctx.a.cmake, "-S", bad, "-B", os.path.join(bad, "build"), "-G", ctx.a.generator,
                             f"-DX86MSR_SOURCE_DIR={ctx.source}"], capture_output=True, text=True,
                            env=ctx.no_pkg_config_env())
    check(result.returncode != 0, "an overlay reusing IA32_EFER's address configured")
    check(re.search(re.escape(spec) + r":9:14:\s+ACME_GUEST_CTL\s+at\s+0xC0000080\s+collides\s+with\s+IA32_EFER",
                    result.stderr), f"no positioned clash message:\n{result.stderr}")
    # From the installed package (the install scenario's prefix), when there is one.
    if ctx.a.prefix and os.path.isdir(ctx.a.prefix):
        build = ctx.fresh("installed")
        ctx.configure(example, build, "-DUSE_INSTALLED_X86MSR=ON", f"-DCMAKE_PREFIX_PATH={ctx.a.prefix}",
                      env=ctx.no_pkg_config_env())
        ctx.build(build)
        out, _, _ = ctx.run([os.path.join(build, "acme_hv")])
        check(out.strip() == OVERLAY_OUTPUT, f"acme_hv (installed x86msr) printed {out.strip()!r}")
        shown, _, _ = ctx.run([os.path.join(build, "acme-msr"), "show", "ACME_GUEST_CTL"])
        check("0x40001000" in shown, "the installed package's overlay tool does not show ACME_GUEST_CTL")
        ctx.figure("overlay (find_package): ok")


def scenario_doc(ctx):
    """Runs every ```sh block of docs/consuming.md, in order, in one bash, in a scratch
    directory where x86msr/ is the source tree and /opt/x86msr is a scratch prefix.
    Every line of its ```cmake and ```make blocks must appear in an example."""
    doc = os.path.join(ctx.source, "docs", "consuming.md")
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", text, re.M | re.S)
    scratch = ctx.fresh("scratch")
    os.symlink(ctx.source, os.path.join(scratch, "x86msr"))
    prefix = os.path.join(scratch, "opt", "x86msr")
    script = ["set -euxo pipefail"]
    example_text = ""
    for root, _, names in os.walk(os.path.join(ctx.source, "examples")):
        for n in names:
            with open(os.path.join(root, n), encoding="utf-8") as f:
                example_text += f.read() + "\n"
    example_lines = {" ".join(l.split()) for l in example_text.splitlines()}
    n_sh = n_snippets = 0
    for lang, body in blocks:
        if lang == "sh":
            n_sh += 1
            script.append(body.replace("/opt/x86msr", prefix))
        elif lang in ("cmake", "make", "c"):
            n_snippets += 1
            for line in body.splitlines():
                norm = " ".join(line.split())
                if not norm or norm.startswith(("#", "/*", "*", "//", "...")):
                    continue
                check(norm in example_lines, f"docs/consuming.md shows a {lang} line no example has: {line!r}")
    check(n_sh > 0, "docs/consuming.md has no sh blocks")
    env = dict(ctx.env)
    env["CMAKE_BUILD_PARALLEL_LEVEL"] = env.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")
    path = os.path.join(scratch, "doc_commands.sh")
    with open(path, "w") as f:
        f.write("\n".join(script) + "\n")
    _, seconds, _ = ctx.run(["bash", path], cwd=scratch, env=env)
    ctx.figure(f"doc: {n_sh} sh blocks run in {seconds:.1f} s; {n_snippets} cmake/make/c snippets "
               f"found in examples/")


SCENARIOS = {name[len("scenario_"):]: fn for name, fn in globals().items() if name.startswith("scenario_")}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", choices=sorted(SCENARIOS))
    p.add_argument("--source", required=True, help="the x86msr source tree")
    p.add_argument("--work", required=True, help="a directory this scenario owns (emptied first)")
    p.add_argument("--build-dir", required=True, help="the x86msr build tree under test")
    p.add_argument("--generated-dir", required=True, help="X86MSR_GENERATED_DIR of that build")
    p.add_argument("--prefix", help="the installed (and moved) prefix of the install scenario")
    p.add_argument("--version", required=True)
    p.add_argument("--soversion", required=True)
    p.add_argument("--shared", action="store_true", help="that build has BUILD_SHARED_LIBS=ON")
    p.add_argument("--tool", action="store_true", help="that build has the tool")
    p.add_argument("--cmake", required=True)
    p.add_argument("--ctest", required=True)
    p.add_argument("--generator", required=True)
    p.add_argument("--make-program", default="")
    p.add_argument("--cc", required=True)
    p.add_argument("--python", default="", help="a Python with Jinja2 and PyYAML, if any")
    p.add_argument("--pkg-config", default="pkg-config")
    p.add_argument("--make", default="make")
    p.add_argument("--nm", default="nm")
    p.add_argument("--readelf", default="readelf")
    for d in ("libdir", "includedir", "bindir", "datadir", "mandir"):
        p.add_argument(f"--{d}", required=True)
    args = p.parse_args()
    for name in ("build_dir", "generated_dir", "prefix"):
        if getattr(args, name):
            setattr(args, name, os.path.realpath(getattr(args, name)))
    os.makedirs(args.work, exist_ok=True)
    ctx = Ctx(args)
    try:
        SCENARIOS[args.scenario](ctx)
    except Failure as e:
        print(f"FAIL: consumer {args.scenario}: {e}")
        return 1
    for line in ctx.figures:
        print(f"figures: {line}")
    print(f"PASS: consumer {args.scenario}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
