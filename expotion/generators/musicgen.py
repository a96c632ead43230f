"""Backend "musicgen": MusicGen steered by an Expotion adapter — or, without one, plain
text-to-music MusicGen (the paper's baseline), where the video only sets the duration."""

from __future__ import annotations

import math
from dataclasses import asdict

import numpy as np
import torch

from expotion.audio.loudness import normalise
from expotion.controls import Controls
from expotion.generators.base import Music
from expotion.options import DEFAULT_MUSICGEN, MusicGenOptions, check


class MusicGenBackend:
    name = "musicgen"
    symbolic = False
    stem_roles = ()

    def __init__(self, options: MusicGenOptions = MusicGenOptions(), model=None):
        """Load the model `options` name, or share an already loaded `model`."""
        from expotion.model import ExpotionConfig, ExpotionModel
        from expotion.model.expotion_model import load_base

        check(options)
        self.options = options
        if model is not None:
            self.model = model
        elif options.adapter is not None:
            self.model = ExpotionModel.from_pretrained(options.adapter, base_model=options.model, device=options.device)
        else:
            base_id = options.model or DEFAULT_MUSICGEN
            self.model = ExpotionModel(load_base(base_id, options.device), ExpotionConfig(base_model=base_id, adapter_layers=0))
        self.model.eval()

    def configured(self, options: MusicGenOptions) -> "MusicGenBackend":
        return MusicGenBackend(options, model=self.model)

    @property
    def uses_video(self) -> bool:
        return self.options.adapter is not None

    def generate(self, controls: Controls, prompt: str, duration: float, seed: int, progress=None) -> Music:
        from expotion.audio.timing import music_timing

        model = self.model
        frames = math.ceil(duration * model.frame_rate - 1e-9)
        with torch.no_grad():
            text, mask = model.encode_text([prompt or ""])
            codes = model.generate_codes(controls if self.uses_video else None, text, mask, frames, seed=seed,
                                         sampling=self.options.sampling, progress=progress)
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
            "adapter": self.options.adapter,
            "video_role": "controls steer the music through the adapter" if self.uses_video
                     else "text-only MusicGen: the video only sets the duration",
            "sampling": asdict(self.options.sampling),
            "codec_frames": frames,
            "trainable_parameters": model.num_trainable_parameters(),
        }
        return Music(audio, model.sample_rate, None, beats, decisions)
