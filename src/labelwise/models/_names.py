"""The model families' names and the audit's time budget, in a module that imports nothing.

The command line's ``--model`` lists these names and its ``--help`` must not import scikit-learn to
show them; ``tests/test_registry_names.py`` checks them against :data:`labelwise.models.FAMILIES`.
"""

__all__ = ["DEFAULT_TIME_BUDGET", "MODELS", "MODEL_CHOICES"]

#: Model families one can ask for by name (``"auto"`` chooses among them, see
#: :func:`labelwise.models.choose_model`): the keys of :data:`labelwise.models.FAMILIES`.
MODELS = ("logistic", "knn", "boosting", "forest", "extra_trees")
#: Choices of ``--model`` on the command line: ``auto`` first, then the families.
MODEL_CHOICES = ("auto", *MODELS)
#: Seconds the chooser may spend on all candidates by default (a laptop-sized wait).
DEFAULT_TIME_BUDGET = 30.0
