"""Expotion: music for a video of a person, steered by face, body and a text prompt."""

__version__ = "0.1.0"
