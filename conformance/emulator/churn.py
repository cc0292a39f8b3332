"""Churn: instances created and deleted while a client pages.

A listing that changes under a paging client is what real accounts do
(autoscaling, spot reclaims); clients must survive it and the suite must
call its oracles off rather than fail. Each churn event deletes one instance
and creates one in the vendor's default region, both chosen by the plan's
seed and the request's sequence number, so a run repeats exactly.
"""

from __future__ import annotations

import random
from typing import Any

from conformance.emulator import inventory


def churned(vendor: str, items: list[dict[str, Any]], seed: int, sequence: int) -> list[dict[str, Any]]:
    """``items`` after one churn event: one deleted, one new one inserted at a random position."""
    rng = random.Random(f"{seed}:churn:{sequence}")
    out = list(items)
    if out:
        del out[rng.randrange(len(out))]
    # A generated inventory's first instance always sits in the default region: the one clients page.
    new = inventory.generate(vendor, 1, seed=f"churn-{seed}-{sequence}")[0]  # type: ignore[arg-type]
    out.insert(rng.randrange(len(out) + 1), new)
    return out


__all__ = ["churned"]
