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


class MLSettings(Section):
    enabled: bool = True
    horizon_sessions: int = Field(5, ge=1)
    retrain_every_sessions: int = Field(63, ge=1)
    min_train_sessions: int = Field(250, ge=20)
    model: Literal["logistic", "random_forest", "gradient_boosting"] = "logistic"


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
    dask_scheduler: str | None = None
    service_timeout_seconds: float = Field(30.0, gt=0)
    heartbeat_seconds: float = Field(5.0, gt=0)


class SettingsModel(Section):
    """All settings; the loader in tradecycle.settings fills it from its sources."""

    database_url: str = "sqlite:///./trading_system.db"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    scanner: ScannerSettings = ScannerSettings()
    signal: SignalSettings = SignalSettings()
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
