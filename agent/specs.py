"""Typed tool specifications, parsed from model_registry.yaml (the single source of what a tool
takes and gives). The tool modules implement them; agent.registry checks the two agree."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Kinds that travel as artifacts (files in the session workspace) and plain JSON value types.
ARTIFACT_KINDS = ("audio", "image", "video", "text", "score", "json")
VALUE_TYPES = ("string", "number", "integer", "boolean", "list")
ParamType = Literal["audio", "image", "video", "text", "score", "json", "string", "number", "integer", "boolean", "list"]


class ParamSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: ParamType
    description: str
    required: bool | None = None
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None
    choices: list[Any] | None = None
    items: ParamType | None = None  # element type of a list
    min_items: int | None = None
    # Format the tool wants its audio in; the executor adapts before calling.
    sample_rate: int | None = None
    channels: int | None = None

    @model_validator(mode="after")
    def _required_default(self) -> "ParamSpec":
        if self.required is None:
            object.__setattr__(self, "required", self.default is None)
        if self.type == "list" and self.items is None:
            raise ValueError("a list parameter needs `items`")
        return self

    @property
    def is_artifact(self) -> bool:
        return self.type in ARTIFACT_KINDS


class OutputSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: ParamType
    description: str


class BackendSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    engine: str
    weights: str = "none"
    licence: str
    device: str = "cpu"
    note: str = ""


class ToolSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    module: str
    family: str
    description: str
    inputs: dict[str, ParamSpec]
    outputs: dict[str, OutputSpec]
    examples: list[str] = Field(default_factory=list)
    backends: list[BackendSpec]

    @property
    def primary_output(self) -> str:
        """The output a later step gets when it names only the step (`@s1`)."""
        return next(iter(self.outputs))

    def planner_view(self) -> dict[str, Any]:
        """The compact description the LLM planner sees."""
        args = {}
        for name, p in self.inputs.items():
            d: dict[str, Any] = {"type": p.type if p.type != "list" else f"list[{p.items}]"}
            for key in ("unit", "minimum", "maximum", "choices", "default"):
                v = getattr(p, key)
                if v is not None:
                    d[key] = v
            d["required"] = p.required
            d["about"] = p.description
            args[name] = d
        return {
            "tool": self.name,
            "does": self.description,
            "args": args,
            "outputs": {k: v.type for k, v in self.outputs.items()},
        }
