"""Cache what training reads, once per clip: controls on the codec grid and EnCodec tokens.

One file per clip (CACHE/<clip_id>.npz), written atomically: a killed run leaves only whole
entries, and a rerun skips clips already done. Under `accelerate launch` each process takes
every n-th clip, and EnCodec runs on that process's device.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from expotion.atomic import atomic_path
from expotion.audio.read import on_video_clock, read_audio
from expotion.controls import Controls, extract_controls
from expotion.errors import ExpotionError
from expotion.manifest import ManifestEntry, check_files, resolve
from expotion.video.decode import probe


def entry_path(cache: Path, clip_id: str) -> Path:
    return cache / f"{clip_id}.npz"


def load_entry(cache: Path, clip_id: str) -> tuple[Controls, np.ndarray, str]:
    """(controls, codes (K, N), caption) of one cached clip; a damaged entry is named."""
    path = entry_path(cache, clip_id)
    if not path.is_file():
        raise ExpotionError(f"clip {clip_id}: not in the cache {cache} (run `expotion preprocess` first)")
    try:
        with np.load(path, allow_pickle=False) as data:
            return Controls.from_arrays(data), data["codes"].astype(np.int64), str(data["caption"])
    except Exception as error:  # zip, key and value errors all mean the same to a user
        raise ExpotionError(f"clip {clip_id}: cache entry {path.name} is corrupt ({type(error).__name__}); delete it and preprocess again")


def encode_music(audio_encoder, audio: np.ndarray, num_codebooks: int, device) -> np.ndarray:
    """EnCodec tokens (K, N) of mono audio at the codec's sample rate, with exactly the
    decoder's number of codebooks (the bandwidth that gives them)."""
    config = audio_encoder.config
    bandwidth = num_codebooks * math.log2(config.codebook_size) * config.frame_rate / 1000
    with torch.no_grad():
        values = torch.from_numpy(audio.astype(np.float32))[None, None].to(device)
        codes = audio_encoder.encode(values, bandwidth=bandwidth).audio_codes[0, 0].cpu().numpy()
    if codes.shape[0] != num_codebooks:
        raise ExpotionError(f"the codec gives {codes.shape[0]} codebooks, the decoder reads {num_codebooks}")
    return codes


def preprocess_clip(entry: ManifestEntry, root: Path | None, audio_encoder, num_codebooks: int, device) -> dict:
    sample_rate, frame_rate = int(audio_encoder.config.sampling_rate), float(audio_encoder.config.frame_rate)
    video = resolve(entry.video, root)
    music = resolve(entry.music, root) if entry.music else video
    info = probe(video)
    if music == video and not info.has_audio:
        raise ExpotionError(f"clip {entry.clip_id}: {video.name} has no sound track and the manifest names no music file")
    controls = extract_controls(video, rate=frame_rate)
    audio, audio_start = read_audio(music, sample_rate)
    if music == video:  # the video's own track: put it on the video's clock
        audio = on_video_clock(audio, sample_rate, audio_start - info.start_time)
    start = entry.start or 0.0
    end = entry.end if entry.end is not None else controls.duration
    audio = audio[int(start * sample_rate) : int(end * sample_rate)]
    controls = controls.window(start, end - start)
    codes = encode_music(audio_encoder, audio, num_codebooks, device)
    frames = min(codes.shape[1], controls.num_frames)
    return {"codes": codes[:, :frames], "caption": np.array(entry.caption), **controls.window(0.0, frames / frame_rate).to_arrays()}


def preprocess(entries: list[ManifestEntry], cache: str | Path, base_model: str, root: Path | None = None,
               progress: bool = False) -> dict[str, int]:
    """Cache every clip not cached yet; returns counts of done/skipped clips (this process)."""
    from accelerate import Accelerator

    from expotion.model.expotion_model import load_base

    cache = Path(cache)
    check_files(entries, root)
    accelerator = Accelerator()
    mine = entries[accelerator.process_index :: accelerator.num_processes]
    todo = [e for e in mine if not entry_path(cache, e.clip_id).is_file()]
    counts = {"done": 0, "skipped": len(mine) - len(todo)}
    if not todo:
        return counts
    base = load_base(base_model, accelerator.device)
    encoder, books = base.audio_encoder.eval(), base.config.decoder.num_codebooks
    for entry in tqdm(todo, desc="preprocess", unit="clip", disable=None if progress else True):
        arrays = preprocess_clip(entry, root, encoder, books, accelerator.device)
        with atomic_path(entry_path(cache, entry.clip_id)) as tmp:
            with open(tmp, "wb") as handle:
                np.savez(handle, **arrays)
        counts["done"] += 1
    return counts
