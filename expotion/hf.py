"""How Expotion uses Hugging Face libraries: offline unless asked, and quietly."""

from __future__ import annotations

import os


def local_files_only() -> bool:
    """Weights come from local folders or the local cache, unless EXPOTION_ALLOW_DOWNLOAD=1."""
    return os.environ.get("EXPOTION_ALLOW_DOWNLOAD") != "1"


def quiet_transformers() -> None:
    """No config warnings or weight-loading progress bars on the user's terminal."""
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()
