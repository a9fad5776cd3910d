# SPDX-License-Identifier: GPL-2.0
# Sphinx configuration for go3s_rt's Documentation/ (make docs). The
# kernel-doc directive is the kernel's own extension, used in place from
# the unpacked linux-source tree that scripts/docs.sh names in GO3S_KSRC.
import os
import sys

ksrc = os.environ.get("GO3S_KSRC")
if not ksrc:
    sys.exit("conf.py: GO3S_KSRC is not set: build the docs with make docs")
sys.path.insert(0, os.path.join(ksrc, "Documentation", "sphinx"))

project = "go3s_rt"
copyright = "the go3s_rt authors, GPL-2.0"
extensions = ["kerneldoc"]
kerneldoc_bin = os.path.join(ksrc, "scripts", "kernel-doc")
kerneldoc_srctree = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
kerneldoc_verbosity = 0
root_doc = "index"
exclude_patterns = []
primary_domain = "c"
highlight_language = "none"
html_theme = "alabaster"
