"""Music generator backends behind one interface (`Generator`), chosen by name."""

from __future__ import annotations

from expotion.errors import ExpotionError
from expotion.generators.base import Generator, Music

BACKENDS = ("composer", "musicgen")
DEFAULT_BACKEND = "composer"


def create_generator(name: str = DEFAULT_BACKEND, **options) -> Generator:
    """The backend called `name`, configured with its own `options`."""
    if name == "composer":
        from expotion.generators.composer import Composer

        return Composer(**options)
    if name == "musicgen":
        from expotion.generators.musicgen import MusicGenBackend

        return MusicGenBackend(**options)
    raise ExpotionError(f"unknown backend {name!r}; choose one of: {', '.join(BACKENDS)}")


__all__ = ["BACKENDS", "DEFAULT_BACKEND", "Generator", "Music", "create_generator"]
