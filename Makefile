# Everything a developer runs, in the order the README tells it. Each target installs what
# it needs into a virtual environment of its own: .venv for the app and its tests; the
# SAM CLI, checkov, and bandit with pip-audit each in theirs (.venv-sam, .venv-checkov,
# .venv-security), since they pin their dependencies tightly; .venv-runtime, the tests'
# environment on the function's Python, for make test-runtime and the benchmark;
# .venv-mutation, the tests' environment with mutmut, for mutation testing. The tools'
# environments skip compiling every module at install (--no-compile): a tool's run compiles
# the few it imports.

PYTHON ?= python3
# The function's Python (3.13), on PATH or installed by pyenv: `make build` compiles the
# artifact's bytecode with it, `make test-runtime` runs the tests on it and `make bench`
# measures on it. Without it, build and bench fall back and test-runtime is skipped.
ifndef RUNTIME_PYTHON
RUNTIME_PYTHON := $(firstword $(foreach candidate,python3.13 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13),\
	$(shell $(candidate) -c 'import sys; print(sys.executable if sys.version_info[:2] == (3, 13) else "")' 2>/dev/null)))
endif
export RUNTIME_PYTHON
VENV := .venv
BENCH_VENV := $(if $(RUNTIME_PYTHON),.venv-runtime,$(VENV))
SAM_VENV := .venv-sam
CHECKOV_VENV := .venv-checkov
SECURITY_VENV := .venv-security
MUTATION_VENV := .venv-mutation
# mutmut's test processes at once: one a core.
MUTATION_JOBS ?= 2
# pytest-xdist workers for the tests: one a CPU; TEST_WORKERS=0 runs them in pytest's own
# process (for --pdb, say). worksteal hands queued tests to an idle worker, so the minute-long
# handler simulations do not leave one worker running the rest.
TEST_WORKERS ?= auto
PYTEST := -m pytest -n $(TEST_WORKERS) --dist worksteal
STACK ?= deepseek-balance-monitor
export SAM_CLI_TELEMETRY := 0
export AWS_EC2_METADATA_DISABLED := true

.PHONY: environments local test test-runtime lint validate build wheel security audit bench simulate mutation check deploy publish invoke logs delete clean

# Every environment CI uses; `make -j2 environments` makes two at a time.
environments: $(VENV)/.installed $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed $(SECURITY_VENV)/.installed \
	$(if $(RUNTIME_PYTHON),.venv-runtime/.installed)

local: $(VENV)/.installed ## The scheduled job here: a scripted week (or, with DEEPSEEK_API_KEY, your account)
	$(VENV)/bin/deepseek-balance demo

test: $(VENV)/.installed ## Run the tests
	$(VENV)/bin/python $(PYTEST)

# On the function's Python, the tests of the function's code. Left to `make test`: the ten-day
# runs through the handler (marker weeks: their logic does not depend on the interpreter), the
# command's own tests (it runs on the user's Python, 3.11 and up, as make test does), and the
# checks of files (docs, template, wheel) that run no function code.
RUNTIME_TESTS := -m "not weeks" $(foreach file,tests/integration/test_cli.py tests/integration/test_setup.py \
	tests/test_docs.py tests/test_template.py tests/test_packaging.py,--ignore=$(file))

ifdef RUNTIME_PYTHON
test-runtime: .venv-runtime/.installed ## Run the tests of the function's code on its Python (3.13)
	.venv-runtime/bin/python $(PYTEST) $(RUNTIME_TESTS)
else
test-runtime:
	@echo "make test-runtime: skipped, no Python 3.13 found (on PATH, in ~/.pyenv/versions, or RUNTIME_PYTHON=...)"
endif

lint: $(VENV)/.installed ## ruff (lint and format) and mypy
	$(VENV)/bin/ruff check
	$(VENV)/bin/ruff format --check
	$(VENV)/bin/mypy

validate: $(SAM_VENV)/.installed ## cfn-lint and sam validate --lint on template.yaml
	$(SAM_VENV)/bin/cfn-lint template.yaml
	$(SAM_VENV)/bin/sam validate --lint

build: $(SAM_VENV)/.installed $(VENV)/.installed ## sam build, then check the artifacts target python3.13 on arm64
	$(SAM_VENV)/bin/sam build
	$(VENV)/bin/python scripts/check_artifact.py .aws-sam/build/BalanceCheckFunction .aws-sam/build/SlackNotifierFunction \
		.aws-sam/build/SlackInteractionsFunction .aws-sam/build/NotifierFunction

wheel: $(VENV)/.installed ## Build the wheel, install it into a fresh venv outside the repo, run the command from there
	$(VENV)/bin/python scripts/check_wheel.py

security: $(CHECKOV_VENV)/.installed $(SECURITY_VENV)/.installed ## checkov on template.yaml, bandit on src/
	$(CHECKOV_VENV)/bin/checkov --file template.yaml --framework cloudformation --quiet --compact --skip-download
	$(SECURITY_VENV)/bin/bandit --quiet --recursive src/

