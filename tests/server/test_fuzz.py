"""Schema-driven fuzzing of the HTTP API with schemathesis, from the app's own OpenAPI document,
against `audiogent serve`: whatever the generated request, the server never answers 5xx, and what it
answers matches the schema. Bounded (a few dozen examples per operation) so it stays fast."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from server.api import build_api
from server.config import ServerConfig
from server.workspace import Workspace
from tests.server.conftest import Served

pytestmark = pytest.mark.slow
CHECKS = [not_a_server_error, response_schema_conformance]
FUZZ = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
# The schema the app itself publishes; test_the_fuzzed_schema_is_the_served_one checks they are the same.
OPENAPI = build_api(Workspace(ServerConfig())).openapi()
schema = schemathesis.openapi.from_dict(OPENAPI)


@pytest.fixture(scope="module")
def live_session(open_server: Served, media) -> str:
    """A real session with a real upload, so generated requests also reach the code behind the ids."""
    sid = open_server.new_session()
    with open_server.client() as c, open(media["wav"], "rb") as f:
        assert c.post(f"/api/sessions/{sid}/uploads", files={"file": ("tone.wav", f)}).status_code == 201
    return sid


def test_the_fuzzed_schema_is_the_served_one(open_server: Served) -> None:
    served = httpx.get(open_server.url + "/api/openapi.json").json()
    assert served == OPENAPI
    assert {"/api/tools", "/api/sessions/{session}/uploads", "/api/sessions/{session}/plans/run"} <= set(served["paths"])


@schema.parametrize()
@FUZZ
def test_no_generated_request_makes_a_server_error(case, open_server: Served) -> None:
    case.call_and_validate(base_url=open_server.url, checks=CHECKS, timeout=120)


@schema.parametrize()
@FUZZ
def test_no_generated_request_in_a_real_session_makes_a_server_error(case, open_server: Served,
                                                                     live_session: str) -> None:
    if case.path_parameters and "session" in case.path_parameters:
        case.path_parameters["session"] = live_session
    case.call_and_validate(base_url=open_server.url, checks=CHECKS, timeout=120)
