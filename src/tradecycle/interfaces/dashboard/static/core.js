/* tradecycle dashboard core: fetch, formatting, tables, charts, hash router, auto-refresh. */
"use strict";

const TC = (window.TC = {
  pages: {},
  state: { lastCycle: null, running: null, refreshSeconds: 5, timer: null, charts: [], busy: 0 },
});

TC.api = async function (path, options = {}) {
  const response = await fetch(path, { headers: { Accept: "application/json" }, ...options });
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    const message = body && body.error ? body.error : `HTTP ${response.status}`;
    const err = new Error(message);
    err.status = response.status;
    throw err;
  }
  return body;
};

TC.esc = function (value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
};

const isNum = (v) => typeof v === "number" && Number.isFinite(v);
TC.money = (v) => (isNum(v) ? v.toLocaleString("en-US", { style: "currency", currency: "USD" }) : "—");
TC.signedMoney = (v) => (isNum(v) ? (v > 0 ? "+" : "") + TC.money(v) : "—");
TC.pct = (v, digits = 2) => (isNum(v) ? (v * 100).toFixed(digits) + "%" : "—");
TC.signedPct = (v) => (isNum(v) ? (v > 0 ? "+" : "") + TC.pct(v) : "—");
TC.num = (v, digits = 2) => (isNum(v) ? v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "—");
TC.int = (v) => (isNum(v) ? Math.round(v).toLocaleString("en-US") : "—");
TC.tone = (v) => (isNum(v) ? (v > 0 ? "pos" : v < 0 ? "neg" : "") : "");
TC.time = (iso) => (iso ? String(iso).replace("T", " ").replace(/\.\d+/, "").replace("Z", " UTC") : "—");
TC.day = (iso) => (iso ? String(iso).slice(0, 10) : "—");
TC.seconds = (v) => (isNum(v) ? (v < 1 ? (v * 1000).toFixed(1) + " ms" : v.toFixed(2) + " s") : "—");
TC.badge = (text) => `<span class="badge ${TC.esc(text)}">${TC.esc(text ?? "—")}</span>`;
TC.symbolLink = (sym) => (sym ? `<a href="#/symbols/${encodeURIComponent(sym)}" data-symbol="${TC.esc(sym)}">${TC.esc(sym)}</a>` : "—");
TC.cycleLink = (id) => (id ? `<a href="#/cycles/${encodeURIComponent(id)}" data-cycle="${TC.esc(id)}">${TC.esc(id)}</a>` : "—");

/* A KPI card; data-value holds the raw number so tests can compare it with the database. */
TC.kpi = function (id, label, value, text, sub = "", tone = "") {
  const raw = isNum(value) ? ` data-value="${value}"` : "";
  return `<div class="kpi" data-testid="kpi-${id}"${raw}><div class="label">${TC.esc(label)}</div>
    <div class="value ${tone}">${text}</div><div class="sub">${sub}</div></div>`;
};

