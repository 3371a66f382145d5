# The two commands a newcomer needs (README): `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PSP_DEMO_SCALE ?= 1
PORT   ?= 8501
# 127.0.0.1 = this machine only. Any other address needs sign-in ([auth] in .streamlit/secrets.toml)
# or PSP_PUBLIC_AGGREGATES=1: ui/serve.py refuses to start otherwise (README, Shared deployment).
ADDRESS ?= 127.0.0.1

.PHONY: install run store demo test lint lock clean-store bench

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the pinned requirements

store: install  ## build the public store (real data, data/public -> data/public.duckdb) if missing or stale
	$(BIN)/python -m ingest public --if-stale

demo: install  ## build the synthetic demo store data/demo.duckdb if it is missing (pick it in the sidebar's Dataset)
	$(BIN)/python -m ingest demo --if-missing --scale $(PSP_DEMO_SCALE) --db data/demo.duckdb

run: store  ## start the dashboard on $(ADDRESS):$(PORT) (refused beyond 127.0.0.1 without sign-in)
	$(BIN)/python -m ui.serve --server.address $(ADDRESS) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

lint: install  ## ruff (lint) and mypy (types) on the code
	$(BIN)/ruff check .
	$(BIN)/mypy

# pytest exits 5 when it collected no test: that is a failure here, not a pass.
# Two pytest workers (pytest-xdist): the browser tests run one after another in one of them
# (tests/conftest.py groups them), the rest is shared out, longest tests first.
# PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= 2
test: install lint  ## the whole suite: unit, AppTest, real-data and browser tests
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest ran no test: failing"; exit 1; fi; exit $$rc

# Stores live in /tmp/psp-bench and are reused while the write side is unchanged (the 100M
# store is ~4 GB and takes ~10 minutes to build). BENCH_ARGS e.g. "--rows 1e6 --no-browser".
bench: install  ## the benchmark suite at ~1M, 10M and 100M offenses: prints a table, writes bench/results.json
	$(BIN)/python -m bench $(BENCH_ARGS)

lock:  ## re-pin requirements.txt from requirements.in in a fresh venv
	rm -rf /tmp/psp-lock && $(PYTHON) -m venv /tmp/psp-lock
	/tmp/psp-lock/bin/pip install --quiet -r requirements.in
	(echo "# Pinned lock of requirements.in, made with 'make lock'."; /tmp/psp-lock/bin/pip freeze) > requirements.txt

clean-store:  ## delete the public store (make run rebuilds it)
	rm -f data/public.duckdb data/public.duckdb.wal data/public.duckdb.lock
