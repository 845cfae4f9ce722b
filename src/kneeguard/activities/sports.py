"""Sport names found in files and exports -> the contract's sport values."""

from __future__ import annotations

# Strava's numeric GPX types (old exports): 1 ride, 4 hike, 9 run, 10 walk.
_NUMERIC = {"1": "cycling", "4": "hiking", "9": "running", "10": "walking"}


def sport_from_name(name: str | None) -> str | None:
    """A contract sport for a free-text sport name (GPX ``type``, Strava's Activity Type).

    None when the name says nothing usable (the caller then infers it).
    """
    if not name:
        return None
    low = name.strip().lower().replace("_", " ").replace("-", " ")
    if low in _NUMERIC:
        return _NUMERIC[low]
    squashed = low.replace(" ", "")
    if "treadmill" in squashed or squashed in ("virtualrun", "indoorrunning"):
        return "treadmill_running"
    if "run" in squashed:
        return "trail_running" if "trail" in squashed else "running"
    if any(w in squashed for w in ("bik", "cycl", "ride", "velo")):
        return "cycling"
    if "swim" in squashed:
        return "swimming"
    if "hik" in squashed or "mountaineer" in squashed:
        return "hiking"
    if "walk" in squashed:
        return "walking"
    if squashed in ("other", "generic", "t", ""):
        return None
    return "other"
