# The verbs a newcomer needs. `make lab` and `make test` set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2
# The browser the site's test drives (Debian's chromium package).
CHROMIUM ?= /usr/bin/chromium
# One BLAS thread per process: notebooks run two at a time, and printed numbers
# must not depend on how work was split across threads.
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: setup lab test test-portable lint format release notebooks site bench clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name minprune --display-name "Python (minprune)" >/dev/null
	touch $@

## Open JupyterLab on the course.
lab: setup
	$(BIN)/jupyter lab --notebook-dir=. lessons/

## Lint, check the exercises are up to date, run unit tests and nbval on every executed notebook.
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check minprune minprune_course tests benchmarks
	$(BIN)/minprune release --check
	@test -x $(CHROMIUM) || echo "make test: no browser at $(CHROMIUM), so the site's browser test (tests/test_site.py) is SKIPPED; apt-get install chromium to run it"
	@command -v bwrap >/dev/null || echo "make test: no bubblewrap, so the grader's sandbox tests (tests/test_sandbox.py) are SKIPPED; apt-get install bubblewrap to run them"
	MINPRUNE_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -n $(JOBS) --dist loadfile tests lessons solutions \
		--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

## Run nbval on every notebook again under the other CPU kernels this machine can run
## (OpenBLAS core types, NumPy SIMD levels, torch CPU capabilities; tests/variants.py).
## VARIANTS="sse avx2" picks variants, MAX=2 the first two, NOTEBOOKS="lessons/05_retraining.ipynb" notebooks.
test-portable: setup
	$(BIN)/python tests/variants.py --jobs $(JOBS) $(foreach v,$(VARIANTS),--variant $(v)) \
		$(if $(MAX),--max $(MAX)) $(NOTEBOOKS)

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check minprune minprune_course tests benchmarks

format: setup
	$(BIN)/ruff check --fix . ; $(BIN)/ruff format minprune minprune_course tests benchmarks

## Write exercises/ from solutions/.
release: setup
	$(BIN)/minprune release

## Re-execute every lesson and solution in place, then re-release the exercises.
notebooks: setup
	$(BIN)/minprune execute --jobs $(JOBS) lessons solutions
	$(BIN)/minprune release

## Build the course website into build/site/ from the executed lessons (runs no notebook).
site: setup
	$(BIN)/python site/build.py

## Run the benchmark suite (writes benchmarks/results/ and the README's table).
bench: setup
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
