"""The knowledge base: conditions, findings, red flags, rules and advice as data files.

``load_kb()`` returns the validated, compiled knowledge base; its ``version`` is
stamped on every assessment result. docs/knowledge-base.md explains how a
clinician reads and changes the files.
"""

from kneeguard.knowledge.loader import DATA_DIR, load_kb
from kneeguard.knowledge.model import KnowledgeBase

__all__ = ["DATA_DIR", "KnowledgeBase", "load_kb"]
