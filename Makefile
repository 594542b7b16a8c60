# The same steps as scripts/test, one at a time.
.PHONY: setup check test run
export PATH := $(CURDIR)/.venv/bin:$(PATH)

setup:
	scripts/setup dev

check:
	scripts/check

test:
	.venv/bin/python -m pytest

run:
	scripts/run
