"""Spec errors carry a position so every message reads `FILE:LINE:COL: message`."""

import unicodedata
from dataclasses import dataclass
from typing import List


@dataclass(frozen=True, order=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based
    file: str = ""  # the spec file, when several are validated together (overlays)


@dataclass(frozen=True)
class SpecError:
    position: Position
    message: str

    def format(self, filename: str) -> str:
        """`filename` names the file for errors whose position does not carry one."""
        where = self.position.file or filename
        return f"{where}:{self.position.line}:{self.position.column}: {one_line(self.message)}"


def one_line(text: str) -> str:
    """`text` with control characters and line separators escaped (\\n, \\x85, \\u2028):
    a message quoting the spec's text stays one line."""
    return "".join(ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in ("Cc", "Zl", "Zp")
                   else ch for ch in text)


class SpecErrors(Exception):
    """Raised with every error found; nothing is written when this escapes."""

    def __init__(self, errors: List[SpecError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = sorted(errors, key=lambda e: (e.position.file, e.position.line, e.position.column,
                                                    e.message))
