/* tradecycle dashboard pages: symbol, trades, system. */
"use strict";

function sma(bars, n) {
  const out = [];
  let sum = 0;
  bars.forEach((b, i) => {
    sum += b.close;
    if (i >= n) sum -= bars[i - n].close;
    if (i >= n - 1) out.push({ time: b.time, value: sum / n });
  });
  return out;
}

/* Wilder's RSI, the same definition TA-Lib uses for the recorded RSI readings. */
function rsi(bars, n = 14) {
  const out = [];
  let gain = 0, loss = 0;
  for (let i = 1; i < bars.length; i++) {
    const change = bars[i].close - bars[i - 1].close;
    const up = Math.max(change, 0), down = Math.max(-change, 0);
    if (i <= n) {
      gain += up / n;
      loss += down / n;
    } else {
      gain = (gain * (n - 1) + up) / n;
      loss = (loss * (n - 1) + down) / n;
    }
    if (i >= n) out.push({ time: bars[i].time, value: loss === 0 ? 100 : 100 - 100 / (1 + gain / loss) });
  }
  return out;
}

/* ------------------------------------------------------------------ symbol */
TC.pages.symbols = {
  async load(symbol) {
    if (!symbol) return '<h1>Symbols</h1><div class="empty">Type a symbol in the search box, or click one in a table.</div>';
    const d = await TC.api(`/dashboard/symbols/${encodeURIComponent(symbol)}?sessions=250`);
    this.d = d;
    const last = d.bars.length ? d.bars[d.bars.length - 1] : null;
    const prev = d.bars.length > 1 ? d.bars[d.bars.length - 2] : null;
    const change = last && prev ? last.close / prev.close - 1 : null;
    const pos = d.position;
    return `<h1><span data-testid="symbol">${TC.esc(d.symbol)}</span> <span class="muted">${TC.esc(d.name ?? "")} · ${TC.esc(d.sector ?? "")} · ${TC.esc(d.sub_industry ?? "")}</span></h1>
      <div class="kpis">
        ${TC.kpi("last-close", "Last close", last ? last.close : null, TC.num(last ? last.close : null), last ? last.time : "", "")}
        ${TC.kpi("change", "Change", change, TC.signedPct(change), "vs previous session", TC.tone(change))}
        ${TC.kpi("position", "Position", pos ? pos.quantity : 0, pos ? `${TC.int(pos.quantity)} @ ${TC.num(pos.average_cost)}` : "flat", pos ? `unrealized ${TC.signedMoney(pos.unrealized_pnl)}` : "", pos ? TC.tone(pos.unrealized_pnl) : "")}
        ${TC.kpi("trades", "Trades", d.trades.length, String(d.trades.length), `${d.trades.filter((t) => t.status === "closed").length} closed`)}
        ${TC.kpi("patterns", "Patterns seen", d.patterns.length, String(d.patterns.length), "")}
      </div>
      <div class="card"><h2>Daily candles · SMA 20 / 50 · ▲ pattern · B/S entries and exits</h2>
        <div id="price-chart" class="chart tall" data-testid="price-chart" data-bars="${d.bars.length}"></div>
        <h2 style="margin-top:8px">RSI 14</h2><div id="rsi-chart" class="chart small"></div></div>
      <div class="grid-half">
        <div class="card"><h2>Latest indicators</h2>${TC.table([
          { key: "indicator_name", label: "Indicator" }, { key: "indicator_value", label: "Value", num: true, fmt: (v) => TC.num(v, 3) },
          { key: "signal", label: "Signal", fmt: TC.badge }, { key: "calculation_timestamp", label: "At", fmt: TC.day },
          { key: "cycle_id", label: "Cycle", fmt: TC.cycleLink },
        ], d.indicators, "indicators", "No indicator readings recorded for this symbol.")}</div>
        <div class="card"><h2>News</h2>${TC.table([
          { key: "article_date", label: "Date", fmt: TC.day }, { key: "headline", label: "Headline" }, { key: "source", label: "Source" },
          { key: "sentiment_label", label: "Sentiment", fmt: TC.badge }, { key: "sentiment_score", label: "Score", num: true, fmt: (v) => TC.num(v), tone: true },
        ], d.news.slice(0, 25), "news", "No news scored for this symbol.")}</div>
      </div>
      <div class="card"><h2>Trades</h2>${TC.table(TRADE_COLUMNS, d.trades, "symbol-trades", "No trades in this symbol.")}</div>
      <div class="card"><h2>Patterns</h2>${TC.table([
        { key: "detection_timestamp", label: "Date", fmt: TC.day }, { key: "pattern_name", label: "Pattern" }, { key: "pattern_type", label: "Type" },
        { key: "direction", label: "Dir", fmt: TC.badge }, { key: "confidence", label: "Conf.", num: true, fmt: (v) => TC.num(v) },
        { key: "entry_price", label: "Entry", num: true, fmt: (v) => TC.num(v) }, { key: "stop_loss", label: "Stop", num: true, fmt: (v) => TC.num(v) },
        { key: "target_price", label: "Target", num: true, fmt: (v) => TC.num(v) }, { key: "cycle_id", label: "Cycle", fmt: TC.cycleLink },
      ], d.patterns, "symbol-patterns", "No patterns detected on this symbol.")}</div>`;
  },
  mount() {
    const d = this.d;
    if (!d || !d.bars.length) return;
    const chart = TC.chart(document.getElementById("price-chart"));
    if (!chart) return;
    const candles = chart.addCandlestickSeries({ upColor: "#2fbf8a", downColor: "#f0616d", wickUpColor: "#2fbf8a", wickDownColor: "#f0616d", borderVisible: false });
    candles.setData(d.bars.map((b) => ({ time: b.time, open: b.open, high: b.high, low: b.low, close: b.close })));
    chart.addLineSeries({ color: "#e0b341", lineWidth: 1, priceLineVisible: false, lastValueVisible: false }).setData(sma(d.bars, 20));
    chart.addLineSeries({ color: "#9b7bf0", lineWidth: 1, priceLineVisible: false, lastValueVisible: false }).setData(sma(d.bars, 50));
    const volume = chart.addHistogramSeries({ priceScaleId: "volume", priceFormat: { type: "volume" }, color: "rgba(77,163,255,.25)" });
    chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });
    volume.setData(d.bars.map((b) => ({ time: b.time, value: b.volume })));
    const days = new Set(d.bars.map((b) => b.time));
    const markers = [];
    const byDay = {};
    for (const p of d.patterns) {
      const time = TC.day(p.detection_timestamp);
      if (days.has(time)) (byDay[time] = byDay[time] || []).push(p);
    }
    for (const [time, hits] of Object.entries(byDay)) {
      const bearish = hits.filter((p) => p.direction === "SELL").length > hits.length / 2;
      const text = hits.length === 1 ? hits[0].pattern_name : `${hits.length} patterns`;
      markers.push({ time, position: bearish ? "aboveBar" : "belowBar", color: "#c77dd6", shape: bearish ? "arrowDown" : "arrowUp", text });
    }
    for (const t of d.trades) {
      const entry = TC.day(t.entry_time || t.created_at);
      if (days.has(entry)) markers.push({ time: entry, position: "belowBar", color: "#4da3ff", shape: "circle", text: `B ${t.quantity}` });
      const exit = TC.day(t.closed_at);
      if (t.closed_at && days.has(exit)) markers.push({ time: exit, position: "aboveBar", color: t.profit_loss >= 0 ? "#2fbf8a" : "#f0616d", shape: "circle", text: `S ${TC.signedMoney(t.profit_loss)}` });
    }
    markers.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    candles.setMarkers(markers);
    chart.timeScale().fitContent();
    const rsiChart = TC.chart(document.getElementById("rsi-chart"));
    if (rsiChart) {
      const line = rsiChart.addLineSeries({ color: "#39b5b5", lineWidth: 1, priceLineVisible: false });
      line.setData(rsi(d.bars));
      for (const level of [30, 70]) line.createPriceLine({ price: level, color: "#556", lineWidth: 1, lineStyle: 2, axisLabelVisible: true });
      rsiChart.timeScale().fitContent();
    }
  },
};

