"""Sphinx configuration of fastact's documentation.

Build (warnings are errors):  sphinx-build -W --keep-going -b html docs docs/_build/html
Run every example:            python -m sphinx -b doctest docs docs/_build/doctest
The API pages are generated from the records at build time (_ext/fastact_apidocs.py).
"""

import importlib.machinery
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "_ext"))
# Document the fastact of this source tree when it was built in place (its kernels next to
# the sources); otherwise the installed one.
_src = os.path.join(os.path.dirname(HERE), "src")
_built = tuple(importlib.machinery.EXTENSION_SUFFIXES)     # a compiled module, not its .pyx
if any(f.startswith("_losses") and f.endswith(_built)
       for f in os.listdir(os.path.join(_src, "fastact"))):
    sys.path.insert(0, _src)

import fastact  # noqa: E402

project = "fastact"
author = "the fastact developers"
copyright = "fastact developers"
release = version = fastact.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "fastact_apidocs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "examples", "**/README.md", "Thumbs.db", ".DS_Store"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3


# numpydoc renders whatever docstring an object has (sections or plain prose)
numpydoc_show_class_members = False
numpydoc_validation_checks = set()
numpydoc_xref_param_type = False
autodoc_typehints = "none"

# The examples of the pages and docstrings run with doctest; printed values are checked.
doctest_global_setup = "import numpy as np\nimport fastact"
doctest_default_flags = (__import__("doctest").ELLIPSIS
                         | __import__("doctest").NORMALIZE_WHITESPACE)

# sphinx-gallery: every docs/examples/plot_*.py runs at build time, so a broken example
# fails the build; the folder may hold no script yet.
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
}

html_theme = "pydata_sphinx_theme"
html_title = f"fastact {release}"
html_theme_options = {
    "github_url": None,
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
}
html_static_path = []
html_show_sourcelink = False
