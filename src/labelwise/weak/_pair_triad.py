"""The triad gate of the label model's dependent-pair check (``LabelModel(pair_check_triad=True)``).

A pair of labelers whose agreements exceed what the fitted Dawid-Skene model predicts may be a
dependent pair (a direct effect between two indicators, Hagenaars 1988) or a misfit that is not
the pair's: on crowds where a few good labelers stand among many lured ones, every pair of the
good labelers agrees more than the class-conditional model predicts (what a second latent
dimension does; Chen and Thissen 1997 note that their pairwise local-dependence index flags it
too). Such an excess is shared with a third labeler; a pair's own link is not. A pair found by the
check is kept only if its held-out agreement ``z`` exceeds, by the check's threshold, the largest
excess both members share with any third labeler ``c``: ``z_ab − max(0, max_c min(z_ac, z_bc)) >
threshold``, each ``z`` the pair's agreements on its shared items against the model's prediction
from the item's other votes (a posterior predictive discrepancy, Gelman, Meng and Stern 1996).
Chosen by the rule of ``benchmarks/dev_weak_pair_fp.py``. The computation is aggregate's
(:mod:`labelwise.aggregate._pair_triad`, the gate of ``aggregate.DawidSkene``'s own check), on the
label matrix's votes as count rows.

References
----------
.. [1] J. A. Hagenaars, "Latent structure models with direct effects between indicators",
   Sociological Methods and Research 16(3), 379-405, 1988.
.. [2] W.-H. Chen and D. Thissen, "Local dependence indexes for item pairs using item response
   theory", Journal of Educational and Behavioral Statistics 22(3), 265-289, 1997.
.. [3] A. Gelman, X.-L. Meng and H. Stern, "Posterior predictive assessment of model fitness via
   realized discrepancies", Statistica Sinica 6, 733-807, 1996.
"""

from __future__ import annotations

from ..aggregate._pair_triad import matrix_triad_keep as triad_keep

__all__ = ["triad_keep"]
