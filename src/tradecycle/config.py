"""Settings: defaults < tradecycle.toml < TRADECYCLE_* environment variables.

Every number the seed documents (scan criteria, signal weights, risk rules) is a
setting here with the seed's value as default. Secrets are SecretStr, so they are
masked wherever settings are printed or logged.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ScannerSettings(Section):
    min_volume: float = Field(1_000_000, ge=0, description="minimum session volume (shares)")
    min_price: float = Field(10.0, gt=0)
    max_price: float = Field(500.0, gt=0)
    min_change_pct: float = Field(5.0, description="minimum change over the lookback, percent")
    min_relative_volume: float = Field(1.5, ge=0)
    lookback_sessions: int = Field(20, ge=2)
    scan_types: list[Literal["momentum", "breakout", "oversold", "value"]] = [
        "momentum",
        "breakout",
        "oversold",
        "value",
    ]
    max_candidates: int = Field(20, ge=1)
    breakout_lookback: int = Field(20, ge=2, description="breakout: close above the prior N sessions' high")
    oversold_rsi: float = Field(30.0, gt=0, lt=100, description="oversold: RSI(14) below this")
    value_near_low_pct: float = Field(
        10.0, ge=0, description="value-like: close within this percent of its 52-week low"
    )

    @model_validator(mode="after")
    def _price_range(self) -> ScannerSettings:
        if self.min_price >= self.max_price:
            raise ValueError("scanner.min_price must be below scanner.max_price")
        return self


class SignalSettings(Section):
    """The seed's composite score; weights must sum to 1."""

    pattern_weight: float = Field(0.35, ge=0, le=1)
    indicator_weight: float = Field(0.30, ge=0, le=1)
    trend_weight: float = Field(0.20, ge=0, le=1)
    volume_weight: float = Field(0.15, ge=0, le=1)
    ml_weight: float = Field(0.0, ge=0, le=1)
    sentiment_weight: float = Field(0.0, ge=0, le=1)
    strong_buy: float = 75.0
    buy: float = 60.0
    sell: float = 40.0
    strong_sell: float = 25.0
    min_pattern_confidence: float = Field(0.6, ge=0, le=1)
    min_confirming_indicators: int = Field(2, ge=0)
    atr_stop_multiple: float = Field(2.0, gt=0)
    max_stop_pct: float = Field(2.0, gt=0, description="stop at most this percent below entry")
    require_pattern: bool = Field(True, description="a BUY needs a bullish pattern of min_pattern_confidence")

    @model_validator(mode="after")
    def _weights_sum_to_one(self) -> SignalSettings:
        total = (
            self.pattern_weight
            + self.indicator_weight
            + self.trend_weight
            + self.volume_weight
            + self.ml_weight
            + self.sentiment_weight
        )
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"signal weights must sum to 1, they sum to {total:.4f}")
        return self


class StrategySettings(Section):
    name: str = Field("composite", description="composite | sma_cross | a registered strategy")
    analysis: Literal["all", "read"] = Field(
        "all",
        description="all: every analysis phase (scan, news, patterns, technicals, ml) runs and is "
        "recorded; read: only those the strategy reads (sma_cross reads none of them)",
    )
    sma_fast: int = Field(20, ge=1)
    sma_slow: int = Field(50, ge=2)


class RiskSettings(Section):
    risk_per_trade_pct: float = Field(1.0, gt=0, le=2.0)
    max_position_pct: float = Field(10.0, gt=0, le=100)
    max_open_positions: int = Field(10, ge=1)
    cash_reserve_pct: float = Field(20.0, ge=0, lt=100)
    max_positions_per_sector: int = Field(3, ge=1)
    min_reward_risk: float = Field(3.0, ge=0)
    daily_loss_limit_pct: float = Field(5.0, gt=0)
    circuit_breaker_losses: int = Field(3, ge=1)
    circuit_breaker_cooldown_sessions: int = Field(2, ge=0)
    allow_short: bool = False


class ExitSettings(Section):
    trailing_stop_atr: float = Field(1.0, gt=0, description="trail by this many ATR")
    trail_after_r: float = Field(2.0, ge=0, description="start trailing after this multiple of risk")
    time_stop_sessions: int = Field(5, ge=1)
    time_stop_flat_pct: float = Field(1.0, ge=0, description="'flat' means within this percent")
    exit_on_opposite_signal: bool = True


