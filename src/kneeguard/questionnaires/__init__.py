"""Validated questionnaires: instrument definitions (data), scoring, MCID and suggestions.

Pure core: imports nothing from storage, web, cli or report.

    load_instrument("akps")            -> Instrument (verbatim definition, content hash)
    score(instrument, answers)         -> ScoreResult (official rule + missing-item rule)
    classify_change(instrument, a, b)  -> Change (improved/worsened only beyond the MCID)
    score_history(instrument, rows)    -> scores over time with changes
    suggest_instruments(result)        -> which instruments fit an assessment result
    check_text(doc, instrument)        -> a clinic's licensed KOOS wording, validated
"""

from __future__ import annotations

from kneeguard.questionnaires.mcid import (
    Change,
    HistoryRow,
    ScoredResponse,
    classify_change,
    mcid_value,
    score_history,
)
from kneeguard.questionnaires.model import (
    INSTRUMENT_IDS,
    LICENSED_TEXT_HELP,
    Instrument,
    Item,
    Mcid,
    Option,
    content_hash,
    load_instrument,
    load_instruments,
)
from kneeguard.questionnaires.scoring import ScoreResult, check_answers, format_score, score
from kneeguard.questionnaires.suggest import Suggestion, suggest_instruments
from kneeguard.questionnaires.texts import InstrumentText, apply_text, check_text

__all__ = [
    "INSTRUMENT_IDS",
    "LICENSED_TEXT_HELP",
    "Change",
    "HistoryRow",
    "Instrument",
    "InstrumentText",
    "Item",
    "Mcid",
    "Option",
    "ScoreResult",
    "ScoredResponse",
    "Suggestion",
    "apply_text",
    "check_answers",
    "check_text",
    "classify_change",
    "content_hash",
    "format_score",
    "load_instrument",
    "load_instruments",
    "mcid_value",
    "score",
    "score_history",
    "suggest_instruments",
]
