"""The Expotion model: frozen MusicGen steered by a gated, time-aligned visual adapter."""

from expotion.model.expotion_model import ExpotionConfig, ExpotionModel

__all__ = ["ExpotionConfig", "ExpotionModel"]
