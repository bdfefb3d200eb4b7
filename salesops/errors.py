"""Errors as values with a place, and the one exception the CLI turns into exit 1."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the store: ``path:line: field: message``."""

    path: str
    line: int = 0
    field: str = ""
    message: str = ""

    def __str__(self) -> str:
        loc = f"{self.path}:{self.line}" if self.line else self.path
        parts = [loc]
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "field": self.field, "message": self.message}


class SalesopsError(Exception):
    """A refusal or an invalid input: the CLI prints it as one line and exits 1."""

    def __init__(
        self, message: str, *, problems: list[Problem] | None = None, data: dict | None = None
    ):
        super().__init__(message)
        self.message = message
        self.problems = problems or []
        self.data = data or {}


class RecordError(SalesopsError):
    """A record file that cannot be read or does not validate."""
