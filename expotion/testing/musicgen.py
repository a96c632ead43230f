"""Randomly initialised MusicGen models of known shapes, for tests and benchmarks offline.

"tiny" runs a forward pass in milliseconds; "small" has musicgen-small's decoder
(24 layers, width 1024, 16 heads, 4 × 2048 codes) with a small text encoder, which is all a
per-step decoding benchmark needs.
"""

from __future__ import annotations

import math

import torch

SIZES = {
    "tiny": {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4, "ffn_dim": 64, "vocab_size": 64},
    "small": {"hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16, "ffn_dim": 4096, "vocab_size": 2048},
}


def random_base(size: str = "tiny", seed: int = 0, num_codebooks: int = 4, init_scale: float = 0.02):
    from transformers import EncodecConfig, MusicgenConfig, MusicgenDecoderConfig, MusicgenForConditionalGeneration, T5Config
    from expotion.hf import quiet_transformers

    quiet_transformers()
    shape = SIZES[size]
    vocab = shape["vocab_size"]
    text = T5Config(vocab_size=128, d_model=32, d_kv=8, d_ff=64, num_layers=1, num_heads=4)
    codec = EncodecConfig(sampling_rate=32000, audio_channels=1, num_filters=4, hidden_size=8, upsampling_ratios=[8, 5, 4, 4],
                          codebook_size=vocab, codebook_dim=8, num_lstm_layers=1,
                          target_bandwidths=[num_codebooks * math.log2(vocab) * 50 / 1000])  # exactly num_codebooks at 50 Hz
    decoder = MusicgenDecoderConfig(**shape, num_codebooks=num_codebooks, max_position_embeddings=4096, initializer_factor=init_scale,
                                    pad_token_id=vocab, bos_token_id=vocab, decoder_start_token_id=vocab)
    config = MusicgenConfig(text_encoder=text.to_dict(), audio_encoder=codec.to_dict(), decoder=decoder.to_dict())
    torch.manual_seed(seed)
    return MusicgenForConditionalGeneration(config).eval()


def save_random_checkpoint(directory, size: str = "tiny", seed: int = 0, init_scale: float = 0.02) -> None:
    """A complete local MusicGen folder (random weights + a small word-level text
    tokenizer) that `from_pretrained` loads offline, like a downloaded checkpoint."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    model = random_base(size, seed, init_scale=init_scale)
    words = ["<pad>", "</s>", "<unk>"] + "a the and with of in on is music song slow fast happy sad reggae jazz pop rock piano guitar drums bass violin".split()
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="<pad>", eos_token="</s>", unk_token="<unk>")
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)


if __name__ == "__main__":
    import sys

    target = sys.argv[1] if len(sys.argv) > 1 else "tiny-musicgen"
    save_random_checkpoint(target, init_scale=0.3)
    print(f"{target}: a tiny randomly initialised MusicGen (use it as --model / --base-model to try the commands on CPU)")
