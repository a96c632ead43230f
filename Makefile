# The two set-up commands (see README): `make demo` and `make test`.
# Each creates .venv/ when missing and installs what it needs; nothing is downloaded at run time.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: install demo test bench clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) torch==2.13.0
	# tinysoundfont declares pyaudio (live playback, needs PortAudio headers); offline rendering never uses it.
	$(PIP) --no-deps tinysoundfont==0.3.7
	$(PIP) -e '.[test]'
	touch $@

DEMO_PROMPT := Upbeat funk with slap bass, brass stabs and a tight drum groove

demo: $(STAMP)
	$(BIN)/expotion generate examples/sample.mp4 --prompt "$(DEMO_PROMPT)" --out out/sample_with_music.mp4 --stems

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/extract.py
	$(BIN)/python benchmarks/generate.py

clean:
	rm -rf $(VENV) out
