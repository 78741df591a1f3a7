"""Pictures for the course: activations, decision boundaries, activation statistics,
digits and loss curves.

Every function draws with matplotlib and returns what it drew on (an Axes, or a Figure
when it needs several Axes), so a notebook can add to the picture and a test can look
inside it.  Given ``ax=...`` a function draws there; otherwise it opens a new figure
through pyplot, which ``%matplotlib inline`` shows at the end of the cell.

- ``plot_activation``: f and f′ over z.
- ``plot_decision_boundary``: the class a model predicts at each point of the plane,
  under the data coloured by their labels.
- ``plot_activation_stats``: mean and spread of each layer's activations, and their
  histograms (saturation and dying units show up here first).
- ``plot_digits``: 8×8 digits with their labels, and predictions in red when wrong.
- ``plot_loss``: loss curves, one or several (train / validation).
"""

from __future__ import annotations

from ._base import Z_RANGE
from .activations import draw_activation, evaluate_elementwise, plot_activation
from .classification import class_colors, plot_decision_boundary, predicted_classes
from .statistics import plot_activation_stats
from .training import plot_digits, plot_loss
from .conv import draw_feature_map, plot_feature_maps, plot_kernels, plot_timings
from .depth import draw_depth_statistics, plot_depth_statistics
from .recurrent import draw_gradient_through_time, plot_gradient_through_time
from .recurrent import plot_improvements, plot_perplexity, plot_train_validation

__all__ = ["plot_activation", "plot_decision_boundary", "plot_activation_stats",
           "plot_digits", "plot_loss", "class_colors", "predicted_classes",
           "evaluate_elementwise", "draw_activation", "Z_RANGE",
           "plot_depth_statistics", "draw_depth_statistics",
           "plot_feature_maps", "plot_kernels", "plot_timings", "draw_feature_map",
           "plot_gradient_through_time", "draw_gradient_through_time",
           "plot_perplexity", "plot_train_validation", "plot_improvements"]
