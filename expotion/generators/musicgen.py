"""Backend "musicgen": MusicGen steered by an Expotion adapter — or, without one, plain
text-to-music MusicGen (the paper's baseline), where the video only sets the duration."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch

from expotion.audio.loudness import normalise
from expotion.controls import Controls
from expotion.generators.base import Music

DEFAULT_MODEL = "facebook/musicgen-small"


class MusicGenBackend:
    name = "musicgen"

    def __init__(self, model: str | None = None, adapter: str | Path | None = None, device: str = "cpu",
                 text_scale: float = 3.0, video_scale: float = 1.5, top_k: int = 250, top_p: float = 0.0,
                 temperature: float = 1.0, window_s: float = 30.0, overlap_s: float = 10.0):
        from expotion.model import ExpotionConfig, ExpotionModel
        from expotion.model.expotion_model import load_base

        if adapter is not None:
            self.model = ExpotionModel.from_pretrained(adapter, base_model=model, device=device)
        else:
            base_id = model or DEFAULT_MODEL
            self.model = ExpotionModel(load_base(base_id, device), ExpotionConfig(base_model=base_id, adapter_layers=0))
        self.model.eval()
        self.adapter = str(adapter) if adapter is not None else None
        self.sampling = {"text_scale": text_scale, "video_scale": video_scale, "top_k": top_k, "top_p": top_p,
                         "temperature": temperature, "window_s": window_s, "overlap_s": overlap_s}

    @property
    def uses_video(self) -> bool:
        return self.adapter is not None

    def generate(self, controls: Controls, prompt: str, duration: float, seed: int, progress=None) -> Music:
        from expotion.audio.timing import music_timing

        model = self.model
        frames = math.ceil(duration * model.frame_rate - 1e-9)
        with torch.no_grad():
            text, mask = model.encode_text([prompt or ""])
            codes = model.generate_codes(controls if self.uses_video else None, text, mask, frames, seed=seed,
                                         progress=progress, **self.sampling)
        mono = model.decode_audio(codes)
        samples = int(round(duration * model.sample_rate))
        mono = np.pad(mono, (0, max(0, samples - len(mono))))[:samples]
        audio = normalise(np.repeat(mono[:, None], 2, axis=1).astype(np.float32), model.sample_rate)
        beats = music_timing(audio, model.sample_rate).beats if np.any(np.abs(audio) > 1e-4) else np.zeros(0)
        decisions = {
            "backend": self.name,
            "seed": seed,
            "prompt": prompt,
            "model": model.config.base_model,
            "adapter": self.adapter,
            "video_role": "controls steer the music through the adapter" if self.uses_video
                     else "text-only MusicGen: the video only sets the duration",
            "sampling": self.sampling,
            "codec_frames": frames,
            "trainable_parameters": model.num_trainable_parameters(),
        }
        return Music(audio, model.sample_rate, None, beats, decisions)
