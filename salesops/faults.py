"""Test hook: ``SALESOPS_FAULT=<point>`` kills the process at that step, as a power cut would.

The points of a write, in order: ``before_write`` (journal written, no record yet),
``after_temp`` (a record's temp file written and fsynced, not renamed), ``after_rename``
(the record file in place), ``after_index`` (git's index updated), ``before_commit``
(just before the commit object is made), ``after_commit`` (commit object made, HEAD not
moved yet), ``after_ref`` (HEAD moved, journal not yet removed).
"""

from __future__ import annotations

import os

POINTS = (
    "before_write",
    "after_temp",
    "after_rename",
    "after_index",
    "before_commit",
    "after_commit",
    "after_ref",
)


def fault(point: str) -> None:
    if os.environ.get("SALESOPS_FAULT") == point:
        os._exit(137)
