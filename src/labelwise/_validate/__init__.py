"""Shared input checks, one module per kind of input.

- :mod:`.probabilities`: predicted probabilities (shape, values, rows summing to one);
- :mod:`.labels`: labels (one-dimensional, no missing values, encoding, class counts);
- :mod:`.arguments`: scalar arguments (choices, fractions, positive numbers, random states);
- :mod:`.estimators`: estimators (methods, ``sample_weight``, a meta-estimator's ``X``);
- :mod:`.names`: the "did you mean" of a name that is none of the valid ones (one rule for all).

Each check raises a :class:`~labelwise.errors.LabelwiseError` subclass whose message names the
parameter, what was expected and what was received. Import the checks from their module.
"""
