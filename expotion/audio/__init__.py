"""Audio out: soundfont synthesis, loudness, wav files."""
