"""Video in and out: decoding with true timestamps, when repeated pictures were taken, writing music into a video."""

from __future__ import annotations

from pathlib import Path

# What a folder of videos is searched for: phones, cameras and camcorders (AVCHD .mts),
# editors, browsers.
VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v", ".mts", ".m2ts", ".mpg", ".mpeg", ".3gp",
                  ".wmv", ".flv")


def find_videos(paths: list[Path]) -> list[Path]:
    """The files given, and every video file under the folders given (sorted, recursively)."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES and p.is_file()))
        else:
            found.append(path)
    return found
