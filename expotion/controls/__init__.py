"""Controls: what the person in a video does (face, body, motion) on one time grid."""

from expotion.controls.controls import Controls
from expotion.controls.extract import extract_controls

__all__ = ["Controls", "extract_controls"]
