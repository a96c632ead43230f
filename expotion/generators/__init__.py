"""Music generator backends behind one interface (`Generator`), chosen by name."""

from __future__ import annotations

from expotion.generators.base import Generator, Music
from expotion.options import BACKEND_OPTIONS, ComposerOptions, MusicGenOptions, backend_options

BACKENDS = tuple(BACKEND_OPTIONS)
DEFAULT_BACKEND = "composer"


def generator_class(name: str) -> type:
    """The class of the backend called `name` (imported only when asked for)."""
    if name == "composer":
        from expotion.generators.composer import Composer

        return Composer
    if name == "musicgen":
        from expotion.generators.musicgen import MusicGenBackend

        return MusicGenBackend
    backend_options(name)  # the one error for an unknown name
    raise AssertionError(name)


def create_generator(name: str = DEFAULT_BACKEND, options: ComposerOptions | MusicGenOptions | None = None, **values) -> Generator:
    """The backend called `name`, configured with its typed `options` (or with option values)."""
    options = options if options is not None else backend_options(name, **values)
    return generator_class(name)(options)


__all__ = ["BACKENDS", "DEFAULT_BACKEND", "Generator", "Music", "create_generator", "generator_class"]
