"""Audio (and text) embeddings for Fréchet Audio Distance and CLAP score, through transformers.

Each embedder is named, since FAD means nothing without its embedding: "encodec" (mean over
time of EnCodec's continuous encoder latents, before quantisation) and "clap" (CLAP's
projected audio embedding). Weights come from a local folder or the local Hugging Face
cache only; when they are missing, `WeightsUnavailable` says which metric is skipped.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.signal import resample_poly

from expotion.hf import local_files_only, quiet_transformers

DEFAULT_MODELS = {"encodec": "facebook/encodec_24khz", "clap": "laion/clap-htsat-unfused"}


class WeightsUnavailable(Exception):
    """The weights a metric needs are not on this machine."""


def _resample(audio: np.ndarray, rate: int, target: int) -> np.ndarray:
    if rate == target:
        return audio
    divisor = np.gcd(rate, target)
    return resample_poly(audio, target // divisor, rate // divisor).astype(np.float32)


def _pooled(output) -> torch.Tensor:
    """transformers returns a tensor or an output object whose pooler_output is the embedding."""
    return output if isinstance(output, torch.Tensor) else output.pooler_output


class EncodecEmbedder:
    name = "encodec"

    def __init__(self, model_id: str | None = None):
        from transformers import EncodecModel

        quiet_transformers()
        self.model_id = model_id or DEFAULT_MODELS["encodec"]
        try:
            self.model = EncodecModel.from_pretrained(self.model_id, local_files_only=local_files_only()).eval()
        except (OSError, ValueError) as error:
            raise WeightsUnavailable(f"EnCodec weights '{self.model_id}' are not available offline ({str(error).splitlines()[0][:100]})")
        self.sample_rate = int(self.model.config.sampling_rate)

    @torch.no_grad()
    def embed_audio(self, audio: np.ndarray, rate: int) -> np.ndarray:
        mono = _resample(audio, rate, self.sample_rate)
        channels = self.model.config.audio_channels
        values = torch.from_numpy(np.repeat(mono[None, None], channels, axis=1))
        return self.model.encoder(values)[0].mean(dim=-1).numpy()


class ClapEmbedder:
    name = "clap"

    def __init__(self, model_id: str | None = None):
        from transformers import AutoTokenizer, ClapFeatureExtractor, ClapModel

        quiet_transformers()
        self.model_id = model_id or DEFAULT_MODELS["clap"]
        try:
            self.model = ClapModel.from_pretrained(self.model_id, local_files_only=local_files_only()).eval()
            self.features = ClapFeatureExtractor.from_pretrained(self.model_id, local_files_only=local_files_only())
            self.tokenizer = AutoTokenizer.from_pretrained(self.model_id, local_files_only=local_files_only())
        except (OSError, ValueError) as error:
            raise WeightsUnavailable(f"CLAP weights '{self.model_id}' are not available offline ({str(error).splitlines()[0][:100]})")
        if not self.model.config.audio_config.enable_fusion:
            self.features.truncation = "rand_trunc"
        self.sample_rate = int(self.features.sampling_rate)

    @torch.no_grad()
    def embed_audio(self, audio: np.ndarray, rate: int) -> np.ndarray:
        np.random.seed(0)  # the feature extractor crops long audio at random
        inputs = self.features([_resample(audio, rate, self.sample_rate)], sampling_rate=self.sample_rate, return_tensors="pt")
        return _pooled(self.model.get_audio_features(**inputs))[0].numpy()

    @torch.no_grad()
    def embed_text(self, text: str) -> np.ndarray:
        inputs = self.tokenizer([text], return_tensors="pt", padding=True)
        return _pooled(self.model.get_text_features(input_ids=inputs.input_ids, attention_mask=inputs.attention_mask))[0].numpy()


EMBEDDERS = {"encodec": EncodecEmbedder, "clap": ClapEmbedder}


def frechet_distance(mean_a: np.ndarray, cov_a: np.ndarray, mean_b: np.ndarray, cov_b: np.ndarray) -> float:
    """‖μa − μb‖² + tr(Σa + Σb − 2 (Σa Σb)^½) between two Gaussians."""
    from scipy.linalg import sqrtm

    root = sqrtm(cov_a @ cov_b)
    root = root.real if np.iscomplexobj(root) else root
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * root))


def frechet_audio_distance(embeddings_a: np.ndarray, embeddings_b: np.ndarray) -> float:
    """FAD between two sets of embeddings (rows), each summarised by its mean and covariance."""
    if len(embeddings_a) < 2 or len(embeddings_b) < 2:
        raise ValueError("FAD needs at least two clips on each side")
    return frechet_distance(embeddings_a.mean(0), np.cov(embeddings_a, rowvar=False),
                            embeddings_b.mean(0), np.cov(embeddings_b, rowvar=False))


def clap_score(embedder: ClapEmbedder, audio: np.ndarray, rate: int, text: str) -> float:
    """Cosine similarity of the music's and the prompt's CLAP embeddings."""
    a, t = embedder.embed_audio(audio, rate), embedder.embed_text(text)
    return float(a @ t / (np.linalg.norm(a) * np.linalg.norm(t) + 1e-12))