audit: $(SECURITY_VENV)/.installed ## pip-audit every pinned requirement (needs PyPI's vulnerability API)
	$(SECURITY_VENV)/bin/pip-audit --strict --disable-pip --no-deps --progress-spinner off \
		$(foreach file,src/handler/requirements.txt src/handler/requirements-notifier.txt $(wildcard requirements-*.txt),--requirement $(file))

simulate: $(VENV)/.installed ## Four weeks of every usage pattern through the real handler, judged (docs/simulation.md)
	$(VENV)/bin/python -m sandbox.weeks

bench: build $(BENCH_VENV)/.installed ## Cold start, memory, requests and cost of a check, against the floor
	$(BENCH_VENV)/bin/python benchmarks/performance.py

# mutmut names a mutant by its file's path (src/ stripped) and must find the tests calling it
# under that name: from the root src/handler/balance_monitor/spend.py would be
# handler.balance_monitor.spend, which no test imports. So it runs in .mutation/, where
# src -> ../src/handler; its mutated copy of the package is .mutation/mutants/src/balance_monitor.
mutation: $(MUTATION_VENV)/.installed ## Mutation testing (mutmut) of the pure modules against the unit tests
	rm -rf .mutation
	mkdir .mutation
	ln -s ../src/handler .mutation/src
	ln -s ../tests .mutation/tests
	ln -s ../sandbox .mutation/sandbox
	ln -s ../pyproject.toml .mutation/pyproject.toml
	cd .mutation && ../$(MUTATION_VENV)/bin/mutmut run --max-children $(MUTATION_JOBS)
	cd .mutation && ../$(MUTATION_VENV)/bin/python ../scripts/mutation_scores.py --survivors survivors.txt

check: lint validate build wheel security test test-runtime ## Everything CI runs

deploy: build ## Deploy to your AWS account (asks for the parameters the first time)
	$(SAM_VENV)/bin/sam deploy --guided

# SAR reads the code, licence and readme from PACKAGE_BUCKET, whose policy must let
# serverlessrepo.amazonaws.com read them (docs/publishing.md). SOURCE_CODE_URL goes into the
# packaged template only: the template itself names no repository. Both are checked before
# anything is installed or built.
publish: ## Publish to the Serverless Application Repository (PACKAGE_BUCKET=... SOURCE_CODE_URL=https://...)
	@test -n "$(PACKAGE_BUCKET)" || { echo "make publish needs PACKAGE_BUCKET=<an S3 bucket in the region you publish to>" >&2; exit 2; }
	@case "$(SOURCE_CODE_URL)" in https://?*) ;; *) echo "make publish needs SOURCE_CODE_URL=https://<the public repository>" >&2; exit 2;; esac
	$(MAKE) --no-print-directory build
	$(SAM_VENV)/bin/sam package --s3-bucket "$(PACKAGE_BUCKET)" --s3-prefix $(STACK) --output-template-file .aws-sam/packaged.yaml
	$(VENV)/bin/python scripts/set_source_code_url.py .aws-sam/packaged.yaml "$(SOURCE_CODE_URL)"
	$(SAM_VENV)/bin/sam publish --template .aws-sam/packaged.yaml

invoke: build ## Invoke the function locally in Docker with the scheduled event (needs Docker and env.json)
	@test -f env.json || { echo "copy events/env.example.json to env.json and fill in the stack's outputs"; exit 2; }
	$(SAM_VENV)/bin/sam local invoke BalanceCheckFunction --event events/scheduled.json --env-vars env.json

logs: $(SAM_VENV)/.installed ## Tail the deployed function's logs
	$(SAM_VENV)/bin/sam logs --stack-name $(STACK) --name BalanceCheckFunction --tail

delete: $(SAM_VENV)/.installed ## Delete the deployed stack (the history table is kept)
	$(SAM_VENV)/bin/sam delete --stack-name $(STACK)

clean:
	rm -rf $(VENV) .venv-* .aws-sam .pytest_cache .mypy_cache .ruff_cache .mutation

$(VENV)/.installed: requirements-dev.txt src/handler/requirements.txt src/handler/requirements-notifier.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --requirement requirements-dev.txt
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --editable .
	touch $@

.venv-runtime/.installed: requirements-dev.txt src/handler/requirements.txt src/handler/requirements-notifier.txt pyproject.toml
	$(RUNTIME_PYTHON) -m venv .venv-runtime
	.venv-runtime/bin/python -m pip install --quiet --disable-pip-version-check --requirement requirements-dev.txt
	.venv-runtime/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --editable .
	touch $@

# requirements-mutation.txt includes requirements-dev.txt.
$(MUTATION_VENV)/.installed: requirements-dev.txt src/handler/requirements.txt

.venv-%/.installed: requirements-%.txt
	$(PYTHON) -m venv .venv-$*
	.venv-$*/bin/python -m pip install --quiet --disable-pip-version-check --no-compile --requirement $<
	touch $@
