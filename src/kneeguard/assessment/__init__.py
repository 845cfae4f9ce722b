"""The assessment: answers (the ``kneeguard.answers/1`` contract) in, a cited result out.

Public surface:

- :func:`assess` - validate an answers document and return the result contract.
- :func:`parse_answers` - validate only (raises :class:`~kneeguard.errors.AnswersError`).
- :func:`answers_document` / :func:`answers_json_schema` - the contract as a document and
  as a JSON Schema.
"""

from kneeguard.assessment.answers import answers_document, answers_json_schema, parse_answers
from kneeguard.assessment.engine import assess, evaluate

__all__ = ["answers_document", "answers_json_schema", "assess", "evaluate", "parse_answers"]
