"""The token bucket and the retry policy every online adapter shares (fake clock, no sleeping)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradecycle.adapters.marketdata.providers.ratelimit import (
    AuthError,
    RateLimiter,
    RetryPolicy,
    TransientError,
    call_with_retry,
    describe,
    shared_limiter,
)
from tradecycle.errors import ConfigError, DataError


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds


def _limiter(rate: float, per: float, burst: int) -> tuple[RateLimiter, FakeClock]:
    clock = FakeClock()
    return RateLimiter(rate=rate, per=per, burst=burst, clock=clock, sleep=clock.sleep), clock


def test_a_burst_passes_at_once_then_calls_are_spaced_by_the_rate():
    limiter, clock = _limiter(rate=2, per=1.0, burst=3)
    waits = [limiter.acquire() for _ in range(5)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3:] == pytest.approx([0.5, 0.5])
    assert clock.now == pytest.approx(1.0)


@settings(max_examples=150, deadline=None)
@given(
    rate=st.integers(1, 20),
    burst=st.integers(1, 5),
    gaps=st.lists(st.floats(0, 2.0, allow_nan=False), min_size=1, max_size=60),
)
def test_no_window_of_one_period_holds_more_than_burst_plus_rate_calls(rate, burst, gaps):
    limiter, clock = _limiter(rate=rate, per=1.0, burst=burst)
    stamps = []
    for gap in gaps:
        clock.now += gap
        limiter.acquire()
        stamps.append(clock.now)
    for i, start in enumerate(stamps):
        inside = sum(1 for t in stamps[i:] if t - start < 1.0 - 1e-9)
        assert inside <= burst + rate


def test_bad_limits_are_config_errors():
    with pytest.raises(ConfigError, match="rate limit must be positive"):
        RateLimiter(rate=0)


def test_backoff_doubles_and_is_capped():
    assert RetryPolicy(attempts=6, base_delay=1.0, max_delay=5.0).delays() == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert RetryPolicy(attempts=1).delays() == []


def test_transient_failures_are_retried_then_succeed():
    waits: list[float] = []
    outcomes = iter([TransientError("HTTP 503"), ConnectionResetError("reset by peer"), "ok"])

    def flaky():
        value = next(outcomes)
        if isinstance(value, BaseException):
            raise value
        return value

    assert call_with_retry(flaky, service="X", policy=RetryPolicy(sleep=waits.append)) == "ok"
    assert waits == [0.5, 1.0]


def test_exhausted_retries_name_the_service_attempts_and_reason():
    policy = RetryPolicy(attempts=2, sleep=lambda s: None)
    with pytest.raises(
        DataError, match=r"cannot reach Feed after 2 attempts \(HTTP 503\); check the network"
    ):
        call_with_retry(
            lambda: (_ for _ in ()).throw(TransientError("HTTP 503")), service="Feed", policy=policy
        )


def test_refused_keys_and_other_errors_are_not_retried():
    calls: list[int] = []

    def refused():
        calls.append(1)
        raise AuthError("HTTP 401")

    with pytest.raises(ConfigError, match="Broker refused the API keys"):
        call_with_retry(refused, service="Broker", policy=RetryPolicy(sleep=lambda s: None))

    def bug():
        calls.append(1)
        raise KeyError("field")

    with pytest.raises(KeyError):
        call_with_retry(bug, service="Broker", policy=RetryPolicy(sleep=lambda s: None))
    assert len(calls) == 2


def test_every_attempt_takes_a_rate_limit_token():
    limiter, clock = _limiter(rate=1, per=10.0, burst=1)
    outcomes = iter([TransientError("HTTP 429"), "ok"])

    def once():
        value = next(outcomes)
        if isinstance(value, BaseException):
            raise value
        return value

    call_with_retry(once, service="X", policy=RetryPolicy(sleep=clock.sleep), limiter=limiter)
    assert clock.now == pytest.approx(10.0)  # backoff 0.5 s, then the bucket needed 9.5 s more


def test_network_errors_are_described_on_one_short_line_without_query_strings():
    urllib3 = (
        "HTTPSConnectionPool(host='data.alpaca.markets', port=443): Max retries exceeded with url: "
        '/v2/stocks/bars?symbols=AAPL&start=2024 (Caused by NameResolutionError("HTTPSConnection('
        "host='data.alpaca.markets', port=443): Failed to resolve 'data.alpaca.markets' "
        '([Errno -2] Name or service not known)"))'
    )
    assert (
        describe(OSError(urllib3))
        == "Failed to resolve 'data.alpaca.markets' ([Errno -2] Name or service not known)"
    )
    curl = "Failed to perform, curl: (6) Could not resolve host: x.test. See https://curl.se/libcurl/c/err.html first"
    assert describe(OSError(curl)) == "Failed to perform, curl: (6) Could not resolve host: x.test"
    assert describe(OSError("GET https://x.test/feed?token=abc failed")) == "GET https://x.test/feed failed"
    assert describe(TimeoutError()) == "TimeoutError"


def test_clients_of_one_service_share_one_bucket(no_wait):
    assert shared_limiter("alpaca") is shared_limiter("alpaca")
    assert shared_limiter("alpaca") is not shared_limiter("yahoo")
