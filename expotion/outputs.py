"""Where a job's results go: planned and checked against its input before any work starts,
written beside their final names, and moved into place together at the end.

A user's input is never overwritten (not by OUT.mp4, nor by any sibling file), a folder in
the way is reported before the work instead of after it, and a failure — an error, a full
disk, Ctrl-C or SIGTERM — leaves neither a half-written result nor a temporary file.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from expotion.atomic import UMASK, temporary_beside
from expotion.errors import ExpotionError, ParameterError


@dataclass(frozen=True)
class Outputs:
    """OUT.mp4 and its siblings: OUT.wav, OUT.mid (symbolic backends), OUT.json, OUT.png and
    OUT.<role>.wav stems."""

    video: Path
    audio: Path
    decisions: Path
    midi: Path | None = None
    plot: Path | None = None
    stems: dict[str, Path] = field(default_factory=dict)

    @classmethod
    def plan(cls, out: str | Path, *, midi: bool, plot: bool, stems: tuple[str, ...] = ()) -> "Outputs":
        out = Path(out)
        if out.suffix.lower() != ".mp4":
            raise ParameterError("out", f"must name an .mp4 file, got {out.name}")
        return cls(
            video=out,
            audio=out.with_suffix(".wav"),
            decisions=out.with_suffix(".json"),
            midi=out.with_suffix(".mid") if midi else None,
            plot=out.with_suffix(".png") if plot else None,
            stems={role: out.with_suffix(f".{role}.wav") for role in stems},
        )

    def paths(self) -> list[Path]:
        return [p for p in (self.video, self.audio, self.midi, self.decisions, self.plot) if p] + list(self.stems.values())

    def check(self, inputs: list[Path]) -> None:
        """Refuse, before any work, outputs that would land on an input or on a folder."""
        check_paths(self.paths(), inputs)


def check_paths(outputs: list[Path], inputs: list[Path]) -> None:
    """Refuse outputs that are folders, would overwrite an input, or lie under a file."""
    for path in outputs:
        if path.is_dir():
            raise ParameterError("out", f"names a folder: {path}")
        for source in inputs:
            if _same_file(path, source):
                raise ParameterError("out", f"would overwrite the input {source} (with {path.name}): choose another name")
        parent = _existing_ancestor(path)
        if not parent.is_dir():
            raise ParameterError("out", f"cannot be written: {parent} is a file, not a folder")


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return os.path.realpath(a) == os.path.realpath(b)


def _existing_ancestor(path: Path) -> Path:
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return parent


@contextlib.contextmanager
def written_together(paths: list[Path]) -> Iterator[dict[Path, Path]]:
    """Yield {final path: temporary path beside it}; when the block succeeds, move every
    temporary file onto its final name, one after the other at the very end. On any failure
    (KeyboardInterrupt included) remove them all and leave the final names untouched.
    Writing errors (a full disk, no permission) become one line naming the final file."""
    temporary: dict[Path, Path] = {}
    try:
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary[path] = temporary_beside(path)
        yield temporary
        for final, tmp in temporary.items():
            os.chmod(tmp, 0o666 & ~UMASK)
        for final, tmp in temporary.items():
            os.replace(tmp, final)
    except OSError as error:
        named = next((final for final, tmp in temporary.items() if error.filename in (str(tmp), tmp)), None)
        raise ExpotionError(f"cannot write {named or error.filename or 'the outputs'}: {error.strerror or error}")
    finally:
        for tmp in temporary.values():
            tmp.unlink(missing_ok=True)


def start_painter() -> concurrent.futures.ThreadPoolExecutor:
    """The thread that draws the plot while the music is written."""
    return concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="plot")
