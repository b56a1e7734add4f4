/* tradecycle dashboard pages: overview, cycles, cycle, symbol, trades, system. */
"use strict";

const PHASE_COLOURS = {
  fills: "#5b8def", scan: "#4da3ff", news: "#9b7bf0", patterns: "#c77dd6", technicals: "#39b5b5", ml: "#e07a5f",
  strategy: "#e0b341", exits: "#f09a59", risk: "#2fbf8a", execution: "#7fc97f", portfolio: "#8193a8",
};
const phaseColour = (p) => PHASE_COLOURS[p] || "#556";

function timeline(phases) {
  const total = phases.reduce((a, p) => a + (p.duration_seconds || 0), 0) || 1;
  return `<div class="timeline">${phases
    .map((p) => `<span class="${TC.esc(p.status)}" style="width:${(100 * (p.duration_seconds || 0)) / total}%;background:${phaseColour(p.phase)}"
      title="${TC.esc(p.phase)} ${TC.esc(p.status)} ${TC.seconds(p.duration_seconds)}"></span>`)
    .join("")}</div>`;
}

function legend() {
  return `<div class="legend">${Object.keys(PHASE_COLOURS).map((p) => `<span><i style="background:${phaseColour(p)}"></i>${p}</span>`).join("")}<span><i style="background:var(--neg)"></i>failed</span></div>`;
}

