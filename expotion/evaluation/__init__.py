"""Objective metrics for video-to-music that read only output files, so any system's
music — ours, a peer's, the original soundtrack — is scored the same way."""
