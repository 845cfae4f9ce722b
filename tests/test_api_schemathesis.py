"""Property-based run of the JSON API against its own OpenAPI document (schemathesis):
no generated request, valid or not, may make the server fail with a 5xx.

Each operation gets a bounded number of generated requests (derandomized, so a run is
repeatable); the whole file takes a few seconds.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from kneeguard.web.testing import BASE_URL, make_settings

EXAMPLES = 12


def _operations() -> list[tuple[str, str]]:
    from kneeguard.web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        document = create_app(make_settings(Path(tmp))).openapi()
    return [(method.upper(), path) for path, ops in document["paths"].items()
            for method in ops]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from kneeguard.demo import load_demo
    from kneeguard.storage import connect
    from kneeguard.web import create_app

    tmp = tmp_path_factory.mktemp("schemathesis")
    config = make_settings(tmp, import_workers=1)
    db = connect(config.db_url)
    load_demo(db)
    db.dispose()
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(config),
                                          headers={"host": "127.0.0.1:8000"})


def test_every_route_is_covered() -> None:
    assert len(_operations()) >= 15


@pytest.mark.parametrize(("method", "path"), _operations())
def test_no_server_errors(api_schema: Any, method: str, path: str) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(base_url=BASE_URL + "/", checks=[not_a_server_error])

    run()