/* ------------------------------------------------------------------ overview */
TC.pages.overview = {
  async load() {
    const [o, eq, perf] = await Promise.all([TC.api("/dashboard/overview"), TC.api("/dashboard/equity"), TC.api("/trading_performance")]);
    this.eq = eq;
    const positions = TC.table(
      [
        { key: "symbol", label: "Symbol", fmt: (v) => TC.symbolLink(v) },
        { key: "sector", label: "Sector" },
        { key: "quantity", label: "Qty", num: true, fmt: TC.int },
        { key: "average_cost", label: "Avg cost", num: true, fmt: (v) => TC.num(v) },
        { key: "current_price", label: "Last", num: true, fmt: (v) => TC.num(v) },
        { key: "market_value", label: "Value", num: true, fmt: TC.money },
        { key: "unrealized_pnl", label: "Unrealized", num: true, fmt: TC.signedMoney, tone: true },
        { key: "unrealized_pct", label: "%", num: true, fmt: TC.signedPct, tone: true },
        { key: "stop_loss", label: "Stop", num: true, fmt: (v) => TC.num(v) },
        { key: "target_price", label: "Target", num: true, fmt: (v) => TC.num(v) },
        { key: "opened_at", label: "Opened", fmt: TC.day },
      ],
      o.positions,
      "positions",
      "No open positions."
    );
    const unrealized = o.positions.reduce((a, p) => a + (p.unrealized_pnl || 0), 0);
    const last = o.last_cycle;
    return `<h1>Overview <span class="muted">· account ${TC.esc(o.account_id ?? "—")} · ${TC.esc(o.date ?? "no sessions yet")}</span></h1>
      <div class="kpis">
        ${TC.kpi("equity", "Equity", o.equity, TC.money(o.equity), `positions ${TC.money(o.positions_value)}`)}
        ${TC.kpi("daily-pnl", "Today's P&L", o.daily_pnl, TC.signedMoney(o.daily_pnl), TC.signedPct(o.daily_return), TC.tone(o.daily_pnl))}
        ${TC.kpi("total-pnl", "Total P&L", o.total_pnl, TC.signedMoney(o.total_pnl), `return ${TC.signedPct(o.total_return)}`, TC.tone(o.total_pnl))}
        ${TC.kpi("benchmark", "Benchmark", o.benchmark_return, TC.signedPct(o.benchmark_return), `excess ${TC.signedPct(o.total_return != null && o.benchmark_return != null ? o.total_return - o.benchmark_return : null)}`, TC.tone(o.benchmark_return))}
        ${TC.kpi("cash", "Cash", o.cash, TC.money(o.cash), o.equity ? `${TC.pct(o.cash / o.equity, 1)} of equity` : "")}
        ${TC.kpi("drawdown", "Drawdown", o.drawdown, TC.pct(o.drawdown), "from the peak", TC.tone(o.drawdown))}
        ${TC.kpi("positions", "Open positions", o.positions.length, String(o.positions.length), `unrealized ${TC.signedMoney(unrealized)}`, TC.tone(unrealized))}
      </div>
      <div class="kpis" data-testid="performance">
        ${TC.kpi("cagr", "CAGR", perf.returns.cagr, TC.signedPct(perf.returns.cagr), `${perf.sessions} sessions`, TC.tone(perf.returns.cagr))}
        ${TC.kpi("sharpe", "Sharpe", perf.returns.sharpe, TC.num(perf.returns.sharpe), `Sortino ${TC.num(perf.returns.sortino)}`)}
        ${TC.kpi("max-drawdown", "Max drawdown", perf.returns.max_drawdown, TC.pct(perf.returns.max_drawdown), `${perf.returns.max_drawdown_duration} sessions under water`, "neg")}
        ${TC.kpi("win-rate", "Win rate", perf.trades.win_rate, TC.pct(perf.trades.win_rate, 1), `${perf.trades.trades} closed trades`)}
        ${TC.kpi("profit-factor", "Profit factor", perf.trades.profit_factor, TC.num(perf.trades.profit_factor), `expectancy ${TC.signedMoney(perf.trades.expectancy)}`)}
        ${TC.kpi("exposure", "Exposure", perf.exposure, TC.pct(perf.exposure, 1), `<a href="/tearsheet" target="_blank">tearsheet ↗</a>`)}
      </div>
      <div class="grid2">
        <div class="card"><h2>Equity vs benchmark (rebased)</h2><div id="equity-chart" class="chart" data-testid="equity-chart" data-points="${eq.points.length}"></div>
          <h2 style="margin-top:8px">Drawdown</h2><div id="drawdown-chart" class="chart small"></div></div>
        <div class="card"><h2>Last cycle</h2>${last ? `<dl class="kv">
            <dt>Cycle</dt><dd>${TC.cycleLink(last.cycle_id)}</dd><dt>Status</dt><dd>${TC.badge(last.status)}</dd>
            <dt>As of</dt><dd>${TC.time(last.as_of)}</dd><dt>Mode</dt><dd>${TC.esc(last.mode ?? "—")}</dd>
            ${last.error_message ? `<dt>Error</dt><dd class="neg">${TC.esc(last.error_message)}</dd>` : ""}</dl>` : '<div class="empty">No cycles yet.</div>'}
          <h2 style="margin-top:14px">Today</h2><dl class="kv"><dt>Realized</dt><dd class="${TC.tone(o.realized_today)}">${TC.signedMoney(o.realized_today)}</dd>
            <dt>Trades closed</dt><dd>${TC.int(o.trades_closed_today)}</dd></dl>
          <h2 style="margin-top:14px">Recent trades</h2>${TC.table(
            [
              { key: "symbol", label: "Symbol", fmt: (v) => TC.symbolLink(v) },
              { key: "status", label: "Status", fmt: TC.badge },
              { key: "entry_price", label: "Entry", num: true, fmt: (v) => TC.num(v) },
              { key: "exit_price", label: "Exit", num: true, fmt: (v) => TC.num(v) },
              { key: "profit_loss", label: "P&L", num: true, fmt: TC.signedMoney, tone: true },
              { key: "closed_at", label: "Closed", fmt: TC.day },
            ],
            o.recent_trades,
            "recent-trades",
            "No trades yet."
          )}</div>
      </div>
      <div class="card"><h2>Open positions</h2>${positions}</div>`;
  },
  mount() {
    const points = this.eq.points;
    const chart = TC.chart(document.getElementById("equity-chart"));
    if (chart && points.length) {
      chart.addLineSeries({ color: "#4da3ff", lineWidth: 2, title: "Portfolio" }).setData(points.map((p) => ({ time: p.date, value: p.equity })));
      const bench = points.filter((p) => p.benchmark_rebased != null);
      if (bench.length) chart.addLineSeries({ color: "#c9a227", lineWidth: 1, title: "Benchmark" }).setData(bench.map((p) => ({ time: p.date, value: p.benchmark_rebased })));
      chart.timeScale().fitContent();
    }
    const dd = TC.chart(document.getElementById("drawdown-chart"));
    if (dd && points.length) {
      dd.addAreaSeries({ lineColor: "#f0616d", topColor: "rgba(240,97,109,.05)", bottomColor: "rgba(240,97,109,.35)", lineWidth: 1, invertFilledArea: true })
        .setData(points.map((p) => ({ time: p.date, value: p.drawdown * 100 })));
      dd.timeScale().fitContent();
    }
  },
};

