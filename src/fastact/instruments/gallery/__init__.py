"""The activation gallery: figures, two experiments and a choosing guide, as one web page.

Command: ``python -m fastact gallery --out DIR`` writes one PNG per activation, an
overview grid, the vanishing-gradient and dead-unit figures, the output layers' losses
and a self-contained
``index.html`` into DIR.  The same pieces from Python, e.g. in a notebook::

    from fastact.instruments import gallery
    gallery.plot("gelu")                       # a matplotlib Figure: f, f', marked points
    gallery.plot("relu", ax=my_axes)           # or draw into your own Axes
    gallery.overview()                         # every activation on one grid
    res = gallery.vanishing_gradients()        # numbers: gradient norm per layer
    gallery.plot_vanishing_gradients(res)
    res = gallery.dead_neurons()               # numbers: dead fraction per bias shift
    gallery.plot_dead_neurons(res)
    gallery.guide_rows(gallery.kernel_speed()) # the choosing guide's rows
    gallery.plot_losses()                      # the output layers' losses and gradients

The figures need matplotlib (``pip install "fastact[gallery]"``), imported only when a
figure is drawn.  The numbers (``vanishing_gradients``, ``dead_neurons``,
``kernel_speed``, ``guide_rows``, ``curve``, ``features``) need only NumPy and fastact.
"""

from .cli import build, main
from .experiments import (
    DEAD_NAMES,
    SEED,
    VANISHING_NAMES,
    curve,
    dead_neurons,
    features,
    guide_rows,
    init_scheme,
    kernel_speed,
    output_bounds,
    vanishing_gradients,
)
from .figures import overview, plot, plot_dead_neurons, plot_losses, plot_vanishing_gradients

__all__ = ["main", "build", "plot", "overview", "plot_vanishing_gradients",
           "plot_dead_neurons", "plot_losses", "vanishing_gradients", "dead_neurons", "kernel_speed",
           "guide_rows", "curve", "features", "output_bounds", "init_scheme", "SEED",
           "VANISHING_NAMES", "DEAD_NAMES"]
