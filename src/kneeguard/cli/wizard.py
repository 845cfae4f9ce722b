"""The terminal wizard of ``kneeguard assess``: one question at a time.

The questions, their order, choice labels and help texts come from the
knowledge base (questions.yaml), the same source as the web wizard. Enter
skips a question (or keeps the value shown), ``b`` goes back, ``-`` clears an
answer, ``d`` finishes early. Every answer is checked against the contract at
once, so a typo is asked again with the reason, never carried into the result.
"""

from __future__ import annotations

import re
from typing import Any

import typer

from kneeguard.assessment.answers import Answers, parse_answers
from kneeguard.errors import AnswersError
from kneeguard.knowledge import load_kb
from kneeguard.knowledge.schema import Question
from kneeguard.knowledge.vocabulary import FIELDS, SCHEMA

HELP = ("Answer each question, or press Enter to skip it (an unanswered question counts as "
        "unknown, never as 'no'). Type b to go back, - to clear an answer, d when you are done.")


class _Back(Exception):
    pass


class _Done(Exception):
    pass


def _show(value: Any, q: Question) -> str:
    labels = {c.value: c.label for c in q.choices}
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, frozenset | list | tuple):
        return ", ".join(labels.get(v, str(v)) for v in value)
    return labels.get(value, str(value))


def _parse(raw: str, q: Question) -> Any:
    spec = FIELDS[q.field]
    text = raw.strip()
    if spec.kind == "bool":
        low = text.lower()
        if low in ("y", "yes", "true", "1"):
            return True
        if low in ("n", "no", "false", "0"):
            return False
        raise AnswersError(f"{q.field}: type y for yes or n for no", field=q.field)
    if spec.kind in ("enum", "enum_list"):
        values = [c.value for c in q.choices]
        picked = []
        for token in re.split(r"[,\s]+", text):
            if not token:
                continue
            if token.isdigit() and 1 <= int(token) <= len(values):
                picked.append(values[int(token) - 1])
            elif token in values:
                picked.append(token)
            else:
                raise AnswersError(f"{q.field}: {token!r} is not one of the numbers 1-"
                                   f"{len(values)}", field=q.field)
        if spec.kind == "enum":
            if len(picked) != 1:
                raise AnswersError(f"{q.field}: pick one number", field=q.field)
            return picked[0]
        return picked
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise AnswersError(f"{q.field}: type a number, such as 3", field=q.field) from None
    return int(number) if spec.kind == "int" and number.is_integer() else number


def _ask(q: Question, current: Any) -> Any:
    """Ask one question; return the new value, ``None`` to clear it, or the current value."""
    if q.choices:
        for i, choice in enumerate(q.choices, start=1):
            line = f"   {i}) {choice.label}"
            if choice.help:
                line += f" - {choice.help}"
            typer.echo(line)
        if FIELDS[q.field].kind == "enum_list":
            typer.echo("   (several allowed: type the numbers separated by spaces)")
    elif FIELDS[q.field].kind == "bool":
        typer.echo("   (y = yes, n = no)")
    if q.help:
        typer.echo(f"   {q.help}")
    suffix = f" [{_show(current, q)}]" if current is not None else ""
    unit = f" ({q.unit})" if q.unit else ""
    while True:
        raw = typer.prompt(f"{q.text}{unit}{suffix}", default="", show_default=False,
                           prompt_suffix=" > ")
        command = raw.strip().lower()
        if command == "":
            return current
        if command in ("b", "back"):
            raise _Back
        if command in ("d", "done"):
            raise _Done
        if command == "-":
            return None
        if command in ("?", "h", "help"):
            typer.echo(HELP)
            continue
        try:
            value = _parse(raw, q)
            parse_answers({"schema": SCHEMA, q.field: value})
        except AnswersError as exc:
            typer.echo(f"   Not understood: {exc}. Try again.")
            continue
        return value


def run_wizard(known: dict[str, Any] | None = None) -> Answers:
    """Ask the questions in the terminal; ``known`` answers are offered as defaults."""
    kb = load_kb()
    answers: dict[str, Any] = {}
    if known:
        document = {"schema": SCHEMA, **{k: v for k, v in known.items() if k in FIELDS}}
        answers = dict(parse_answers(_listify(document)))
    questions = [(step, q) for step in kb.questionnaire.steps for q in step.questions]
    typer.echo("kneeguard assessment - a decision aid, not a diagnosis.")
    typer.echo(HELP)
    if known:
        typer.echo("Answers from your imported training history are shown in brackets; "
                   "press Enter to keep them.")
    visited: list[int] = []
    shown_step = None
    i = 0
    while i < len(questions):
        step, q = questions[i]
        test = kb.show_if.get(q.field)
        if test is not None and test(answers) is not True:
            answers.pop(q.field, None)
            i += 1
            continue
        if step.id != shown_step:
            typer.echo("")
            typer.secho(f"== {step.title} ==", bold=True)
            if step.intro:
                typer.echo(step.intro)
            shown_step = step.id
        try:
            value = _ask(q, answers.get(q.field))
        except _Back:
            if visited:
                i = visited.pop()
                shown_step = None
            continue
        except _Done:
            break
        if value is None:
            answers.pop(q.field, None)
        else:
            answers[q.field] = value
        visited.append(i)
        i += 1
    return parse_answers(_listify({"schema": SCHEMA, **answers}))


def _listify(document: dict[str, Any]) -> dict[str, Any]:
    return {k: sorted(v) if isinstance(v, frozenset | set | tuple) else v
            for k, v in document.items()}
