"""Spec errors carry a position so every message reads `FILE:LINE:COL: message`."""

from dataclasses import dataclass
from typing import List


@dataclass(frozen=True, order=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


@dataclass(frozen=True)
class SpecError:
    position: Position
    message: str

    def format(self, filename: str) -> str:
        return f"{filename}:{self.position.line}:{self.position.column}: {self.message}"


class SpecErrors(Exception):
    """Raised with every error found; nothing is written when this escapes."""

    def __init__(self, errors: List[SpecError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = sorted(errors, key=lambda e: (e.position, e.message))
