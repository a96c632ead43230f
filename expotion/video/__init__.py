"""Video in and out: decoding with true timestamps, making test videos, muxing music back."""
