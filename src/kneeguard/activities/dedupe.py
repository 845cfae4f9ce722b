"""When two files hold the same activity, and which file's numbers win.

Same activity: the same sport family (running, trail and treadmill count as
one; walking and hiking too), starts within 2 minutes of each other, and
distances within 5% of the longer one. A damaged (incomplete) copy that
starts within the 2 minutes and is shorter is the same activity too: it is
the part of the run that survived an interrupted transfer. The preferred source is a complete
file before a damaged one, then FIT before TCX before GPX.
"""

from __future__ import annotations

from datetime import datetime

from kneeguard.activities.model import FORMATS, sport_family

START_WINDOW_S = 120.0
DISTANCE_TOLERANCE = 0.05


def same_activity(sport_a: str, start_a: datetime, distance_a: float,
                  sport_b: str, start_b: datetime, distance_b: float,
                  incomplete_a: bool = False, incomplete_b: bool = False) -> bool:
    if sport_family(sport_a) != sport_family(sport_b):
        return False
    if abs((start_a - start_b).total_seconds()) > START_WINDOW_S:
        return False
    longest = max(distance_a, distance_b)
    if incomplete_a and distance_a <= distance_b * (1 + DISTANCE_TOLERANCE):
        return True
    if incomplete_b and distance_b <= distance_a * (1 + DISTANCE_TOLERANCE):
        return True
    return abs(distance_a - distance_b) <= DISTANCE_TOLERANCE * longest


def preference(fmt: str | None, incomplete: bool) -> tuple[int, int]:
    """Bigger is better: complete first, then FIT > TCX > GPX."""
    rank = len(FORMATS) - FORMATS.index(fmt) if fmt in FORMATS else 0
    return (0 if incomplete else 1, rank)
