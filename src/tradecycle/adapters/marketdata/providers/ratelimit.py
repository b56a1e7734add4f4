"""Rate limiting and retries shared by every online adapter (market data, news, broker).

Online APIs throttle (Alpaca: 200 requests/minute; Yahoo answers 429 when pushed) and
networks fail transiently. One token bucket per service keeps us under the limit; one
retry policy with exponential backoff absorbs transient failures; anything that is not
transient (bad keys, bad request) fails at once with a message a user can act on.
The clock and the sleep are injectable so tests never wait.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tradecycle.errors import ConfigError, DataError

T = TypeVar("T")


def pause(seconds: float) -> None:
    """The one real sleep of the online adapters (tests replace it)."""
    time.sleep(seconds)


class TransientError(Exception):
    """A failure worth retrying: throttling (429), a server error (5xx), a dropped connection."""


class AuthError(Exception):
    """The service refused our credentials (401, or 403 without a plan limit): retrying cannot help."""


@dataclass
class RateLimiter:
    """Token bucket: on average `rate` calls per `per` seconds, bursts of up to `burst`."""

    rate: float
    per: float = 60.0
    burst: int = 1
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] | None = None
    _tokens: float = field(default=-1.0, init=False, repr=False)
    _stamp: float = field(default=0.0, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.per <= 0 or self.burst < 1:
            raise ConfigError(
                f"rate limit must be positive (rate={self.rate}, per={self.per}, burst={self.burst})"
            )

    def acquire(self) -> float:
        """Take one token, waiting if the bucket is empty; returns the seconds waited."""
        now = self.clock()
        if self._tokens < 0:
            self._tokens, self._stamp = float(self.burst), now
        refill = self.rate / self.per
        self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * refill)
        self._stamp = now
        waited = 0.0
        if self._tokens < 1.0:
            waited = (1.0 - self._tokens) / refill
            (self.sleep or pause)(waited)
            self._tokens, self._stamp = 1.0, now + waited
        self._tokens -= 1.0
        return waited


# Documented limits: Alpaca allows 200 requests/minute per account (trading and data alike);
# Yahoo publishes none but throttles bursts; RSS hosts deserve politeness.
LIMITS: dict[str, tuple[float, float, int]] = {
    "alpaca": (190, 60.0, 10),
    "yahoo": (120, 60.0, 10),
    "rss": (30, 60.0, 5),
}
_SHARED: dict[str, RateLimiter] = {}


def shared_limiter(service: str) -> RateLimiter:
    """One bucket per service for the whole process, so the broker, news and data clients of
    one Alpaca account stay under its limit together."""
    if service not in _SHARED:
        rate, per, burst = LIMITS[service]
        _SHARED[service] = RateLimiter(rate=rate, per=per, burst=burst)
    return _SHARED[service]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: base, 2*base, 4*base ... capped at max_delay, `attempts` tries in all."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    sleep: Callable[[float], None] | None = None

    def delays(self) -> list[float]:
        return [min(self.max_delay, self.base_delay * 2**i) for i in range(max(self.attempts - 1, 0))]


def is_transient(exc: BaseException) -> bool:
    """Connection and timeout failures of requests, curl_cffi and the stdlib are all OSError."""
    return isinstance(exc, TransientError | OSError | TimeoutError)


def describe(exc: BaseException) -> str:
    """The useful part of a network error on one short line: the innermost cause, no query strings."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "Caused by " in text:  # urllib3: "... (Caused by SomeError("Conn(host=...): reason"))"
        inner = text.split("Caused by ", 1)[1]
        match = re.match(r"\w+\([\"']?(?:\w+\([^)]*\): )?(.*?)[\"']?\)\)$", inner)
        text = match.group(1) if match else inner
    text = text.split(". See https://curl.se", 1)[0]  # curl_cffi's pointer to libcurl's error list
    text = re.sub(r"\?[^\s)'\"]*", "", text)
    return text[:200]


def call_with_retry(
    fn: Callable[[], T],
    *,
    service: str,
    policy: RetryPolicy,
    limiter: RateLimiter | None = None,
    transient: Callable[[BaseException], bool] = is_transient,
    hint: str = "check the network connection",
) -> T:
    """Call `fn`, retrying transient failures with backoff; errors become DataError/ConfigError.

    A failure that survives every attempt is a DataError naming the service, the number
    of attempts and the last reason; refused credentials are a ConfigError at once.
    """
    delays = policy.delays()
    for attempt in range(len(delays) + 1):
        if limiter is not None:
            limiter.acquire()
        try:
            return fn()
        except AuthError as exc:
            raise ConfigError(f"{service} refused the API keys ({exc}); check them in the config") from None
        except Exception as exc:
            if not transient(exc):
                raise
            if attempt == len(delays):
                raise DataError(
                    f"cannot reach {service} after {attempt + 1} attempts ({describe(exc)}); {hint}"
                ) from None
            (policy.sleep or pause)(delays[attempt])
    raise AssertionError("unreachable")
