"""Tiny randomly initialised EnCodec and CLAP checkpoints, saved like downloaded ones, so that
the FAD and CLAP-score code runs offline in tests."""

from __future__ import annotations

from pathlib import Path

import torch


def save_random_embedders(folder) -> dict[str, str]:
    """Tiny randomly initialised EnCodec and CLAP checkpoints (with a word-level tokenizer)
    under `folder`, loadable offline like downloaded ones — for tests. Returns their paths."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (ClapAudioConfig, ClapConfig, ClapFeatureExtractor, ClapModel, ClapTextConfig, EncodecConfig,
                              EncodecModel, PreTrainedTokenizerFast)

    folder = Path(folder)
    torch.manual_seed(0)
    EncodecModel(EncodecConfig(sampling_rate=24000, num_filters=4, hidden_size=16, upsampling_ratios=[8, 5, 4, 2],
                               codebook_size=64, num_lstm_layers=1)).save_pretrained(folder / "encodec")
    text = ClapTextConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
                          projection_dim=8, max_position_embeddings=40)
    audio = ClapAudioConfig(patch_embeds_hidden_size=8, hidden_size=16, depths=[1, 1], num_attention_heads=[1, 1],
                            num_hidden_layers=2, projection_dim=8)
    ClapModel(ClapConfig(text_config=text.to_dict(), audio_config=audio.to_dict(), projection_dim=8)).save_pretrained(folder / "clap")
    ClapFeatureExtractor().save_pretrained(folder / "clap")
    words = ["<s>", "<pad>", "</s>", "<unk>"] + "a the and with music song happy sad slow fast piano drums jazz funk".split()
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="<pad>", unk_token="<unk>").save_pretrained(folder / "clap")
    return {"encodec": str(folder / "encodec"), "clap": str(folder / "clap")}
