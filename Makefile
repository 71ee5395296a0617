# The two set-up commands of README.md: `make demo` and `make test`.
PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
VPNFORM := $(CURDIR)/$(BIN)/vpnform
EXAMPLE := examples/quickstart

.PHONY: demo test venv system-deps bench clean

# The bytecode is compiled once here: a shell with PYTHONDONTWRITEBYTECODE=1 would otherwise
# compile every module again on every command (about a second per start).
venv: $(VENV)/.installed
	$(BIN)/python -m compileall -q engine providers > /dev/null

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# init -> plan -> apply -> plan of the guide's worked example, against the embedded
# emulated cloud (its store lives in examples/quickstart/.vpnform/).
demo: venv
	$(VPNFORM) -chdir=$(EXAMPLE) init
	$(VPNFORM) -chdir=$(EXAMPLE) plan
	$(VPNFORM) -chdir=$(EXAMPLE) apply -auto-approve
	$(VPNFORM) -chdir=$(EXAMPLE) plan -detailed-exitcode

system-deps:
	scripts/system-deps.sh

test: venv system-deps
	$(BIN)/pytest

bench: venv
	$(BIN)/python bench/plan_apply.py
	$(BIN)/python bench/state_journal.py
	$(BIN)/python bench/evaluate_instances.py
	$(BIN)/python bench/refresh.py
	$(BIN)/python bench/crash_drill.py
	$(BIN)/python bench/fuzz.py
	$(BIN)/python bench/store_concurrency.py
	$(BIN)/python bench/serve_load.py
	$(BIN)/python bench/pg_state.py 1000
	$(BIN)/python bench/lock_queue.py 8 3
	$(BIN)/python bench/vs_terraform.py

clean:
	rm -rf $(VENV) $(EXAMPLE)/.vpnform $(EXAMPLE)/terraform.tfstate*