/* ------------------------------------------------------------------ cycles */
TC.pages.cycles = {
  params: { limit: 50, offset: 0, status: "" },
  async load(arg) {
    if (arg) return TC.pages.cycle.load(arg);
    const q = new URLSearchParams({ limit: this.params.limit, offset: this.params.offset });
    if (this.params.status) q.set("status", this.params.status);
    const page = await TC.api(`/dashboard/cycles?${q}`);
    this.page = page;
    const rows = TC.table(
      [
        { key: "cycle_id", label: "Cycle", fmt: (v) => TC.cycleLink(v) },
        { key: "status", label: "Status", fmt: TC.badge },
        { key: "as_of", label: "As of", fmt: TC.time },
        { key: "mode", label: "Mode" },
        { key: "total_duration_seconds", label: "Duration", num: true, fmt: TC.seconds },
        { key: "phases", label: "Phases", fmt: (v) => timeline(v || []) },
        { key: "securities_scanned", label: "Scanned", num: true, fmt: TC.int },
        { key: "patterns_found", label: "Patterns", num: true, fmt: TC.int },
        { key: "signals_generated", label: "Signals", num: true, fmt: TC.int },
        { key: "trades_executed", label: "Trades", num: true, fmt: TC.int },
        { key: "error_message", label: "Error", fmt: (v) => (v ? `<span class="neg">${TC.esc(v)}</span>` : "") },
      ],
      page.items,
      "cycles",
      "No cycles yet: run `tradecycle demo` or start one from the System page."
    );
    return `<h1>Cycles</h1><div class="toolbar"><label>Status <select id="cycle-status">
        ${["", "completed", "failed", "running"].map((s) => `<option value="${s}" ${s === this.params.status ? "selected" : ""}>${s || "all"}</option>`).join("")}
      </select></label></div>${legend()}<div class="card">${rows}${TC.pager(page, (offset) => { this.params.offset = offset; TC.render(); })}</div>`;
  },
  mount(view, arg) {
    if (arg) return;
    document.getElementById("cycle-status").onchange = (e) => { this.params.status = e.target.value; this.params.offset = 0; TC.render(); };
  },
};

