"""The error taxonomy. Every failure a user can meet is one of these, with a message that names the
problem and what to do about it.

Who is at fault decides the type: the planner (PlanError: fed back to it once), the tool
(ToolFailed), the environment (BackendUnavailable: install or add weights), the user's input
(BadInput), or a remote LLM (LLMError, which is retryable where it says so).
"""

from __future__ import annotations


class AudiogentError(Exception):
    """Base class. `hint` says what the user can do next."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class BadInput(AudiogentError):
    """A user-supplied file or value cannot be used (corrupt, empty, too big, wrong kind)."""


class ArtifactNotFound(AudiogentError):
    """A reference names an artifact that this session does not hold."""


class SessionError(AudiogentError):
    """The session workspace is missing, locked or damaged."""


class RegistryError(AudiogentError):
    """model_registry.yaml and the tool modules disagree. A developer error, raised at load time."""


class PlanError(AudiogentError):
    """A plan that cannot run as written. `problems` lists each one, for the planner to repair."""

    def __init__(self, problems: list[str], hint: str = "") -> None:
        self.problems = problems
        super().__init__("; ".join(problems) if problems else "invalid plan", hint)


class InvalidArguments(AudiogentError):
    """A tool rejected its arguments (the planner's fault, not the tool's)."""


class ToolFailed(AudiogentError):
    """A tool raised while running: the step fails, independent steps go on."""


class BackendUnavailable(AudiogentError):
    """No backend of a tool can run here: a package, weights or a device are missing."""


class StepTimeout(AudiogentError):
    """A step ran past its time limit."""


class LLMError(AudiogentError):
    """An LLM endpoint failed. `retryable` says whether trying again may help."""

    retryable = False


class LLMTimeout(LLMError):
    retryable = True


class LLMConnectionError(LLMError):
    retryable = True


class LLMHTTPError(LLMError):
    def __init__(self, status: int, message: str, hint: str = "") -> None:
        self.status = status
        self.retryable = status >= 500 or status == 429
        super().__init__(message, hint)


class LLMBadOutput(LLMError):
    """The endpoint answered, but not with a plan we can parse."""
