"""Scanner core: the seed's criteria, scan types, ranking, cap and determinism."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tradecycle.core.scan import ScanParams, scan
from tradecycle.core.types import ScanType

ALL_TYPES = (ScanType.MOMENTUM, ScanType.BREAKOUT, ScanType.OVERSOLD, ScanType.VALUE)


def _params(**kw) -> ScanParams:
    base = dict(
        min_volume=1e6,
        min_price=10.0,
        max_price=500.0,
        min_change_pct=5.0,
        min_relative_volume=1.5,
        oversold_rsi=30.0,
        value_near_low_pct=10.0,
        scan_types=ALL_TYPES,
        max_candidates=20,
    )
    return ScanParams(**(base | kw))


def _universe():
    """Five symbols, each built to pass (or fail) exactly one thing."""
    symbols = ["MOM", "LOWVOL", "PENNY", "BRK", "OVS"]
    close = np.array([100.0, 100.0, 5.0, 60.0, 40.0])
    volume = np.array([2e6, 0.5e6, 5e6, 3e6, 2e6])
    snap = {
        "change_pct": np.array([12.0, 20.0, 30.0, 1.0, -8.0]),
        "rel_volume": np.array([2.0, 3.0, 3.0, 1.8, 1.0]),
        "rsi_14": np.array([65.0, 70.0, 80.0, 55.0, 25.0]),
        "prior_high": np.array([101.0, 120.0, 6.0, 59.0, 50.0]),
        "low_52w": np.array([50.0, 50.0, 2.0, 30.0, 30.0]),
    }
    return symbols, close, volume, snap


def test_seed_criteria_and_scan_types():
    symbols, close, volume, snap = _universe()
    out = scan(close, volume, snap, symbols, _params())
    picked = {symbols[r]: t for r, t in zip(out.rows, out.scan_types, strict=True)}
    assert picked == {"MOM": ScanType.MOMENTUM, "BRK": ScanType.BREAKOUT, "OVS": ScanType.OVERSOLD}
    assert out.criteria["volume"].tolist() == [True, False, True, True, True]
    assert out.criteria["price"].tolist() == [True, True, False, True, True]
    assert out.criteria["change"][0] and not out.criteria["change"][3]


def test_only_configured_scan_types_and_thresholds_apply():
    symbols, close, volume, snap = _universe()
    out = scan(close, volume, snap, symbols, _params(scan_types=(ScanType.MOMENTUM,)))
    assert [symbols[r] for r in out.rows] == ["MOM"]
    out = scan(close, volume, snap, symbols, _params(scan_types=(ScanType.MOMENTUM,), min_change_pct=15.0))
    assert out.rows.size == 0
    out = scan(close, volume, snap, symbols, _params(min_volume=0, max_price=1000, min_price=1))
    assert "LOWVOL" in [symbols[r] for r in out.rows] and "PENNY" in [symbols[r] for r in out.rows]


def test_value_type_is_near_the_52_week_low():
    symbols, close, volume, snap = _universe()
    snap["low_52w"] = np.array([95.0, 50.0, 2.0, 30.0, 30.0])
    out = scan(close, volume, snap, symbols, _params(scan_types=(ScanType.VALUE,)))
    assert [symbols[r] for r in out.rows] == ["MOM"]


def test_nan_features_fail_every_criterion():
    symbols, close, volume, snap = _universe()
    close = close.copy()
    close[0] = np.nan
    out = scan(close, volume, snap, symbols, _params())
    assert 0 not in out.rows.tolist()


def test_ranking_is_capped_sorted_and_deterministic():
    rng = np.random.default_rng(3)
    n = 200
    symbols = [f"X{i:03d}" for i in range(n)]
    close = rng.uniform(20, 400, n)
    volume = rng.uniform(1.2e6, 5e6, n)
    snap = {
        "change_pct": rng.uniform(6, 30, n).round(0),  # many ties
        "rel_volume": rng.uniform(1.6, 4, n).round(0),
        "rsi_14": rng.uniform(40, 60, n),
        "prior_high": close * 2,
        "low_52w": close / 2,
    }
    out = scan(close, volume, snap, symbols, _params(max_candidates=15))
    assert out.rows.size == 15
    scores = out.scores[out.rows]
    assert np.all(np.diff(scores) <= 0)
    perm = rng.permutation(n)
    out2 = scan(
        close[perm],
        volume[perm],
        {k: v[perm] for k, v in snap.items()},
        [symbols[i] for i in perm],
        _params(max_candidates=15),
    )
    assert [symbols[perm[r]] for r in out2.rows] == [symbols[r] for r in out.rows]


@given(
    data=st.data(),
    n=st.integers(1, 40),
    cap=st.integers(1, 10),
    types=st.lists(st.sampled_from(ALL_TYPES), min_size=1, max_size=4, unique=True),
)
@settings(max_examples=60, deadline=None)
def test_every_candidate_meets_its_criteria(data, n, cap, types):
    def arr(lo, hi):
        values = st.one_of(st.floats(lo, hi), st.just(np.nan))
        return np.array(data.draw(st.lists(values, min_size=n, max_size=n)))

    close, volume = arr(1, 600), arr(0, 3e6)
    snap = {
        "change_pct": arr(-50, 50),
        "rel_volume": arr(0, 5),
        "rsi_14": arr(0, 100),
        "prior_high": arr(1, 600),
        "low_52w": arr(1, 600),
    }
    symbols = [f"S{i}" for i in range(n)]
    p = _params(scan_types=tuple(types), max_candidates=cap)
    out = scan(close, volume, snap, symbols, p)
    assert out.rows.size <= cap and len(set(out.rows.tolist())) == out.rows.size
    c = out.criteria
    need = {
        ScanType.MOMENTUM: ("change", "relative_volume"),
        ScanType.BREAKOUT: ("breakout", "relative_volume"),
        ScanType.OVERSOLD: ("oversold",),
        ScanType.VALUE: ("value",),
    }
    for row, scan_type in zip(out.rows, out.scan_types, strict=True):
        assert scan_type in types
        assert c["volume"][row] and c["price"][row]
        assert all(c[k][row] for k in need[scan_type])
    eligible = sum(
        bool(c["volume"][r] and c["price"][r] and any(all(c[k][r] for k in need[t]) for t in types))
        for r in range(n)
    )
    assert out.rows.size == min(cap, eligible)
