"""The training manifest: one JSON line per clip, and importers that write it.

Fields: clip_id, video, music (null: the video's own audio), caption, participant, song,
session, start, end (seconds, null: whole clip), split (null until `expotion data split`).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from expotion.atomic import atomic_path
from expotion.errors import ExpotionError
from expotion.video import VIDEO_SUFFIXES

# Human Music Moves clip names: <audio_id>.mp4_<Pseudonym>_<YYYY-MM-DDTHH-MM-SS>_clip<N>
HMM_CLIP = re.compile(r"^(?P<song>.+?)\.mp4_(?P<participant>[A-Za-z]+)_(?P<time>\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2})_clip(?P<n>\d+)$")


@dataclass
class ManifestEntry:
    clip_id: str
    video: str
    caption: str = ""
    music: str | None = None
    participant: str | None = None
    song: str | None = None
    session: str | None = None
    start: float | None = None
    end: float | None = None
    split: str | None = None


def read_manifest(path: str | Path) -> list[ManifestEntry]:
    path = Path(path)
    if not path.is_file():
        raise ExpotionError(f"no such manifest: {path}")
    entries = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            entries.append(ManifestEntry(**json.loads(line)))
        except (json.JSONDecodeError, TypeError) as error:
            raise ExpotionError(f"{path.name} line {number} is not a manifest entry: {error}")
    if not entries:
        raise ExpotionError(f"manifest {path.name} is empty")
    return entries


def write_manifest(entries: list[ManifestEntry], path: str | Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text("".join(json.dumps(asdict(e)) + "\n" for e in entries))


def check_files(entries: list[ManifestEntry], root: Path | None = None) -> None:
    """Every video (and music file) exists; the first missing one is named."""
    for entry in entries:
        for kind, name in (("video", entry.video), ("music", entry.music)):
            if name and not resolve(name, root).is_file():
                raise ExpotionError(f"clip {entry.clip_id}: {kind} file not found: {name}")


def resolve(name: str, root: Path | None) -> Path:
    path = Path(name)
    return path if path.is_absolute() or root is None else root / path


def _relative(path: Path, base: Path) -> str:
    return os.path.relpath(path.resolve(), base.resolve())


def import_human_music_moves(root: str | Path, manifest_folder: str | Path = ".") -> list[ManifestEntry]:
    """Manifest of the Human Music Moves layout: {v1,v2}/clips/*.mp4, captions_v{1,2}.json
    (a list of {audio_id, caption}); the split from train.lst / test.lst when present.
    Video paths are written relative to `manifest_folder` (where the manifest will live)."""
    root = Path(root)
    captions: dict[str, str] = {}
    for file in sorted(root.glob("captions*.json")):
        for item in json.loads(file.read_text()):
            captions[str(item["audio_id"])] = item["caption"]
    listed = {}
    for split in ("train", "test"):
        for file in root.rglob(f"{split}.lst"):
            listed.update({line.strip(): split for line in file.read_text().splitlines() if line.strip()})
    entries = []
    for video in sorted(root.glob("*/clips/*.mp4")):
        match = HMM_CLIP.match(video.stem)
        if not match:
            continue
        song, participant = match["song"], match["participant"]
        entries.append(ManifestEntry(
            clip_id=video.stem, video=_relative(video, Path(manifest_folder)), caption=captions.get(song, ""),
            participant=participant, song=song, session=f"{participant}_{match['time']}", split=listed.get(video.stem),
        ))
    if not entries:
        raise ExpotionError(f"no Human Music Moves clips (*/clips/<audio_id>.mp4_<Name>_<time>_clip<N>.mp4) under {root}")
    return entries


def import_folder(folder: str | Path, caption: str = "", manifest_folder: str | Path = ".") -> list[ManifestEntry]:
    """Manifest of a folder of the user's own videos (their own audio is the music); a
    sidecar VIDEO.txt gives a clip's caption, sub-folders name participants. Video paths
    are written relative to `manifest_folder`."""
    folder = Path(folder)
    entries = []
    for video in sorted(p for p in folder.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES):
        sidecar = video.with_suffix(".txt")
        participant = video.parent.name if video.parent != folder else None
        entries.append(ManifestEntry(
            clip_id=video.stem, video=_relative(video, Path(manifest_folder)),
            caption=sidecar.read_text().strip() if sidecar.exists() else caption,
            participant=participant, song=video.stem, session=participant,
        ))
    if not entries:
        raise ExpotionError(f"no videos under {folder}")
    return entries
