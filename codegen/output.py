"""Write rendered files: atomically (temp file + rename), only when the content
changed, and remove files a previous run generated that are no longer produced.
`check` reports instead of writing."""

import os
import tempfile
from typing import Dict, List

MANIFEST = ".x86msr-generated"
TEMP_PREFIX = ".tmp-x86msr-"


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


def _previous(out_dir: str) -> List[str]:
    text = _read(os.path.join(out_dir, MANIFEST)).decode("utf-8", "replace")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def _with_manifest(files: Dict[str, str]) -> Dict[str, str]:
    listing = "# Files written by python3 -m codegen; it removes those it no longer generates.\n"
    listing += "".join(f"{name}\n" for name in sorted(files))
    return {**files, MANIFEST: listing}


def stale(out_dir: str, files: Dict[str, str]) -> List[str]:
    """Relative paths that differ from `files`, are missing, or are left over."""
    files = _with_manifest(files)
    out = [name for name, text in sorted(files.items())
           if _read(os.path.join(out_dir, name)) != text.encode("utf-8")]
    out += [f"{name} (no longer generated)" for name in _previous(out_dir)
            if name not in files and os.path.exists(os.path.join(out_dir, name))]
    return out


def _write_if_changed(out_dir: str, name: str, text: str) -> bool:
    path = os.path.join(out_dir, name)
    data = text.encode("utf-8")
    if _read(path) == data and os.path.exists(path):
        return False
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return True


def _remove_leftover_temporaries(out_dir: str, files: Dict[str, str]) -> None:
    """A run killed between mkstemp and rename leaves a .tmp-* file; the next run removes it."""
    for directory in sorted({os.path.dirname(os.path.join(out_dir, name)) for name in files}):
        try:
            names = os.listdir(directory)
        except FileNotFoundError:
            continue
        for name in names:
            if name.startswith(TEMP_PREFIX):
                os.unlink(os.path.join(directory, name))


def write(out_dir: str, files: Dict[str, str]) -> List[str]:
    """Write what changed; returns the relative paths written or removed.

    The manifest is read before and written after everything else, so a run
    that stops half-way still lists every file a later run may have to remove."""
    previous = _previous(out_dir)
    files = _with_manifest(files)
    _remove_leftover_temporaries(out_dir, files)
    changed = [name for name, text in sorted(files.items())
               if name != MANIFEST and _write_if_changed(out_dir, name, text)]
    for name in previous:
        if name not in files and os.path.exists(os.path.join(out_dir, name)):
            os.unlink(os.path.join(out_dir, name))
            changed.append(name)
    if _write_if_changed(out_dir, MANIFEST, files[MANIFEST]):
        changed.append(MANIFEST)
    return changed
