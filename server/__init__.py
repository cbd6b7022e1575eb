"""The web side of audiogent: an HTTP API (FastAPI) and the studio (Gradio), both over agent.core.

Importing this package keeps Gradio and the Hugging Face hub client off the network: no analytics,
no telemetry, no version checks. Nothing here opens a share link.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from server.config import ServerConfig

for _var, _value in (
    ("GRADIO_ANALYTICS_ENABLED", "False"),
    ("HF_HUB_DISABLE_TELEMETRY", "1"),
    ("GRADIO_SSR_MODE", "False"),
    ("GRADIO_MCP_SERVER", "False"),
    ("GRADIO_RUN_HISTORY", "False"),
):
    os.environ.setdefault(_var, _value)


def serve(config: ServerConfig) -> None:
    """Build the app and serve it with uvicorn until interrupted (imported lazily: gradio is slow to import)."""
    from server.app import serve as _serve

    _serve(config)