TC.pages.cycle = {
  async load(id) {
    const d = await TC.api(`/dashboard/cycles/${encodeURIComponent(id)}`);
    const c = d.cycle;
    const section = (title, testid, columns, rows) => `<div class="card"><h2>${title} (${rows.length})</h2>${TC.table(columns, rows, testid)}</div>`;
    return `<h1><a href="#/cycles">Cycles</a> / <span data-testid="cycle-id">${TC.esc(c.cycle_id)}</span> ${TC.badge(c.status)}</h1>
      <div class="kpis">
        ${TC.kpi("as-of", "As of", null, TC.time(c.as_of))}
        ${TC.kpi("duration", "Duration", d.metrics ? d.metrics.total_duration_seconds : null, TC.seconds(d.metrics ? d.metrics.total_duration_seconds : null))}
        ${TC.kpi("candidates", "Candidates", d.candidates.length, String(d.candidates.length))}
        ${TC.kpi("patterns", "Patterns", d.patterns.length, String(d.patterns.length))}
        ${TC.kpi("signals", "Signals", d.signals.length, String(d.signals.length))}
        ${TC.kpi("orders", "Orders", d.orders.length, String(d.orders.length))}
      </div>
      ${c.error_message ? `<div class="error">${TC.esc(c.error_message)}</div>` : ""}
      <div class="card"><h2>Phases</h2>${legend()}${timeline(d.phases)}<div style="height:8px"></div>${TC.table(
        [
          { key: "phase", label: "Phase" }, { key: "status", label: "Status", fmt: TC.badge },
          { key: "duration_seconds", label: "Duration", num: true, fmt: TC.seconds },
          { key: "items_processed", label: "Processed", num: true, fmt: TC.int }, { key: "items_succeeded", label: "Succeeded", num: true, fmt: TC.int },
          { key: "items_failed", label: "Failed", num: true, fmt: TC.int }, { key: "retry_count", label: "Retries", num: true, fmt: TC.int },
          { key: "error_message", label: "Error", fmt: (v) => (v ? `<span class="neg">${TC.esc(v)}</span>` : "") },
        ], d.phases, "phases")}</div>
      <div class="grid-half">
      ${section("Candidates", "candidates", [
        { key: "symbol", label: "Symbol", fmt: TC.symbolLink }, { key: "scan_type", label: "Scan" },
        { key: "price", label: "Price", num: true, fmt: (v) => TC.num(v) }, { key: "change_percent", label: "Chg %", num: true, fmt: (v) => TC.num(v), tone: true },
        { key: "relative_volume", label: "Rel vol", num: true, fmt: (v) => TC.num(v) }, { key: "volume", label: "Volume", num: true, fmt: TC.int },
      ], d.candidates)}
      ${section("Patterns", "patterns", [
        { key: "symbol", label: "Symbol", fmt: TC.symbolLink }, { key: "pattern_name", label: "Pattern" }, { key: "pattern_type", label: "Type" },
        { key: "direction", label: "Dir", fmt: TC.badge }, { key: "confidence", label: "Conf.", num: true, fmt: (v) => TC.num(v) },
        { key: "target_price", label: "Target", num: true, fmt: (v) => TC.num(v) },
      ], d.patterns)}
      ${section("Signals", "signals", [
        { key: "symbol", label: "Symbol", fmt: TC.symbolLink }, { key: "strategy_name", label: "Strategy" }, { key: "entry_signal", label: "Signal", fmt: TC.badge },
        { key: "score", label: "Score", num: true, fmt: (v) => TC.num(v, 1) }, { key: "entry_price", label: "Entry", num: true, fmt: (v) => TC.num(v) },
        { key: "stop_loss", label: "Stop", num: true, fmt: (v) => TC.num(v) }, { key: "target_price", label: "Target", num: true, fmt: (v) => TC.num(v) },
        { key: "risk_reward_ratio", label: "R:R", num: true, fmt: (v) => TC.num(v, 1) },
      ], d.signals)}
      ${section("Risk decisions", "risk", [
        { key: "symbol", label: "Symbol", fmt: TC.symbolLink }, { key: "decision", label: "Decision", fmt: TC.badge }, { key: "reason", label: "Reason" },
        { key: "position_size", label: "Size $", num: true, fmt: TC.money }, { key: "risk_amount", label: "Risk $", num: true, fmt: TC.money },
        { key: "risk_percentage", label: "Risk %", num: true, fmt: (v) => TC.num(v) },
      ], d.risk_decisions)}
      </div>
      ${section("Orders", "orders", [
        { key: "order_id", label: "Order" }, { key: "symbol", label: "Symbol", fmt: TC.symbolLink }, { key: "side", label: "Side", fmt: TC.badge },
        { key: "order_type", label: "Type" }, { key: "intent", label: "Intent" }, { key: "quantity", label: "Qty", num: true, fmt: TC.int },
        { key: "price", label: "Limit", num: true, fmt: (v) => TC.num(v) }, { key: "status", label: "Status", fmt: TC.badge },
        { key: "filled_quantity", label: "Filled", num: true, fmt: TC.int }, { key: "average_fill_price", label: "Fill", num: true, fmt: (v) => TC.num(v) },
        { key: "commission", label: "Comm.", num: true, fmt: (v) => TC.num(v) },
      ], d.orders)}
      ${section("ML predictions", "predictions", [
        { key: "symbol", label: "Symbol", fmt: TC.symbolLink }, { key: "model_name", label: "Model" }, { key: "model_version", label: "Version" },
        { key: "prediction_type", label: "Type" }, { key: "prediction_value", label: "Value", num: true, fmt: (v) => TC.num(v, 3) },
        { key: "confidence", label: "Conf.", num: true, fmt: (v) => TC.num(v) },
      ], d.predictions)}
      ${section("News sentiment", "sentiment", [
        { key: "symbol", label: "Symbol", fmt: TC.symbolLink }, { key: "headline", label: "Headline" },
        { key: "sentiment_label", label: "Label", fmt: TC.badge }, { key: "sentiment_score", label: "Score", num: true, fmt: (v) => TC.num(v), tone: true },
      ], d.sentiment)}
      ${section("Events", "events", [
        { key: "timestamp", label: "Time", fmt: TC.time }, { key: "phase", label: "Phase" }, { key: "event_type", label: "Event", fmt: TC.badge },
        { key: "event_data", label: "Data", fmt: (v) => `<span class="muted">${TC.esc(v ? JSON.stringify(v) : "")}</span>` },
      ], d.events)}`;
  },
};