const TRADE_COLUMNS = [
  { key: "id", label: "#", num: true },
  { key: "symbol", label: "Symbol", fmt: (v) => TC.symbolLink(v) },
  { key: "signal_type", label: "Side", fmt: TC.badge },
  { key: "status", label: "Status", fmt: TC.badge },
  { key: "quantity", label: "Qty", num: true, fmt: TC.int },
  { key: "entry_price", label: "Entry", num: true, fmt: (v) => TC.num(v) },
  { key: "exit_price", label: "Exit", num: true, fmt: (v) => TC.num(v) },
  { key: "profit_loss", label: "P&L", num: true, fmt: TC.signedMoney, tone: true },
  { key: "entry_time", label: "Entered", fmt: (v, r) => TC.day(v || r.created_at) },
  { key: "closed_at", label: "Closed", fmt: TC.day },
  { key: "exit_reason", label: "Exit reason" },
  { key: "strategy_name", label: "Strategy" },
  { key: "cycle_id", label: "Cycle", fmt: (v) => TC.cycleLink(v) },
];

/* ------------------------------------------------------------------ trades */
TC.pages.trades = {
  params: { symbol: "", status: "", side: "", start: "", end: "", limit: 100, offset: 0 },
  query(withPage) {
    const q = new URLSearchParams();
    for (const k of ["symbol", "status", "side", "start", "end"]) if (this.params[k]) q.set(k, this.params[k]);
    if (withPage) { q.set("limit", this.params.limit); q.set("offset", this.params.offset); }
    return q.toString();
  },
  async load() {
    const page = await TC.api(`/dashboard/trades?${this.query(true)}`);
    const p = this.params;
    const closed = page.items.filter((t) => t.status === "closed");
    const pnl = closed.reduce((a, t) => a + (t.profit_loss || 0), 0);
    const select = (id, options, value) => `<select id="${id}">${options.map((o) => `<option value="${o}" ${o === value ? "selected" : ""}>${o || "all"}</option>`).join("")}</select>`;
    return `<h1>Trades</h1>
      <form class="toolbar" id="trade-filters">
        <input id="f-symbol" placeholder="Symbol" value="${TC.esc(p.symbol)}" size="8">
        <label>Status ${select("f-status", ["", "open", "closed", "pending", "cancelled"], p.status)}</label>
        <label>Side ${select("f-side", ["", "BUY", "SELL"], p.side)}</label>
        <label>From <input type="date" id="f-start" value="${TC.esc(p.start)}"></label>
        <label>To <input type="date" id="f-end" value="${TC.esc(p.end)}"></label>
        <button class="primary" type="submit">Filter</button>
        <a id="csv-link" href="/dashboard/trades.csv?${this.query(false)}" download="trades.csv"><button type="button">Export CSV</button></a>
        <span class="muted" data-testid="page-pnl">page: ${closed.length} closed, P&L <span class="${TC.tone(pnl)}">${TC.signedMoney(pnl)}</span></span>
      </form>
      <div class="card">${TC.table(TRADE_COLUMNS, page.items, "trades", "No trades match.")}${TC.pager(page, (offset) => { this.params.offset = offset; TC.render(); })}</div>`;
  },
  mount() {
    document.getElementById("trade-filters").onsubmit = (event) => {
      event.preventDefault();
      for (const k of ["symbol", "status", "side", "start", "end"]) this.params[k] = document.getElementById(`f-${k}`).value.trim();
      this.params.symbol = this.params.symbol.toUpperCase();
      this.params.offset = 0;
      TC.render();
    };
  },
};

