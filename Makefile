# rsuv: build, install and uninstall, as libuv's own install does (see README, "Installing").
#
#   make                                   cargo build --release
#   make install [PREFIX=/usr/local] [LIBDIR=...] [INCLUDEDIR=...] [DESTDIR=...]
#   make uninstall (same variables)
#   make install-check                     install into a temporary prefix and test it
#
# The work, and the defaults (PREFIX=/usr/local, LIBDIR=$PREFIX/lib,
# INCLUDEDIR=$PREFIX/include), are in scripts/install.sh. Variables given on make's command
# line reach it through the environment (make exports them); this file sets none itself, so
# that a LIBDIR derived from one PREFIX can never leak into a call with another.
CARGO ?= cargo

.PHONY: all build install uninstall install-check

all build:
	$(CARGO) build --release

# Builds first when cargo is at hand (a no-op when up to date); under sudo without cargo,
# it installs what `make` built.
install: $(if $(shell command -v $(CARGO)),build)
	scripts/install.sh install

uninstall:
	scripts/install.sh uninstall

install-check:
	scripts/install-check.sh