/* columns: [{key, label, num, fmt(value,row) -> html, tone}] */
TC.table = function (columns, rows, testid = "", empty = "Nothing yet.") {
  if (!rows || !rows.length) return `<div class="empty" data-testid="${testid}-empty">${TC.esc(empty)}</div>`;
  const head = columns.map((c) => `<th class="${c.num ? "n" : ""}">${TC.esc(c.label)}</th>`).join("");
  const body = rows
    .map((row) => {
      const cells = columns
        .map((c) => {
          const v = row[c.key];
          const html = c.fmt ? c.fmt(v, row) : TC.esc(v ?? "—");
          const tone = c.tone ? TC.tone(typeof c.tone === "function" ? c.tone(row) : v) : "";
          const raw = c.num && isNum(v) ? ` data-value="${v}"` : "";
          const title = typeof v === "string" && v.length > 60 ? ` title="${TC.esc(v)}"` : "";
          return `<td class="${c.num ? "n" : ""} ${tone}" data-col="${c.key}"${raw}${title}>${html}</td>`;
        })
        .join("");
      return `<tr>${cells}</tr>`;
    })
    .join("");
  return `<table data-testid="${testid}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
};

TC.pager = function (page, onGo) {
  const id = "pager-" + Math.random().toString(36).slice(2);
  const from = page.total ? page.offset + 1 : 0;
  const to = Math.min(page.offset + page.limit, page.total);
  setTimeout(() => {
    const el = document.getElementById(id);
    if (!el) return;
    el.querySelector(".prev").onclick = () => onGo(Math.max(0, page.offset - page.limit));
    el.querySelector(".next").onclick = () => onGo(page.offset + page.limit);
  });
  return `<div class="pager" id="${id}"><button class="prev" ${page.offset ? "" : "disabled"}>‹ Prev</button>
    <span data-testid="pager-range">${from}–${to} of ${page.total}</span>
    <button class="next" ${to < page.total ? "" : "disabled"}>Next ›</button></div>`;
};

const CHART_OPTIONS = {
  layout: { background: { color: "transparent" }, textColor: "#8193a8", fontSize: 11 },
  grid: { vertLines: { color: "#1a2430" }, horzLines: { color: "#1a2430" } },
  rightPriceScale: { borderColor: "#223040" },
  timeScale: { borderColor: "#223040" },
  crosshair: { mode: 0 },
};

TC.chart = function (element, extra = {}) {
  if (!window.LightweightCharts || !element) return null;
  const chart = LightweightCharts.createChart(element, { ...CHART_OPTIONS, ...extra, autoSize: true });
  TC.state.charts.push(chart);
  return chart;
};

TC.disposeCharts = function () {
  for (const chart of TC.state.charts) chart.remove();
  TC.state.charts = [];
};

TC.setStatus = function (text) {
  document.getElementById("status-text").textContent = text;
};

/* Routing: #/page/arg -> TC.pages[page](view, arg). */
TC.route = function () {
  const [, page = "overview", ...rest] = (location.hash || "#/overview").split("/");
  return { page, arg: rest.length ? decodeURIComponent(rest.join("/")) : null };
};

TC.render = async function (quiet = false) {
  const { page, arg } = TC.route();
  const view = document.getElementById("view");
  const handler = TC.pages[page] || TC.pages.overview;
  document.querySelectorAll("#nav a").forEach((a) => a.classList.toggle("active", a.dataset.page === page));
  try {
    const scroll = window.scrollY;
    const html = await handler.load(arg);
    TC.disposeCharts();
    view.innerHTML = html;
    view.dataset.page = page;
    if (handler.mount) handler.mount(view, arg);
    if (quiet) window.scrollTo(0, scroll);
    TC.setStatus(`updated ${new Date().toLocaleTimeString()}`);
  } catch (err) {
    if (!quiet) view.innerHTML = `<div class="error" data-testid="error">${TC.esc(err.message)}</div>`;
    TC.setStatus(`error: ${err.message}`);
  }
};

/* Poll the overview; re-render the page when a cycle starts, runs or finishes
   (not while the user waits on an action of the page, e.g. a started cycle). */
TC.poll = async function () {
  try {
    const o = await TC.api("/dashboard/overview");
    const last = o.last_cycle ? o.last_cycle.cycle_id + ":" + o.last_cycle.status : null;
    const running = o.running_cycle ? o.running_cycle.cycle_id : null;
    const live = document.getElementById("live");
    live.classList.toggle("running", !!running);
    live.textContent = running ? `cycle ${running} running` : o.last_cycle ? `last cycle ${o.last_cycle.cycle_id} · ${o.last_cycle.status}` : "no cycles yet";
    const changed = TC.state.lastCycle !== null && (last !== TC.state.lastCycle || running);
    TC.state.lastCycle = last;
    TC.state.refreshSeconds = o.refresh_seconds || 5;
    if (changed && !TC.state.busy) await TC.render(true);
  } catch (err) {
    TC.setStatus(`refresh failed: ${err.message}`);
  }
  clearTimeout(TC.state.timer);
  TC.state.timer = setTimeout(TC.poll, TC.state.refreshSeconds * 1000);
};

window.addEventListener("hashchange", () => TC.render());
window.addEventListener("DOMContentLoaded", () => {
  document.getElementById("symbol-search").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("symbol-input");
    const sym = input.value.trim().toUpperCase();
    if (sym) location.hash = `#/symbols/${encodeURIComponent(sym)}`;
    input.value = "";
  });
  TC.render();
  TC.poll();
});