/* ------------------------------------------------------------------ system */
TC.pages.system = {
  async load() {
    const d = await TC.api("/dashboard/system");
    const h = d.health;
    const s = d.schedule;
    const token = sessionStorage.getItem("tc-token") || "";
    return `<h1>System ${TC.badge(h.status)}</h1>
      <div class="kpis">
        ${TC.kpi("database", "Database", null, TC.esc(h.database))}
        ${TC.kpi("last-cycle", "Last cycle", null, h.last_cycle_id ? TC.cycleLink(h.last_cycle_id) : "—", h.last_cycle_status || "")}
        ${TC.kpi("running", "Running cycles", h.running_cycles, String(h.running_cycles))}
        ${TC.kpi("failure-rate", "Recent failure rate", h.recent_failure_rate, TC.pct(h.recent_failure_rate, 1), "", h.recent_failure_rate ? "neg" : "")}
        ${TC.kpi("next-run", "Next scheduled run", null, TC.time(s.next_run), s.timeframe === "1d" ? "daily bars: once after each close" : `every ${s.interval_minutes} min${s.market_hours_only ? " in market hours" : ""}`)}
      </div>
      ${h.problems.length ? `<div class="error" data-testid="problems">${h.problems.map(TC.esc).join("<br>")}</div>` : ""}
      <div class="grid2">
        <div class="card"><h2>Services</h2>${TC.table([
          { key: "service_name", label: "Service" }, { key: "host", label: "Host" }, { key: "port", label: "Port", num: true },
          { key: "status", label: "Status", fmt: TC.badge }, { key: "last_heartbeat", label: "Last heartbeat", fmt: TC.time },
          { key: "seconds_since_heartbeat", label: "Age", num: true, fmt: (v) => (v == null ? "—" : v < 120 ? `${v.toFixed(0)} s` : v < 7200 ? `${(v / 60).toFixed(0)} min` : `${(v / 3600).toFixed(1)} h`) },
          { key: "stale", label: "Heartbeat", fmt: (v) => (v ? '<span class="badge failed">stale</span>' : '<span class="badge completed">ok</span>') },
        ], h.services, "services", "No services registered.")}</div>
        <div class="card"><h2>Start a cycle</h2>
          <form id="start-cycle" class="toolbar">
            <input id="token" type="password" placeholder="API token" value="${TC.esc(token)}" autocomplete="off" ${d.token_configured ? "" : "disabled"}>
            <button class="primary" id="start-button" type="submit" ${d.token_configured ? "" : "disabled"}>Start cycle</button>
          </form>
          ${d.token_configured ? "" : '<div class="muted">No api.token is configured on the server: starting cycles is disabled.</div>'}
          ${this.result ? `<pre class="result" id="start-result" data-testid="start-result" data-status="${TC.esc(this.result.status)}" data-cycle="${TC.esc(this.result.cycle)}">${TC.esc(this.result.text)}</pre>` : '<pre class="result" id="start-result" data-testid="start-result" hidden></pre>'}
          <h2 style="margin-top:12px">Stored schedule</h2>${s.stored ? `<pre class="result">${TC.esc(JSON.stringify(s.stored, null, 2))}</pre>` : '<div class="muted">Not stored yet: <code>tradecycle schedule</code> writes it when it first runs.</div>'}</div>
      </div>`;
  },
  mount() {
    const form = document.getElementById("start-cycle");
    form.onsubmit = async (event) => {
      event.preventDefault();
      const token = document.getElementById("token").value;
      sessionStorage.setItem("tc-token", token);
      const out = document.getElementById("start-result");
      const button = document.getElementById("start-button");
      button.disabled = true;
      out.hidden = false;
      out.textContent = "running…";
      TC.state.busy += 1;
      try {
        const result = await TC.api("/start_trading_cycle", {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json" },
          body: "{}",
        });
        this.result = { status: result.status, cycle: result.cycle_id || "", text: JSON.stringify(result, null, 2) };
      } catch (err) {
        this.result = { status: "error", cycle: "", text: `error: ${err.message}` };
      } finally {
        TC.state.busy -= 1;
      }
      out.textContent = this.result.text;
      out.dataset.status = this.result.status;
      out.dataset.cycle = this.result.cycle;
      button.disabled = false;
      TC.poll();
    };
  },
};
