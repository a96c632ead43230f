"""A soundfont whose drum kit plays quieter than the bundled one's, as fonts differ in balance.

SF2 (RIFF): the `sdta` list holds the samples (16-bit PCM, `smpl`), the `pdta` list the
presets (`phdr`, `pbag`, `pgen`), instruments (`inst`, `ibag`, `igen`) and sample headers
(`shdr`). A preset's generators name its instruments (generator 41), an instrument's its
samples (generator 53); the samples of the drum presets (bank 128) are scaled down in place.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from expotion.audio.synth import DRUM_BANK

INSTRUMENT, SAMPLE_ID = 41, 53
RECORD_SIZES = {"phdr": 38, "pbag": 4, "pgen": 4, "inst": 22, "ibag": 4, "igen": 4, "shdr": 46}


def _chunks(data: bytes, start: int, end: int) -> dict[str, tuple[int, int]]:
    """id → (offset of its data, size) of the chunks in data[start:end], LIST chunks opened."""
    found = {}
    while start + 8 <= end:
        name, size = data[start : start + 4].decode("latin-1"), struct.unpack("<I", data[start + 4 : start + 8])[0]
        if name == "LIST":
            found.update(_chunks(data, start + 12, start + 8 + size))
        else:
            found[name] = (start + 8, size)
        start += 8 + size + (size & 1)
    return found


def _records(data: bytes, chunks: dict, name: str) -> list[bytes]:
    offset, size = chunks[name]
    step = RECORD_SIZES[name]
    return [data[offset + index : offset + index + step] for index in range(0, size, step)]


def _first_generator(bag: bytes) -> int:
    return struct.unpack("<H", bag[:2])[0]


def _zone_amounts(bags: list[bytes], generators: list[bytes], first_bag: int, last_bag: int, oper: int) -> set[int]:
    """The amounts of generator `oper` in the zones (bags) first_bag … last_bag − 1."""
    first, last = _first_generator(bags[first_bag]), _first_generator(bags[last_bag])
    return {amount for kind, amount in (struct.unpack("<HH", record) for record in generators[first:last]) if kind == oper}


def quieter_kit_soundfont(source: str | Path, out: str | Path, gain_db: float) -> Path:
    """Write `out`: `source` with every sample of its drum kits scaled by `gain_db` (< 0)."""
    data = bytearray(Path(source).read_bytes())
    chunks = _chunks(bytes(data), 12, len(data))
    headers, pbags, pgens, insts, ibags, igens, shdrs = (_records(bytes(data), chunks, name) for name in RECORD_SIZES)
    instruments = set()
    for header, following in zip(headers, headers[1:]):  # the last header only ends the list
        bank, first_bag = struct.unpack("<HH", header[22:26])
        if bank == DRUM_BANK:
            instruments |= _zone_amounts(pbags, pgens, first_bag, struct.unpack("<H", following[24:26])[0], INSTRUMENT)
    samples = set()
    for instrument in instruments:
        first_bag, last_bag = (struct.unpack("<H", record[20:22])[0] for record in insts[instrument : instrument + 2])
        samples |= _zone_amounts(ibags, igens, first_bag, last_bag, SAMPLE_ID)
    pcm_offset = chunks["smpl"][0]
    scale = 10 ** (gain_db / 20)
    for sample in samples:
        start, end = struct.unpack("<II", shdrs[sample][20:28])
        view = np.frombuffer(data, np.int16, count=end - start, offset=pcm_offset + 2 * start)
        data[pcm_offset + 2 * start : pcm_offset + 2 * end] = (view * scale).astype(np.int16).tobytes()
    Path(out).write_bytes(bytes(data))
    return Path(out)
