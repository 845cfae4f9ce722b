"""kneeguard: a local-first companion for runners with knee pain and their physical therapists."""

__version__ = "0.1.0"
