"""Imports every table module so that ``Base.metadata`` knows the whole schema."""

from kneeguard.storage import activities, assessments, journal, questionnaires

__all__ = ["activities", "assessments", "journal", "questionnaires"]
