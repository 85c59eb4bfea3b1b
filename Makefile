# SPDX-License-Identifier: GPL-2.0
# kminidump: human targets. Kernel objects are listed in src/Kbuild and src/*/Kbuild.
#
#   make [KDIR=<headers>] [ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-]   modules + host tool
#   make modules | tool | install | uninstall | dkms-install | deb | style | check | check-gki | demo | bench | clean

VERSION := $(shell cat VERSION)
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
DESTDIR ?=
PREFIX ?= /usr/local
TOP := $(abspath .)
MOD_SRC := $(TOP)/src

all: modules tool

modules:
	$(MAKE) -C $(KDIR) M=$(MOD_SRC) KMD_VERSION=$(VERSION) modules

# every module directory of src/Kbuild: obj-m := DIRS, obj-$(CONFIG_X) += DIR (src/smem/)
KMOD_DIRS := $(patsubst %/,%,$(shell sed -n 's/^obj-m := //p; s/^obj-$$(CONFIG_[A-Z0-9_]*) += //p' src/Kbuild))

tool:
	$(MAKE) -C src/tool

# DESTDIR stages the install (packaging, tests): then depmod is left to the package.
install: modules tool
	$(MAKE) -C $(KDIR) M=$(MOD_SRC) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates/kminidump \
		$(if $(wildcard $(KDIR)/certs/signing_key.pem),,CONFIG_MODULE_SIG_ALL=) modules_install
	$(if $(DESTDIR),,depmod -a $(KVER))
	$(MAKE) -C src/tool install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	install -D -m 0644 modprobe.d/kminidump.conf $(DESTDIR)/lib/modprobe.d/kminidump.conf
	install -D -m 0755 modprobe.d/kminidump-load $(DESTDIR)/usr/libexec/kminidump/kminidump-load

uninstall:
	rm -rf $(DESTDIR)/lib/modules/$(KVER)/updates/kminidump
	rm -f $(DESTDIR)/lib/modprobe.d/kminidump.conf $(DESTDIR)/usr/libexec/kminidump/kminidump-load
	rmdir --ignore-fail-on-non-empty $(DESTDIR)/usr/libexec/kminidump 2>/dev/null || true
	$(if $(DESTDIR),,depmod -a $(KVER))
	$(MAKE) -C src/tool uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

# Only what DKMS builds: the kernel sources, shared headers and dkms.conf.
DKMS_DIR := $(DESTDIR)/usr/src/kminidump-$(VERSION)
# each module directory's sources and Kbuild; not kbuild's generated *.mod.c of an in-tree build
DKMS_MOD_SRCS := $(filter-out %.mod.c,$(wildcard $(foreach d,$(KMOD_DIRS),src/$(d)/*.[ch] src/$(d)/Kbuild)))
dkms-install:
	install -d $(DKMS_DIR)
	cp -a dkms.conf VERSION include $(DKMS_DIR)/
	install -d $(DKMS_DIR)/src
	cp -a src/Kbuild src/compat $(DKMS_DIR)/src/
	cp -a --parents $(DKMS_MOD_SRCS) $(DKMS_DIR)/
	sed -i 's/#MODULE_VERSION#/$(VERSION)/' $(DKMS_DIR)/dkms.conf

# Debian packages kminidump-dkms and kminidump-tools into build/deb/, built in a
# temporary copy of the tree (docs/packaging.md).
deb:
	scripts/build-deb.sh

style:
	scripts/style.sh

check:
	tests/run

# the GKI-like kernels (docs/testing.md): builds them once (cached), then boots them
check-gki:
	tests/run --kernels arm64-gki,arm64-gki-nodebugfs --tiers build,gki

demo:
	scripts/demo.sh

bench:
	scripts/deps.sh --bench
	scripts/fetch-kernel.sh --dbg amd64-6.1 amd64-6.12 arm64-6.12 >/dev/null
	tests/bench.py

clean:
	-$(MAKE) -C $(KDIR) M=$(MOD_SRC) clean 2>/dev/null
	$(MAKE) -C src/tool clean

.PHONY: all modules tool install uninstall dkms-install deb style check check-gki demo bench clean
