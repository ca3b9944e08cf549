"use strict";
// The certstream dashboard. Everything shown from the server goes through textContent or setAttribute, never
// through innerHTML: certificate fields and log names are attacker-controlled text.
(function () {
  const config = JSON.parse(document.getElementById("certstream-config").textContent);
  const MAX_ROWS = 200;          // rows kept in the feed table
  const ROWS_PER_DRAW = 25;      // at most this many new rows per redraw (about a screenful): a sample at high rates
  const DRAW_INTERVAL_MS = 150;  // at most ~7 redraws per second, whatever the message rate
  const STATS_INTERVAL_MS = 2000;
  const FILTER_ACK_TIMEOUT_MS = 3000;
  const $ = (id) => document.getElementById(id);
  const numberFormat = new Intl.NumberFormat("en-US");
  const fmt = (n) => (n === null || n === undefined) ? "–" : numberFormat.format(n);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function bytes(n) {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  }

  function duration(seconds) {
    seconds = Math.floor(seconds);
    const d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    if (d > 0) return d + "d " + h + "h";
    if (h > 0) return h + "h " + m + "m";
    if (m > 0) return m + "m " + s + "s";
    return s + "s";
  }

  function setPill(node, state, text) {
    node.dataset.state = state;
    node.textContent = text;
  }

  const wsBase = (location.protocol === "https:" ? "wss://" : "ws://") + location.host;

  // ---------------------------------------------------------------- live feed
  const feed = $("feed");
  const feedState = $("feed-state");
  let socket = null;
  let connections = 0;
  let retryDelay = 500;
  let paused = false;
  let pending = [];          // raw frames not drawn yet, newest last, bounded
  let received = 0;          // certificate messages received on this page
  let drawScheduled = false;
  let lastDraw = 0;
  let filter = { kind: "domain", values: [] };
  let awaitingAck = false;   // drop frames between sending a filter and the server's answer
  let ackTimer = null;
  const perSecond = [0, 0, 0, 0, 0, 0]; // certificates received in each of the last seconds (ring), for the rate shown
  let second = 0;

  function connect() {
    setPill(feedState, "connecting", "connecting…");
    const ws = new WebSocket(wsBase + config.lite);
    socket = ws;
    ws.onopen = () => {
      connections++;
      retryDelay = 500;
      setPill(feedState, paused ? "paused" : "live", paused ? "paused" : "live");
      feedState.dataset.connections = String(connections);
      if (filter.values.length > 0) sendFilter();
    };
    ws.onmessage = (event) => onFrame(event.data);
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      const delay = Math.min(retryDelay, 10000) * (0.8 + Math.random() * 0.4);
      retryDelay = Math.min(retryDelay * 2, 10000);
      setPill(feedState, "reconnecting", "reconnecting in " + Math.max(1, Math.round(delay / 1000)) + "s");
      setTimeout(connect, delay);
    };
  }

  function onFrame(text) {
    if (typeof text !== "string") return;
    // Certificate messages start with {"data": parse only what is drawn, so the firehose costs one string per frame.
    if (text.startsWith('{"data"')) {
      if (awaitingAck) return;
      received++;
      perSecond[second]++;
      pending.push(text);
      if (pending.length > 2 * ROWS_PER_DRAW) pending = pending.slice(-ROWS_PER_DRAW);
      scheduleDraw();
      return;
    }
    let message;
    try { message = JSON.parse(text); } catch { return; }
    if (message.message_type === "filter_ok") {
      filterAnswered("ok", "filter applied on the server" + (message.patterns ? " (" + message.patterns + " pattern" + (message.patterns === 1 ? "" : "s") + ")" : ""));
    } else if (message.message_type === "error") {
      filterAnswered("bad", "server: " + String(message.error));
    }
  }

  function filterAnswered(state, text) {
    if (!awaitingAck) return;
    clearTimeout(ackTimer);
    awaitingAck = false;
    const status = $("filter-status");
    status.dataset.state = state;
    status.textContent = text;
    if (state === "ok") clearFeed();
  }

  function clearFeed() {
    pending = [];
    feed.replaceChildren();
    $("feed-empty").hidden = false;
  }

  function scheduleDraw() {
    if (drawScheduled || paused) return;
    drawScheduled = true;
    requestAnimationFrame(draw);
  }

  function draw(now) {
    drawScheduled = false;
    if (paused || pending.length === 0) return;
    if (now - lastDraw < DRAW_INTERVAL_MS) { scheduleDraw(); return; }
    lastDraw = now;
    const batch = pending.length > ROWS_PER_DRAW ? pending.slice(-ROWS_PER_DRAW) : pending;
    pending = [];
    // A short flash marks new rows when they come slowly enough to be read; at high rates it would only cost.
    const flash = batch.length <= 3;
    const fragment = document.createDocumentFragment();
    for (let i = batch.length - 1; i >= 0; i--) {
      const row = certificateRow(batch[i]);
      if (row) {
        if (flash) row.className = "new";
        fragment.appendChild(row);
      }
    }
    feed.insertBefore(fragment, feed.firstChild);
    while (feed.rows.length > MAX_ROWS) feed.deleteRow(-1);
    $("feed-empty").hidden = feed.rows.length > 0;
  }

  function certificateRow(text) {
    let message;
    try { message = JSON.parse(text); } catch { return null; }
    const data = message && message.data;
    if (!data || !data.leaf_cert) return null;
    const leaf = data.leaf_cert;
    const tr = el("tr");
    const seen = typeof data.seen === "number" ? new Date(data.seen * 1000) : new Date();
    tr.appendChild(el("td", "time", seen.toLocaleTimeString([], { hour12: false })));
    const precert = data.update_type === "PrecertLogEntry";
    const typeCell = el("td");
    typeCell.appendChild(el("span", "badge " + (precert ? "precert" : "cert"), precert ? "precert" : "cert"));
    tr.appendChild(typeCell);
    const domains = Array.isArray(leaf.all_domains) ? leaf.all_domains : [];
    const domainCell = el("td", "domains", domains.slice(0, 4).join("  "));
    if (domains.length > 4) domainCell.appendChild(el("span", "more", "+" + (domains.length - 4)));
    domainCell.title = domains.join("\n");
    tr.appendChild(domainCell);
    const issuer = leaf.issuer || {};
    const issuerCell = el("td", "issuer", issuer.O || issuer.CN || "");
    issuerCell.title = issuer.aggregated || "";
    tr.appendChild(issuerCell);
    const source = data.source || {};
    const logCell = el("td", "log", source.name || source.url || "");
    logCell.title = source.url || "";
    tr.appendChild(logCell);
    return tr;
  }

  function updateFeedCount() {
    // The rate over the last five whole seconds; then the oldest slot becomes the current second.
    let total = 0;
    for (let i = 0; i < perSecond.length; i++) if (i !== second) total += perSecond[i];
    const rate = total / (perSecond.length - 1);
    second = (second + 1) % perSecond.length;
    perSecond[second] = 0;
    $("feed-count").textContent = fmt(received) + " received · " + (rate < 10 ? rate.toFixed(1) : fmt(Math.round(rate))) + "/s";
  }
  setInterval(updateFeedCount, 1000);

  $("pause").addEventListener("click", () => {
    paused = !paused;
    $("pause").textContent = paused ? "Resume" : "Pause";
    if (socket && socket.readyState === WebSocket.OPEN) setPill(feedState, paused ? "paused" : "live", paused ? "paused" : "live");
    if (!paused) scheduleDraw();
  });

  // ---------------------------------------------------------------- filter
  function readFilter() {
    const kind = $("filter-kind").value === "match" ? "match" : "domain";
    const text = $("filter").value.trim();
    // A regex may hold commas and spaces: it is one pattern. Domain patterns are separated by commas or spaces.
    const values = text === "" ? [] : kind === "match" ? [text] : text.split(/[\s,]+/).filter((v) => v !== "");
    return { kind, values };
  }

  function streamUrl(f) {
    if (f.values.length === 0) return wsBase + config.lite;
    return wsBase + config.lite + "?" + f.kind + "=" + f.values.map(encodeURIComponent).join(",");
  }

  function showUrl() {
    $("stream-url").textContent = streamUrl(readFilter());
  }

  function sendFilter() {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const body = {};
    if (filter.values.length > 0) body[filter.kind] = filter.values;
    awaitingAck = true;
    clearTimeout(ackTimer);
    ackTimer = setTimeout(() => filterAnswered("bad", "the server did not confirm the filter"), FILTER_ACK_TIMEOUT_MS);
    const status = $("filter-status");
    status.dataset.state = "";
    status.textContent = "applying…";
    socket.send(JSON.stringify({ filter: body }));
  }

  function applyFilter() {
    const next = readFilter();
    if (next.kind === filter.kind && next.values.join("\n") === filter.values.join("\n")) return;
    filter = next;
    showUrl();
    sendFilter();
  }

  let typing = null;
  $("filter").addEventListener("input", () => {
    showUrl();
    clearTimeout(typing);
    typing = setTimeout(applyFilter, 600);
  });
  $("filter-kind").addEventListener("change", () => { showUrl(); applyFilter(); });
  $("filter-form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typing);
    applyFilter();
  });
  $("filter-clear").addEventListener("click", () => {
    $("filter").value = "";
    clearTimeout(typing);
    applyFilter();
  });
  $("copy-url").addEventListener("click", () => {
    const text = $("stream-url").textContent;
    if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
  });

  // ---------------------------------------------------------------- stats
  let sortKey = "name";
  let sortDir = 1;
  let lastStats = null;

  function errorsOf(log) {
    let total = 0;
    for (const key in log.fetch_errors || {}) total += Number(log.fetch_errors[key]) || 0;
    return total;
  }

  function isLagging(log) {
    return (log.lag_seconds !== null && log.lag_seconds > 300) || (log.lag_entries !== null && log.lag_entries > 10000);
  }

  // 0.4, 12, then a duration from a minute on (a log replaying old entries can be years behind).
  function lagText(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    if (seconds < 10) return seconds.toFixed(1);
    if (seconds < 60) return String(Math.round(seconds));
    return duration(seconds);
  }

  function sortValue(log, key) {
    return key === "errors" ? errorsOf(log) : log[key];
  }

  function renderLogs(logs) {
    const sorted = logs.slice().sort((a, b) => {
      const x = sortValue(a, sortKey), y = sortValue(b, sortKey);
      if (x === y) return String(a.name).localeCompare(String(b.name));
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y))) * sortDir;
    });
    const rows = document.createDocumentFragment();
    for (const log of sorted) {
      const tr = el("tr");
      if (log.failing) tr.classList.add("failing");
      if (isLagging(log)) tr.classList.add("lagging");
      tr.dataset.url = log.url;
      const name = el("td", "name", log.name);
      name.title = log.url;
      tr.appendChild(name);
      tr.appendChild(el("td", "operator", log.operator));
      tr.appendChild(el("td", "kind", log.type === "tiled" ? "tiled" : "RFC 6962"));
      tr.appendChild(el("td", "state " + String(log.state).replace(/[^a-z_]/g, ""), log.state));
      tr.appendChild(el("td", "num tree-size", fmt(log.tree_size)));
      tr.appendChild(el("td", "num next-index", fmt(log.next_index)));
      tr.appendChild(el("td", "num lag lag-entries", fmt(log.lag_entries)));
      tr.appendChild(el("td", "num lag lag-seconds", lagText(log.lag_seconds)));
      tr.appendChild(el("td", "num per-minute", log.entries_per_minute === null || log.entries_per_minute === undefined ? "–" : fmt(Math.round(log.entries_per_minute))));
      const errors = el("td", "num errors", fmt(errorsOf(log)));
      errors.title = Object.entries(log.fetch_errors || {}).map(([k, v]) => k + ": " + v).concat(["parse failures: " + log.parse_failures, "rate limited: " + log.rate_limited]).join("\n");
      tr.appendChild(errors);
      const err = el("td", "err", log.last_error || "");
      if (log.last_error_at) err.title = log.last_error_at;
      tr.appendChild(err);
      rows.appendChild(tr);
    }
    $("logs").replaceChildren(rows);
    for (const th of document.querySelectorAll("#logs-table th[data-key]")) {
      if (th.dataset.key === sortKey) th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    }
    const failing = logs.filter((l) => l.failing).length;
    const lagging = logs.filter(isLagging).length;
    $("logs-summary").textContent = logs.length + " followed" + (failing ? " · " + failing + " failing" : "") + (lagging ? " · " + lagging + " lagging" : "");
  }

  for (const th of document.querySelectorAll("#logs-table th[data-key]")) {
    th.addEventListener("click", () => {
      const key = th.dataset.key;
      if (sortKey === key) sortDir = -sortDir;
      else { sortKey = key; sortDir = th.dataset.type === "text" ? 1 : -1; }
      if (lastStats) renderLogs(lastStats.logs || []);
    });
  }

  function renderChart(history) {
    const svg = $("rate-chart");
    const values = history && Array.isArray(history.entries_per_second) ? history.entries_per_second : [];
    svg.replaceChildren();
    svg.dataset.points = String(values.length);
    if (values.length === 0) {
      $("rate-now").textContent = "–";
      return;
    }
    const max = Math.max(1, ...values);
    const width = 300, height = 60;
    const step = values.length > 1 ? width / (values.length - 1) : width;
    const points = values.map((v, i) => (i * step).toFixed(1) + "," + (height - 2 - (v / max) * (height - 6)).toFixed(1));
    const ns = "http://www.w3.org/2000/svg";
    const area = document.createElementNS(ns, "path");
    area.setAttribute("class", "area");
    area.setAttribute("d", "M0," + height + " L" + points.join(" L") + " L" + ((values.length - 1) * step).toFixed(1) + "," + height + " Z");
    const line = document.createElementNS(ns, "path");
    line.setAttribute("class", "line");
    line.setAttribute("d", "M" + points.join(" L"));
    svg.appendChild(area);
    svg.appendChild(line);
    const last = values[values.length - 1];
    $("rate-now").textContent = last < 10 ? last.toFixed(1) : fmt(Math.round(last));
    const minutes = values.length * history.interval_seconds / 60;
    $("rate-span").textContent = "last " + (minutes < 1 ? Math.round(minutes * 60) + " s" : Math.round(minutes) + " min");
    $("rate-max").textContent = "max " + fmt(Math.round(max)) + "/s";
  }

  function renderStats(stats) {
    lastStats = stats;
    $("version").textContent = "v" + stats.version;
    $("uptime").textContent = duration(stats.uptime_seconds);
    setPill($("health"), stats.ready ? "ok" : "warn", stats.ready ? "ready" : "not ready: " + stats.ready_reason);
    const t = stats.totals || {};
    $("t-certs").textContent = fmt((t.certificates || 0) + (t.precertificates || 0));
    $("t-precerts").textContent = fmt(t.certificates) + " certs · " + fmt(t.precertificates) + " precerts";
    $("t-clients").textContent = fmt(t.clients);
    $("t-streams").textContent = (stats.streams || []).map((s) => s.name + " " + fmt(s.clients)).join(" · ");
    $("t-messages").textContent = fmt(t.messages_sent);
    $("t-bytes").textContent = bytes(t.bytes_sent || 0) + " · queue " + fmt(t.publish_queue);
    $("t-drops").textContent = fmt(t.messages_dropped);
    // Gaps appear in /stats with the lossless streaming work; shown when the server reports them.
    const gaps = t.gaps_sent !== undefined ? t.gaps_sent : t.gaps;
    $("t-gaps").textContent = gaps !== undefined ? fmt(gaps) + " gaps sent" : "messages not delivered";
    $("t-logs").textContent = fmt(t.logs_watched);
    const failing = $("t-failing");
    failing.textContent = t.logs_failing ? fmt(t.logs_failing) + " failing" : "none failing";
    failing.classList.toggle("bad", !!t.logs_failing);
    const metrics = $("metrics-link");
    if (typeof stats.metrics_path === "string" && stats.metrics_path.startsWith("/") && !stats.metrics_path.startsWith("//")) {
      metrics.setAttribute("href", stats.metrics_path);
      metrics.textContent = stats.metrics_path;
      metrics.hidden = false;
    } else {
      metrics.hidden = true;
    }
    renderChart(stats.history);
    renderLogs(stats.logs || []);
  }

  async function pollStats() {
    try {
      const response = await fetch(config.stats, { cache: "no-store" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      renderStats(await response.json());
    } catch {
      setPill($("health"), "bad", "server unreachable");
    } finally {
      setTimeout(pollStats, STATS_INTERVAL_MS);
    }
  }

  // ---------------------------------------------------------------- connect section
  for (const stream of config.streams) {
    const li = el("li");
    li.appendChild(el("b", null, stream.name));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("code", null, wsBase + stream.path));
    li.appendChild(document.createTextNode(" — " + stream.description + " ("));
    const example = el("a", null, "example");
    example.setAttribute("href", stream.example);
    li.appendChild(example);
    li.appendChild(document.createTextNode(")"));
    $("streams").appendChild(li);
  }
  const latest = el("li");
  const latestLink = el("a", null, "/latest.json");
  latestLink.setAttribute("href", "/latest.json");
  latest.appendChild(latestLink);
  latest.appendChild(document.createTextNode(": the newest lite messages"));
  $("streams").appendChild(latest);

  showUrl();
  connect();
  pollStats();
})();
