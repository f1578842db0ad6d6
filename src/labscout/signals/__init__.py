"""Transparent signals about researchers, read from the store: activity, seniority,
students, group growth, institution type, topics over time, co-authors."""

from labscout.signals.profile import researcher_profile
from labscout.signals.types import ResearcherProfile, SignalParams

__all__ = ["ResearcherProfile", "SignalParams", "researcher_profile"]
