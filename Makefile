# Two commands for a fresh machine: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
HOST ?= 127.0.0.1:8000
# The address links in e-mails point at: the one `make run` serves (set DJANGO_SITE_URL to override it).
DJANGO_SITE_URL ?= http://$(HOST)
# Debian packages the product needs: pango for WeasyPrint, poppler for the PDF tests,
# chromium for the browser tests and the benchmark comparison, fonts for the PDF.
SYSTEM_PACKAGES ?= libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils chromium fonts-dejavu-core

.PHONY: run test install system-deps migrate lint clean

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

install: system-deps $(VENV)/.installed .env

# A local checkout runs in development mode (DEBUG, a throwaway secret key) so that manage.py works
# without exporting anything; production never has this file and sets DJANGO_SECRET_KEY instead.
.env:
	@printf '# Local development only (created by make; not committed).\nDJANGO_DEBUG=1\n' > $@
	@echo "Created .env with DJANGO_DEBUG=1 for local development."

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	    || { echo "Could not install:$$missing. Install them with apt-get and try again."; exit 1; }; \
	fi

migrate: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput

run: migrate
	DJANGO_DEBUG=1 $(PY) manage.py load_demo
	DJANGO_DEBUG=1 $(PY) manage.py publish_demo
	DJANGO_DEBUG=1 $(PY) manage.py publications_fill_pages
	DJANGO_DEBUG=1 $(PY) manage.py search_index_rebuild
	@echo ""
	@echo "  ECCP country factsheets is running at http://$(HOST)/admin/"
	@echo "  Log in as analyst / analyst, reviewer / reviewer, editor / editor, or admin / admin."
	@echo "  Public portal: http://$(HOST)/factsheets/ (Mexico 2023: /factsheets/2023/mx/, explorer: /factsheets/2023/,"
	@echo "  compare: /factsheets/compare/?f=2023-mx&f=2020-mx, summary: /factsheets/2023/summary/, data: /data/2023.json,"
	@echo "  search: /search/?q=Nuevo+Leon)"
	@echo ""
	@echo "  The web server and a task worker (it renders and publishes PDFs) start together; Ctrl-C stops both."
	@echo ""
	HOST=$(HOST) DJANGO_SITE_URL=$(DJANGO_SITE_URL) DJANGO_DEBUG=1 $(VENV)/bin/honcho start -f Procfile

# The suite runs in parallel processes (pytest-xdist) and in a new random order every run (pytest-randomly prints
# its seed; replay an order with PYTEST_ARGS="-p randomly --randomly-seed=N", or PYTEST_WORKERS=0 for one process).
PYTEST_WORKERS ?= 2
test: install
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) staticfiles media db.sqlite3 .pytest_cache
