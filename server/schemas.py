"""Typed request and response bodies of the HTTP API (they make /api/openapi.json)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from agent.artifacts import ArtifactRecord, StepRecord
from agent.core import MAX_REQUEST_CHARS  # one limit for the CLI and the server
from agent.plan import Plan
from server.security import ARTIFACT_ID

ArtifactId = Annotated[str, StringConstraints(pattern=ARTIFACT_ID.pattern)]
RequestText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_REQUEST_CHARS)]


class ErrorBody(BaseModel):
    error_type: str = Field(description="BadInput, PlanError, LLMError, NotFound, ...")
    error: str = Field(description="what went wrong, in a sentence")
    hint: str = Field("", description="what to do about it")
    problems: list[str] = Field(default_factory=list, description="for an invalid plan: each problem")


class SessionCreated(BaseModel):
    session: str = Field(description="the new session's id: keep it, it is the only way back to the session")


class BackendInfo(BaseModel):
    name: str
    engine: str
    weights: str
    licence: str
    device: str
    available: bool
    status: str


class ToolInfo(BaseModel):
    name: str
    family: str
    description: str
    inputs: dict[str, dict[str, Any]]
    outputs: dict[str, str]
    examples: list[str]
    backends: list[BackendInfo]


class PlanBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request: RequestText = Field(description="what you want, in words (English or Chinese)")
    inputs: list[ArtifactId] = Field(default_factory=list, max_length=32,
                                     description="artifact ids in this session (from /uploads or earlier runs)")


class RunBody(PlanBody):
    pass


class PlanRunBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan: Plan = Field(description="steps referring to @upload-N (the inputs, in order), @last, artifact ids "
                                   "or earlier steps; validated before anything runs")
    request: Annotated[str, StringConstraints(max_length=MAX_REQUEST_CHARS)] = Field("", description="shown in the session")
    inputs: list[ArtifactId] = Field(default_factory=list, max_length=32)


class PlanOut(BaseModel):
    planner: str
    outcome: str = Field(description="steps | unsupported | clarify")
    plan: dict[str, Any]


class ArtifactOut(ArtifactRecord):
    url: str = Field(description="where to fetch its bytes")


class RunOut(BaseModel):
    """What `audiogent run --json` prints, with URLs instead of file paths."""

    session: str
    run: str
    request: str
    planner: str
    status: str = Field(description="ok | partial | failed | unsupported | clarify")
    plan: dict[str, Any]
    steps: list[StepRecord]
    artifacts: list[ArtifactOut]
    final: list[str] = Field(description="the artifact ids a user wants first")
    answer: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "a bad input file"},
    401: {"model": ErrorBody, "description": "a token is required"},
    404: {"model": ErrorBody, "description": "no such session or artifact (in this session)"},
    413: {"model": ErrorBody, "description": "the upload is over the size limit"},
    422: {"model": ErrorBody, "description": "an invalid request body or plan"},
    502: {"model": ErrorBody, "description": "the LLM endpoint failed"},
}
