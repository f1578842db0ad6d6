"""Committees: conflicts of interest and reviewer assignment."""

from labscout.committee.assign import (
    AssignedPair,
    Assignment,
    InfeasibleError,
    assign,
    assign_files,
)
from labscout.committee.conflicts import (
    Conflict,
    ConflictReport,
    conflicts_from_files,
    find_conflicts,
)

__all__ = [
    "AssignedPair",
    "Assignment",
    "Conflict",
    "ConflictReport",
    "InfeasibleError",
    "assign",
    "assign_files",
    "conflicts_from_files",
    "find_conflicts",
]