class BrokerSettings(Section):
    kind: Literal["paper", "alpaca"] = "paper"
    initial_cash: float = Field(100_000.0, gt=0)
    slippage_bps: float = Field(5.0, ge=0)
    commission_per_share: float = Field(0.005, ge=0)
    min_commission: float = Field(1.0, ge=0)
    max_volume_fraction: float = Field(0.1, gt=0, le=1)
    entry_order_type: Literal["MARKET", "LIMIT"] = "MARKET"
    alpaca_api_key: SecretStr | None = None
    alpaca_secret_key: SecretStr | None = None
    alpaca_paper_url: str = "https://paper-api.alpaca.markets"


class DataSettings(Section):
    provider: Literal["bundled", "database", "yahoo", "alpaca"] = "bundled"
    cache_dir: str = ".tradecycle-cache"
    timeframe: Literal["1d"] = "1d"


class NewsSettings(Section):
    sources: list[Literal["bundled", "rss", "alpaca"]] = ["bundled"]
    rss_feeds: list[str] = []
    lookback_hours: int = Field(72, ge=1)
    half_life_hours: float = Field(24.0, gt=0, description="a post's weight halves with this age")
    label_threshold: float = Field(
        0.15, ge=0, lt=1, description="aggregate score beyond +/- this is positive/negative"
    )


class MLSettings(Section):
    enabled: bool = True
    horizon_sessions: int = Field(5, ge=1)
    retrain_every_sessions: int = Field(63, ge=1)
    min_train_sessions: int = Field(250, ge=20)
    model: Literal["logistic", "random_forest", "gradient_boosting"] = "logistic"
    train_window_sessions: int = Field(500, ge=20, description="train on at most this many recent sessions")
    sample_every_sessions: int = Field(
        5, ge=1, description="training samples every N sessions (N = horizon: no overlap)"
    )
    use_panel_features: bool = Field(True, description="add the precomputed indicator/candlestick arrays")
    use_sentiment: bool = Field(True, description="add a daily news-sentiment feature from the bundled posts")


class ScheduleSettings(Section):
    interval_minutes: int = Field(30, ge=1)
    market_hours_only: bool = True


class ApiSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    token: SecretStr | None = None
    default_page_size: int = Field(100, ge=1)
    max_page_size: int = Field(1000, ge=1)
    dashboard_refresh_seconds: float = Field(5.0, gt=0, description="dashboard polling interval")


class ReportingSettings(Section):
    periods_per_year: int = Field(252, ge=1, description="sessions per year used to annualise")
    risk_free_rate: float = Field(0.0, ge=-1, le=1, description="annual risk-free rate for Sharpe/Sortino")
    stale_heartbeat_multiple: float = Field(
        3.0, gt=0, description="a service is stale after this many heartbeat intervals without a beat"
    )
    recent_cycles: int = Field(50, ge=1, description="cycles considered 'recent' by health and cycle reports")


class DistributedSettings(Section):
    """Scale-out: phases on separate service processes, analysis on a Dask cluster."""

    mode: Literal["local", "remote"] = Field(
        "local",
        description="local: every phase in this process; remote: phases on registered services (PostgreSQL)",
    )
    dask_scheduler: str | None = Field(
        None,
        description="Dask scheduler address (tcp://host:8786) for the analysis precompute; 'local' starts one",
    )
    dask_partitions: int = Field(4, ge=1, description="symbol partitions sent to the Dask cluster")
    service_timeout_seconds: float = Field(30.0, gt=0)
    service_retries: int = Field(5, ge=0, description="retries of a phase call, with exponential backoff")
    retry_backoff_seconds: float = Field(0.5, gt=0, description="first retry delay; doubles each retry")
    heartbeat_seconds: float = Field(5.0, gt=0)
    base_port: int = Field(
        5000, ge=1, le=65000, description="the seed's ports: coordination 5000 .. dashboard 5010"
    )
    run_dir: str = Field(".tradecycle-run", description="where the supervisor keeps its state file and logs")
    restart_backoff_max_seconds: float = Field(30.0, gt=0)


