"""Controls kept by the video's content, so that a video is analysed once however often its
music is made again (another prompt, seed or slider).

An entry's name holds the video's SHA-256, the grid rate, the extractor's version and (when
they are not the defaults) a digest of the analysis settings, so the cache never serves the
controls of another video, of an older analysis or of another setting; entries are written
atomically, and the folder is safe to delete at any time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from pathlib import Path

from expotion.controls.controls import Controls
from expotion.controls.extract import EXTRACTOR_VERSION, extract_controls
from expotion.errors import ExpotionError
from expotion.options import AnalysisSettings


def entry_path(cache_dir: Path, fingerprint: str, rate: float, settings: AnalysisSettings = AnalysisSettings()) -> Path:
    setting = ""
    if settings != AnalysisSettings():
        setting = "-" + hashlib.sha256(json.dumps(asdict(settings), sort_keys=True).encode()).hexdigest()[:12]
    return Path(cache_dir) / f"{fingerprint}-{rate:g}hz-v{EXTRACTOR_VERSION}{setting}.npz"


def cached_controls(video: Path, fingerprint: str, cache_dir: Path | None, *, rate: float,
                    settings: AnalysisSettings = AnalysisSettings(), **extract_options) -> Controls:
    """The controls of `video` (whose content hash is `fingerprint`): from `cache_dir` when
    they are there, else extracted and stored there. Without a cache folder, just extracted."""
    if cache_dir is None:
        return extract_controls(video, rate, settings=settings, **extract_options)
    path = entry_path(cache_dir, fingerprint, rate, settings)
    if path.is_file():
        try:
            controls = Controls.load(path)
        except ExpotionError:
            path.unlink(missing_ok=True)  # a damaged entry is made again
        else:
            if controls.provenance.get("content_sha256") == fingerprint:
                return replace(controls, provenance={**controls.provenance, "source": str(video)})
    controls = extract_controls(video, rate, settings=settings, **extract_options)
    controls = replace(controls, provenance={**controls.provenance, "content_sha256": fingerprint})
    controls.save(path)
    return controls
