"""Music generator backends behind one interface (`Generator`), chosen by name."""

from __future__ import annotations

from expotion.generators.base import Generator, Music
from expotion.options import BACKEND_OPTIONS, ComposerOptions, MusicGenOptions, backend_options

BACKENDS = tuple(BACKEND_OPTIONS)
DEFAULT_BACKEND = "composer"


def create_generator(name: str = DEFAULT_BACKEND, options: ComposerOptions | MusicGenOptions | None = None, **values) -> Generator:
    """The backend called `name`, configured with its typed `options` (or with option values)."""
    options = options if options is not None else backend_options(name, **values)
    if name == "composer":
        from expotion.generators.composer import Composer

        return Composer(options)
    from expotion.generators.musicgen import MusicGenBackend

    return MusicGenBackend(options)


__all__ = ["BACKENDS", "DEFAULT_BACKEND", "Generator", "Music", "create_generator"]