class PatternSettings(Section):
    """Pattern detection (candlestick, chart, volume) and its shared confidence rule (see core.pattern_scoring)."""

    candlestick: bool = True
    chart: bool = True
    volume: bool = True
    min_confidence: float = Field(0.0, ge=0, le=1, description="hits below this are not recorded")
    clarity_weight: float = Field(0.4, ge=0, le=1, description="seed: pattern clarity 40%")
    volume_weight: float = Field(0.3, ge=0, le=1, description="seed: volume confirmation 30%")
    trend_weight: float = Field(0.3, ge=0, le=1, description="seed: trend alignment 30%")
    volume_lookback: int = Field(20, ge=1, description="sessions averaged for relative volume")
    volume_full_ratio: float = Field(2.0, gt=0, description="relative volume that scores full volume points")
    trend_lookback: int = Field(10, ge=2, description="sessions of prior move scored as trend context")
    trend_full_z: float = Field(1.5, gt=0, description="prior-move z-score that scores full trend points")
    atr_period: int = Field(14, ge=1)
    target_rr: float = Field(3.0, gt=0, description="target = entry +/- this x risk where no measured move")
    min_price_fraction: float = Field(0.05, gt=0, lt=1, description="targets are floored at this x entry")
    candle_indecision_min_z: float = Field(
        0.5, ge=0, description="doji after a move this big points against it"
    )
    candle_min_risk_atr: float = Field(0.25, ge=0, description="stop at least this many ATR from entry")
    chart_lookback: int = Field(60, ge=20, description="sessions searched for chart patterns")
    chart_pivot_distance: int = Field(3, ge=1, description="find_peaks distance between pivots")
    chart_prominence_atr: float = Field(1.0, gt=0, description="pivot prominence in ATR")
    chart_level_tolerance_pct: float = Field(2.0, gt=0, description="equal tops/bottoms/shoulders/touches")
    chart_min_depth_pct: float = Field(3.0, gt=0, description="double top/bottom trough depth")
    chart_head_excess_pct: float = Field(2.0, gt=0, description="head beyond both shoulders")
    chart_breakout_window: int = Field(3, ge=1, description="a break counts for this many sessions")
    chart_triangle_flat_pct: float = Field(0.08, ge=0, description="|slope| in %/session deemed flat")
    chart_triangle_min_slope_pct: float = Field(0.1, gt=0, description="slope in %/session deemed sloping")
    chart_triangle_fit_atr: float = Field(1.0, gt=0, description="pivots within this many ATR of their line")
    chart_flag_pole_min_pct: float = Field(8.0, gt=0)
    chart_flag_pole_max_bars: int = Field(10, ge=1)
    chart_flag_min_bars: int = Field(3, ge=1)
    chart_flag_max_bars: int = Field(15, ge=2)
    chart_flag_max_retrace: float = Field(
        0.5, gt=0, lt=1, description="flag retraces at most this of the pole"
    )
    chart_min_touches: int = Field(2, ge=2, description="pivots that make a support/resistance level")
    chart_stop_atr: float = Field(0.5, ge=0, description="breakout stop this many ATR beyond the level")
    volume_climax_ratio: float = Field(3.0, gt=1)
    volume_climax_range_atr: float = Field(1.5, gt=0, description="climax bar range in ATR")
    volume_climax_min_z: float = Field(1.0, ge=0, description="prior-move z a climax must end")
    volume_dryup_bars: int = Field(5, ge=2)
    volume_dryup_ratio: float = Field(0.5, gt=0, lt=1)
    volume_dryup_baseline: int = Field(50, ge=5)
    volume_dryup_min_z: float = Field(0.5, ge=0, description="prior-move z a dry-up must pause")
    volume_breakout_ratio: float = Field(2.0, gt=1)
    volume_breakout_lookback: int = Field(20, ge=2)

    @model_validator(mode="after")
    def _weights_sum_to_one(self) -> PatternSettings:
        total = self.clarity_weight + self.volume_weight + self.trend_weight
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"pattern confidence weights must sum to 1, they sum to {total:.4f}")
        if self.chart_flag_min_bars >= self.chart_flag_max_bars:
            raise ValueError("patterns.chart_flag_min_bars must be below patterns.chart_flag_max_bars")
        return self


class SettingsModel(Section):
    """All settings; the loader in tradecycle.settings fills it from its sources."""

    database_url: str = "sqlite:///./trading_system.db"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    scanner: ScannerSettings = ScannerSettings()
    signal: SignalSettings = SignalSettings()
    patterns: PatternSettings = PatternSettings()
    strategy: StrategySettings = StrategySettings()
    risk: RiskSettings = RiskSettings()
    exits: ExitSettings = ExitSettings()
    broker: BrokerSettings = BrokerSettings()
    data: DataSettings = DataSettings()
    news: NewsSettings = NewsSettings()
    ml: MLSettings = MLSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    api: ApiSettings = ApiSettings()
    reporting: ReportingSettings = ReportingSettings()
    distributed: DistributedSettings = DistributedSettings()
