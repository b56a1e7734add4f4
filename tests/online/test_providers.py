"""Yahoo and Alpaca market data on recorded responses: parsing, paging, caching, retries, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
import requests
from pydantic import SecretStr

from tradecycle.adapters.marketdata.base import MarketDataProvider
from tradecycle.adapters.marketdata.providers import drop_unfinished, make_provider
from tradecycle.adapters.marketdata.providers.alpaca import AlpacaProvider, alpaca_keys
from tradecycle.adapters.marketdata.providers.cache import BAR_COLUMNS, BarCache
from tradecycle.adapters.marketdata.providers.ratelimit import RetryPolicy
from tradecycle.adapters.marketdata.providers.yahoo import YahooProvider, parse_chart
from tradecycle.adapters.marketdata.validate import validate_bars
from tradecycle.config import SettingsModel
from tradecycle.errors import ConfigError, DataError

from .conftest import recorded

START, END = date(2018, 1, 2), date(2018, 1, 5)
TODAY = date(2026, 11, 25)
KEY, SECRET = SecretStr("PKTESTKEY0000000000"), SecretStr("test-secret-never-printed")


# ---------------------------------------------------------------- Yahoo


def test_yahoo_chart_becomes_long_bars_on_new_york_session_days(yahoo_http, no_wait):
    yahoo_http.add("GET", "/v8/finance/chart/AAPL", (200, recorded("yahoo_chart_AAPL.json")))
    frame = YahooProvider().fetch_bars(["aapl"], START, END)

    assert list(frame.columns) == BAR_COLUMNS
    assert frame["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2018-01-02",
        "2018-01-03",
        "2018-01-04",
        "2018-01-05",
    ]
    assert (frame["symbol"] == "AAPL").all()
    assert frame.loc[0, "close"] == pytest.approx(43.065, abs=1e-3)
    assert frame.loc[3, "volume"] == 94_640_000
    assert frame["volume"].dtype == "int64"
    call = yahoo_http.calls[0]
    assert call.params["interval"] == "1d"
    assert call.params["period1"] == 1514851200  # 2018-01-02 00:00 UTC
    assert call.params["period2"] == 1515196800  # 2018-01-06 00:00 UTC: end is inclusive
    assert validate_bars(frame, "yahoo").ok


def test_yahoo_dot_symbols_use_dashes_and_null_padding_and_repeats_are_dropped(yahoo_http, no_wait):
    yahoo_http.add("GET", "/v8/finance/chart/BRK-B", (200, recorded("yahoo_chart_BRK-B.json")))
    frame = YahooProvider().fetch_bars(["BRK.B"], START, END)

    assert frame["symbol"].unique().tolist() == ["BRK.B"]
    assert frame["date"].dt.day.tolist() == [2, 3, 5]  # the all-null halted day and the repeated bar are gone
    assert not frame[["open", "high", "low", "close", "volume"]].isna().any().any()


def test_yahoo_unknown_symbol_is_a_data_error_naming_it(yahoo_http, no_wait):
    yahoo_http.add("GET", "/v8/finance/chart/ZZZZ", (404, recorded("yahoo_chart_not_found.json")))
    with pytest.raises(DataError, match="ZZZZ: No data found, symbol may be delisted"):
        YahooProvider().fetch_bars(["ZZZZ"], START, END)


def test_yahoo_retries_throttling_with_backoff_then_succeeds(yahoo_http, no_wait):
    yahoo_http.add(
        "GET",
        "/v8/finance/chart/AAPL",
        (429, {"finance": {"error": "Too Many Requests"}}),
        (502, {}),
        (200, recorded("yahoo_chart_AAPL.json")),
    )
    frame = YahooProvider().fetch_bars(["AAPL"], START, END)
    assert len(frame) == 4
    assert len(yahoo_http.calls) == 3
    assert [w for w in no_wait if w >= 0.5] == [0.5, 1.0]  # backoff doubles


def test_yahoo_without_network_is_one_clear_data_error(yahoo_http, no_wait):
    from curl_cffi.requests.exceptions import ConnectionError as CurlConnectionError

    yahoo_http.add(
        "GET", "/v8/finance/chart/", CurlConnectionError("Failed to resolve host: query2.finance.yahoo.com")
    )
    provider = YahooProvider(retry=RetryPolicy(attempts=3))
    with pytest.raises(
        DataError, match=r"cannot reach Yahoo Finance after 3 attempts \(Failed to resolve host"
    ):
        provider.fetch_bars(["AAPL"], START, END)
    assert len(yahoo_http.calls) == 3


def test_yahoo_malformed_payload_is_a_data_error():
    with pytest.raises(DataError, match="no 'chart' object"):
        parse_chart("AAPL", {"finance": {"result": None}})
    broken = recorded("yahoo_chart_AAPL.json")
    broken["chart"]["result"][0]["indicators"]["quote"][0]["close"].pop()
    with pytest.raises(DataError, match="differ in length"):
        parse_chart("AAPL", broken)


def test_yahoo_complete_ranges_are_served_from_the_cache(yahoo_http, no_wait, tmp_path):
    yahoo_http.add("GET", "/v8/finance/chart/AAPL", (200, recorded("yahoo_chart_AAPL.json")))
    first = YahooProvider(cache=BarCache(tmp_path, TODAY)).fetch_bars(["AAPL"], START, END)
    second = YahooProvider(cache=BarCache(tmp_path, TODAY)).fetch_bars(["AAPL"], START, END)
    assert len(yahoo_http.calls) == 1
    pd.testing.assert_frame_equal(first, second)


def test_a_range_that_reaches_today_is_never_cached(tmp_path):
    frame = parse_chart("AAPL", recorded("yahoo_chart_AAPL.json"))
    cache = BarCache(tmp_path, today=END)
    assert not cache.store("yahoo", "AAPL", START, END, frame)
    assert cache.load("yahoo", "AAPL", START, END) is None
    assert not list(tmp_path.rglob("*.parquet"))


def test_a_damaged_cache_entry_is_refetched_not_trusted(tmp_path):
    cache = BarCache(tmp_path, TODAY)
    path = cache.path("yahoo", "AAPL", START, END)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not parquet")
    assert cache.load("yahoo", "AAPL", START, END) is None
    assert not path.exists()


# ---------------------------------------------------------------- Alpaca


def _bars_routes(router):
    return router.add(
        "GET",
        "/v2/stocks/bars",
        (200, recorded("alpaca_bars_page1.json")),
        (200, recorded("alpaca_bars_page2.json")),
    )


def test_alpaca_bars_follow_pages_and_land_on_the_new_york_day(alpaca_http, no_wait):
    _bars_routes(alpaca_http)
    frame = AlpacaProvider(KEY, SECRET).fetch_bars(["AAPL", "MSFT"], START, END)

    assert frame.groupby("symbol").size().to_dict() == {"AAPL": 4, "MSFT": 4}
    assert frame["date"].dt.strftime("%Y-%m-%d").unique().tolist() == [
        "2018-01-02",
        "2018-01-03",
        "2018-01-04",
        "2018-01-05",
    ]
    first, second = alpaca_http.calls
    assert first.params["symbols"] == "AAPL,MSFT"
    assert first.params["timeframe"] == "1Day"
    assert first.params["adjustment"] == "split"
    assert first.params["feed"] == "sip"
    assert second.params["page_token"] == recorded("alpaca_bars_page1.json")["next_page_token"]
    assert validate_bars(frame, "alpaca").ok


def test_alpaca_keys_are_sent_as_headers_never_in_the_url(alpaca_http, no_wait, monkeypatch):
    seen = {}
    original = requests.Session.request

    def spy(self, method, url, **opts):
        seen.update(opts["headers"])
        return original(self, method, url, **opts)

    monkeypatch.setattr(requests.Session, "request", spy)
    _bars_routes(alpaca_http)
    AlpacaProvider(KEY, SECRET).fetch_bars(["AAPL"], START, END)
    assert seen["APCA-API-KEY-ID"] == "PKTESTKEY0000000000"
    assert all("secret" not in call.url for call in alpaca_http.calls)


def test_alpaca_symbol_with_no_bars_is_an_empty_frame_not_an_error(alpaca_http, no_wait):
    alpaca_http.add("GET", "/v2/stocks/bars", (200, {"bars": {}, "next_page_token": None}))
    frame = AlpacaProvider(KEY, SECRET).fetch_bars(["ZZZZ"], START, END)
    assert frame.empty
    assert list(frame.columns) == BAR_COLUMNS


def test_alpaca_refused_keys_are_a_config_error_without_retrying(alpaca_http, no_wait):
    alpaca_http.add("GET", "/v2/stocks/bars", (403, recorded("alpaca_error_forbidden.json")))
    with pytest.raises(ConfigError, match="Alpaca market data refused the API keys") as info:
        AlpacaProvider(KEY, SECRET).fetch_bars(["AAPL"], START, END)
    assert "test-secret" not in str(info.value)
    assert len(alpaca_http.calls) == 1


def test_alpaca_server_errors_are_retried_then_reported(alpaca_http, no_wait):
    alpaca_http.add("GET", "/v2/stocks/bars", (500, {"message": "internal server error"}))
    with pytest.raises(DataError, match="cannot reach Alpaca market data after 4 attempts"):
        AlpacaProvider(KEY, SECRET).fetch_bars(["AAPL"], START, END)
    assert len(alpaca_http.calls) == 4


def test_missing_alpaca_keys_say_where_to_put_them():
    with pytest.raises(ConfigError, match="TRADECYCLE_BROKER__ALPACA_API_KEY"):
        alpaca_keys(None, SECRET)
    with pytest.raises(ConfigError, match="secret key missing"):
        AlpacaProvider(KEY, SecretStr("  ")).fetch_bars(["AAPL"], START, END)


def test_alpaca_cache_skips_only_the_symbols_it_has(alpaca_http, no_wait, tmp_path):
    _bars_routes(alpaca_http)
    AlpacaProvider(KEY, SECRET, cache=BarCache(tmp_path, TODAY)).fetch_bars(["AAPL", "MSFT"], START, END)
    alpaca_http.calls.clear()
    frame = AlpacaProvider(KEY, SECRET, cache=BarCache(tmp_path, TODAY)).fetch_bars(
        ["MSFT", "AAPL"], START, END
    )
    assert alpaca_http.calls == []
    assert frame["symbol"].tolist() == ["AAPL"] * 4 + ["MSFT"] * 4
    assert np.isfinite(frame[["open", "high", "low", "close"]].to_numpy()).all()


def test_make_provider_reads_keys_and_cache_dir_from_settings(tmp_path):
    settings = SettingsModel.model_validate(
        {"data": {"cache_dir": str(tmp_path)}, "broker": {"alpaca_api_key": "k", "alpaca_secret_key": "s"}}
    )
    alpaca = make_provider(settings, "alpaca", TODAY)
    assert isinstance(alpaca, MarketDataProvider)
    assert isinstance(alpaca, AlpacaProvider) and alpaca.cache.root == tmp_path
    yahoo = make_provider(settings, "yahoo", TODAY, use_cache=False)
    assert isinstance(yahoo, YahooProvider) and isinstance(yahoo, MarketDataProvider)
    with pytest.raises(ConfigError, match="unknown market data provider"):
        make_provider(settings, "bloomberg", TODAY)  # type: ignore[arg-type]


def test_bars_of_a_session_still_open_are_dropped_never_stored_as_complete():
    frame = parse_chart("AAPL", recorded("yahoo_chart_AAPL.json"))
    during = datetime(2018, 1, 5, 18, 0, tzinfo=UTC)  # 13:00 New York, before the 16:00 close
    kept, dropped = drop_unfinished(frame, during)
    assert dropped == ["AAPL 2018-01-05"]
    assert kept["date"].max() == pd.Timestamp("2018-01-04")
    after = datetime(2018, 1, 5, 21, 0, tzinfo=UTC)
    assert drop_unfinished(frame, after)[1] == []
    assert drop_unfinished(frame.iloc[:0], during)[1] == []


def test_a_plan_limit_is_a_data_error_with_alpacas_reason_not_a_key_error(alpaca_http):
    alpaca_http.add("GET", "/v2/stocks/bars", (403, recorded("alpaca_error_recent_sip.json")))
    with pytest.raises(DataError, match="HTTP 403: subscription does not permit querying recent SIP data"):
        AlpacaProvider(KEY, SECRET).fetch_bars(["AAPL"], START, END)
    assert len(alpaca_http.calls) == 1


def test_live_alpaca_requests_stop_sixteen_minutes_before_now(alpaca_http):
    alpaca_http.add("GET", "/v2/stocks/bars", (200, {"bars": {}, "next_page_token": None}))
    during = datetime(2018, 1, 5, 18, 0, tzinfo=UTC)
    AlpacaProvider(KEY, SECRET, now=during).fetch_bars(["AAPL"], START, END)
    AlpacaProvider(KEY, SECRET).fetch_bars(["AAPL"], START, END)
    live, history = alpaca_http.calls
    assert live.params["end"].startswith("2018-01-05T17:44:00")
    assert history.params["end"].startswith("2018-01-06T00:00:00")
