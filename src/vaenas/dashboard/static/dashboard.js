// The vaenas dashboard: polls the JSON API (docs/dashboard.md) once a second and redraws
// only what changed. `window.vaenas` exposes load and update timings for the benchmarks.
"use strict";

const RUN = new URLSearchParams(location.search).get("run") || "";
const POLL_MS = 1000;
const PAGE_SIZE = 50;
const MAX_CURVES = 200;
const vaenas = (window.vaenas = { loadedMs: null, lastUpdateMs: null, updates: 0, trialCount: 0 });

function api(route, params = {}) {
  const query = new URLSearchParams({ run: RUN, ...params });
  return fetch(`/api/${route}?${query}`).then(async (response) => {
    const body = await response.json();
    return { ok: response.ok, status: response.status, body };
  });
}

function el(id) { return document.getElementById(id); }

function showProblem(message) {
  const box = el("problem");
  box.hidden = !message;
  box.textContent = message || "";
}

function text(value, digits = 4) {
  if (value === null || value === undefined) return "-";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toPrecision(digits);
  return String(value);
}

function live() { el("live").textContent = `updated ${new Date().toLocaleTimeString()}`; }

// ---------------------------------------------------------------------------- a study

const study = {
  trials: new Map(), // number -> row
  finished: [], // rows in the order they finished, for the best-so-far curve
  next: 0,
  t0: Infinity, // when the first trial started: wall time counts from there
  state: null,
  sortKey: "number",
  sortUp: true,
  page: 0,
  chosen: null,
  latent: null,
  optimum: null, // the best value a table objective can reach: the curve shows regret
  curvesKey: "",
};

function better(a, b) { return study.state.maximize ? a > b : a < b; }

function mergeTrials(rows) {
  for (const row of rows) {
    const before = study.trials.get(row.number);
    study.trials.set(row.number, row);
    study.t0 = Math.min(study.t0, row.started_at);
    if (row.status !== "running" && (!before || before.status === "running")) study.finished.push(row);
  }
}

function drawSummary() {
  const s = study.state;
  el("title").textContent = `${s.config.space} · ${s.config.strategy} · seed ${s.config.seed}`;
  el("trial-count").textContent = s.n_trials;
  el("counts").textContent = Object.entries(s.counts).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(", ");
  el("best-value").textContent = s.best ? `${text(s.best.value, 6)} (trial ${s.best.number})` : "-";
  el("best-arch").textContent = s.best ? s.best.arch : "";
  vaenas.trialCount = s.n_trials;
}

function drawConfig() {
  const table = el("config");
  if (table.dataset.drawn) return;
  table.dataset.drawn = "1";
  for (const [key, value] of Object.entries(study.state.config)) {
    const row = table.insertRow();
    row.insertCell().textContent = key;
    row.insertCell().textContent = typeof value === "object" ? JSON.stringify(value) : String(value);
  }
}

function bestPoints() {
  // the best-so-far step curve over finished trials: only where it changes, and the last
  // trial (a study of 15,625 trials draws a few dozen points)
  const time = el("best-axis").value === "time";
  const x = [], y = [];
  let best = null;
  study.finished.forEach((r, i) => {
    const at = time ? r.started_at + (r.duration || 0) - study.t0 : i + 1;
    if (r.status === "complete" && r.value !== null && (best === null || better(r.value, best))) {
      best = r.value;
      x.push(at);
      y.push(best);
    } else if (i === study.finished.length - 1 && best !== null) {
      x.push(at);
      y.push(best);
    }
  });
  return { x, y };
}

function drawBest() {
  // the best value so far, or its regret (distance to the optimum, log scale) where the
  // objective is a table that knows its optimum
  const { x, y } = bestPoints();
  const axis = el("best-axis").value === "time" ? "seconds since the first trial" : "finished trials";
  const optimum = study.optimum;
  const regret = optimum === null || optimum === undefined ? null
    : y.map((v) => Math.max(study.state.maximize ? optimum - v : v - optimum, 1e-3));
  Plotly.react(el("best-plot"), [{ x, y: regret || y, mode: "lines+markers", line: { shape: "hv", color: "#23395d" },
    marker: { size: 4 }, name: regret ? "regret" : "best so far", customdata: y,
    hovertemplate: regret ? "best %{customdata}<br>regret %{y}<extra></extra>" : "best %{y}<extra></extra>" }], {
    margin: { t: 10, r: 10, b: 40, l: 60 }, xaxis: { title: { text: axis } },
    yaxis: regret ? { title: { text: `regret (optimum ${text(optimum, 6)})` }, type: "log" }
      : { title: { text: "best value" } },
    showlegend: false,
  }, { displaylogo: false, responsive: true });
}

async function loadOptimum() {
  const { ok, status, body } = await api("optimum");
  if (!ok) return;
  if (status === 202) { setTimeout(loadOptimum, 1000); return; }
  study.optimum = body.optimum;
  if (study.optimum !== null && study.optimum !== undefined) drawBest();
}

function drawCurves() {
  const withReports = [...study.trials.values()].filter((r) => r.reports.length).slice(-MAX_CURVES);
  const key = withReports.map((r) => `${r.number}:${r.reports.length}:${r.status}`).join(",");
  if (key === study.curvesKey) return;
  study.curvesKey = key;
  const traces = [];
  for (const r of withReports) {
    const colour = r.status === "pruned" ? "#e69500" : r.status === "running" ? "#1565c0" : "#7a8aa8";
    traces.push({ x: r.reports.map((p) => p[0]), y: r.reports.map((p) => p[1]), mode: "lines",
      line: { color: colour, width: 1 }, name: `trial ${r.number}`, hovertemplate: `trial ${r.number}<br>step %{x}: %{y}` });
  }
  const pruned = withReports.filter((r) => r.status === "pruned");
  traces.push({ x: pruned.map((r) => r.reports.at(-1)[0]), y: pruned.map((r) => r.reports.at(-1)[1]),
    mode: "markers", marker: { symbol: "x", color: "#b00020", size: 9 }, name: "pruned here",
    text: pruned.map((r) => `trial ${r.number}: ${r.reason}`), hoverinfo: "text" });
  Plotly.react(el("curves-plot"), traces, { margin: { t: 10, r: 10, b: 40, l: 60 }, showlegend: false,
    xaxis: { title: { text: "step" } }, yaxis: { title: { text: "reported value" } } },
  { displaylogo: false, responsive: true });
  el("curves-note").textContent = withReports.length ? `${withReports.length} trials reported, ${pruned.length} pruned`
    : "no trial has reported intermediate values";
}

function filteredRows() {
  const needle = el("filter").value.trim().toLowerCase();
  const status = el("status-filter").value;
  let rows = [...study.trials.values()];
  if (status) rows = rows.filter((r) => r.status === status);
  if (needle) rows = rows.filter((r) => `${r.number} ${r.arch} ${r.reason || ""}`.toLowerCase().includes(needle));
  const key = study.sortKey, sign = study.sortUp ? 1 : -1;
  if (key === "number" && study.sortUp) return rows; // trials arrive in number order
  rows.sort((a, b) => {
    const x = a[key], y = b[key];
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : 1) * sign;
  });
  return rows;
}

function drawTable() {
  const rows = filteredRows();
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  study.page = Math.min(study.page, pages - 1);
  el("page").textContent = `page ${study.page + 1} of ${pages} (${rows.length} trials)`;
  const body = document.querySelector("#trials tbody");
  const fragment = document.createDocumentFragment();
  for (const r of rows.slice(study.page * PAGE_SIZE, (study.page + 1) * PAGE_SIZE)) {
    const tr = document.createElement("tr");
    tr.dataset.number = r.number;
    if (r.number === study.chosen) tr.className = "chosen";
    const metrics = Object.entries(r.metrics).filter(([k]) => k !== "error" && k !== "pruned_at")
      .map(([k, v]) => `${k}=${text(v, 3)}`).join(" ");
    const cells = [r.number, r.arch, null, text(r.value, 6), text(r.duration, 3),
      new Date(r.started_at * 1000).toLocaleTimeString(), metrics];
    cells.forEach((value, i) => {
      const td = tr.insertCell();
      if (i === 1) td.className = "arch";
      if (i === 2) {
        td.className = `status-${r.status}`;
        td.textContent = r.status;
        if (r.reason) {
          const reason = document.createElement("span");
          reason.className = "reason";
          reason.textContent = r.reason;
          td.appendChild(reason);
        }
      } else {
        td.textContent = value;
      }
    });
    fragment.appendChild(tr);
  }
  body.replaceChildren(fragment);
}

// -------------------------------------------------------------------- architectures

const SVG = "http://www.w3.org/2000/svg";

function svgNode(tag, attributes, content) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  if (content !== undefined) node.textContent = content;
  return node;
}

function drawDag(svg, labels, edges, edgeLabels, width) {
  // nodes in a row, edges as arcs (above for even, below for odd), labels at their tops
  const n = labels.length, gap = (width - 80) / Math.max(n - 1, 1), mid = 130;
  const at = (i) => 40 + i * gap;
  edges.forEach(([a, b], k) => {
    const up = k % 2 === 0 ? -1 : 1, lift = 18 + 26 * (b - a);
    const x1 = at(a), x2 = at(b), cy = mid + up * lift;
    const label = edgeLabels ? edgeLabels[k] : "";
    svg.appendChild(svgNode("path", { d: `M ${x1} ${mid} Q ${(x1 + x2) / 2} ${cy} ${x2} ${mid}`, fill: "none",
      stroke: label === "none" ? "#ccc" : "#5a6f94", "stroke-dasharray": label === "none" ? "4 3" : "",
      "stroke-width": 1.5, class: "edge" }));
    if (label) svg.appendChild(svgNode("text", { x: (x1 + x2) / 2, y: mid + up * (lift / 2 + 4), "font-size": 10,
      "text-anchor": "middle", fill: "#333" }, label));
  });
  labels.forEach((label, i) => {
    svg.appendChild(svgNode("circle", { cx: at(i), cy: mid, r: 14, fill: "#23395d", class: "node" }));
    svg.appendChild(svgNode("text", { x: at(i), y: mid + 4, "font-size": 10, "text-anchor": "middle", fill: "#fff" },
      edgeLabels ? String(i) : ""));
    if (!edgeLabels) svg.appendChild(svgNode("text", { x: at(i), y: mid + 30, "font-size": 10,
      "text-anchor": "middle" }, label));
  });
}

function drawStages(svg, stages) {
  const boxWidth = 120, gap = 40;
  stages.forEach((s, i) => {
    const x = 20 + i * (boxWidth + gap), height = 30 + 14 * Math.log2(s.width / 8);
    svg.appendChild(svgNode("rect", { x, y: 130 - height / 2, width: boxWidth, height, rx: 6, fill: "#5a6f94",
      class: "stage" }));
    svg.appendChild(svgNode("text", { x: x + boxWidth / 2, y: 126, "font-size": 12, "text-anchor": "middle",
      fill: "#fff" }, `${s.depth} × conv ${s.kernel}×${s.kernel}`));
    svg.appendChild(svgNode("text", { x: x + boxWidth / 2, y: 142, "font-size": 12, "text-anchor": "middle",
      fill: "#fff" }, `${s.width} channels`));
    if (i < stages.length - 1) svg.appendChild(svgNode("text", { x: x + boxWidth + gap / 2, y: 134, "font-size": 11,
      "text-anchor": "middle" }, "↓2 →"));
  });
}

async function showArch(number) {
  study.chosen = number;
  el("arch-number").textContent = `(trial ${number})`;
  const { ok, body } = await api("arch", { number });
  const box = el("arch");
  if (!ok) { box.textContent = body.error; return; }
  const caption = document.createElement("p");
  caption.className = "arch-text";
  caption.textContent = body.text;
  if (body.kind === "text") { box.replaceChildren(caption); return; }
  const width = body.kind === "stages" ? 40 + body.stages.length * 160 : 520;
  const svg = svgNode("svg", { viewBox: `0 0 ${width} 260`, "data-kind": body.kind });
  if (body.kind === "cell") {
    drawDag(svg, Array.from({ length: body.nodes }, (_, i) => String(i)), body.edges.map((e) => [e.from, e.to]),
      body.edges.map((e) => e.op), width);
  } else if (body.kind === "stages") {
    drawStages(svg, body.stages);
  } else {
    drawDag(svg, body.nodes, body.edges, null, width);
  }
  box.replaceChildren(svg, caption);
  drawTable();
}

// ------------------------------------------------------------------------ latent map

async function loadLatent() {
  const { ok, status, body } = await api("latent");
  if (!ok) { el("latent-note").textContent = body.error; return; }
  if (status === 202) { setTimeout(loadLatent, 2000); return; }
  if (!body.available) { el("latent-note").textContent = body.reason; return; }
  study.latent = { x: body.x, y: body.y, index: new Map(body.keys.map((k, i) => [k, i])) };
  drawLatent();
}

function drawLatent() {
  const map = study.latent, canvas = el("latent-map");
  if (!map) return;
  const ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height, pad = 8;
  const [x0, x1] = [Math.min(...map.x), Math.max(...map.x)], [y0, y1] = [Math.min(...map.y), Math.max(...map.y)];
  const sx = (v) => pad + ((v - x0) / (x1 - x0 || 1)) * (w - 2 * pad);
  const sy = (v) => h - pad - ((v - y0) / (y1 - y0 || 1)) * (h - 2 * pad);
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = "#d5d9e0";
  for (let i = 0; i < map.x.length; i++) ctx.fillRect(sx(map.x[i]) - 1, sy(map.y[i]) - 1, 2, 2);
  const visited = [...study.trials.values()].sort((a, b) => a.number - b.number)
    .map((r) => ({ r, i: map.index.get(r.arch) })).filter((p) => p.i !== undefined);
  const values = visited.map((p) => p.r.value).filter((v) => v !== null);
  const lo = Math.min(...values), hi = Math.max(...values);
  ctx.strokeStyle = "rgba(35, 57, 93, 0.35)";
  ctx.beginPath();
  visited.forEach((p, k) => (k ? ctx.lineTo : ctx.moveTo).call(ctx, sx(map.x[p.i]), sy(map.y[p.i])));
  ctx.stroke();
  for (const p of visited) {
    const t = p.r.value === null ? 0 : (p.r.value - lo) / (hi - lo || 1);
    const good = study.state.maximize ? t : 1 - t;
    ctx.fillStyle = `hsl(${220 - 200 * good}, 80%, 45%)`;
    ctx.beginPath();
    ctx.arc(sx(map.x[p.i]), sy(map.y[p.i]), 4, 0, 2 * Math.PI);
    ctx.fill();
  }
  canvas.dataset.points = String(map.x.length);
  canvas.dataset.trials = String(visited.length);
  el("latent-note").textContent = `${map.x.length} architectures of the space, ${visited.length} trials `
    + "(blue: worse, red: better; the line joins them in the order the search visited them)";
}

// -------------------------------------------------------------------------- Pareto

function criteriaOf(config) {
  const objectives = config.objectives;
  return objectives && typeof objectives === "object" && Object.keys(objectives).length >= 2 ? objectives : null;
}

function drawPareto() {
  const objectives = criteriaOf(study.state.config);
  if (!objectives) return;
  el("pareto-panel").hidden = false;
  const [a, b] = Object.keys(objectives);
  const pick = (r, name) => (name === "value" ? r.value : r.metrics[name]);
  const points = [...study.trials.values()].filter((r) => r.status === "complete")
    .map((r) => ({ r, x: pick(r, a), y: pick(r, b) })).filter((p) => typeof p.x === "number" && typeof p.y === "number");
  const sign = (name) => (objectives[name] === "maximize" ? 1 : -1);
  const dominated = (p, q) => sign(a) * q.x >= sign(a) * p.x && sign(b) * q.y >= sign(b) * p.y
    && (q.x !== p.x || q.y !== p.y);
  const front = points.filter((p) => !points.some((q) => dominated(p, q))).sort((p, q) => p.x - q.x);
  Plotly.react(el("pareto-plot"), [
    { x: points.map((p) => p.x), y: points.map((p) => p.y), mode: "markers", marker: { color: "#aab" },
      text: points.map((p) => `trial ${p.r.number}`), name: "trials" },
    { x: front.map((p) => p.x), y: front.map((p) => p.y), mode: "lines+markers", line: { shape: "hv" },
      marker: { color: "#b00020" }, text: front.map((p) => `trial ${p.r.number}`), name: "front" },
  ], { margin: { t: 10, r: 10, b: 40, l: 60 }, xaxis: { title: { text: `${a} (${objectives[a]})` } },
    yaxis: { title: { text: `${b} (${objectives[b]})` } }, showlegend: false }, { displaylogo: false, responsive: true });
}

// ---------------------------------------------------------------------- the polling

async function pollStudy() {
  try {
    const state = await api("state");
    if (!state.ok) { showProblem(state.body.error); return; }
    if (state.body.kind === "none") { showProblem(state.body.message); return; }
    const first = study.state === null;
    const fetched = await api("trials", { since: study.next });
    if (!fetched.ok) { showProblem(fetched.body.error); return; }
    const started = performance.now();
    showProblem(null);
    study.state = state.body;
    study.next = fetched.body.next;
    const changed = fetched.body.trials.length > 0;
    mergeTrials(fetched.body.trials);
    drawSummary();
    if (first) drawConfig();
    if (first || changed) {
      drawBest();
      drawCurves();
      drawTable();
      drawLatent();
      drawPareto();
    }
    if (first) {
      vaenas.loadedMs = performance.now();
      document.body.dataset.ready = "1";
      loadLatent();
      loadOptimum();
    } else if (changed) {
      vaenas.lastUpdateMs = performance.now() - started;
      vaenas.updates += 1;
    }
    live();
  } catch (error) {
    showProblem(`the dashboard's server does not answer (${error.message}); is it still running?`);
  } finally {
    setTimeout(pollStudy, POLL_MS);
  }
}

function wireStudy() {
  document.querySelectorAll("#trials th[data-key]").forEach((th) => th.addEventListener("click", () => {
    study.sortUp = study.sortKey === th.dataset.key ? !study.sortUp : true;
    study.sortKey = th.dataset.key;
    drawTable();
  }));
  el("filter").addEventListener("input", () => { study.page = 0; drawTable(); });
  el("status-filter").addEventListener("change", () => { study.page = 0; drawTable(); });
  el("prev").addEventListener("click", () => { study.page = Math.max(0, study.page - 1); drawTable(); });
  el("next").addEventListener("click", () => { study.page += 1; drawTable(); });
  el("best-axis").addEventListener("change", drawBest);
  document.querySelector("#trials tbody").addEventListener("click", (event) => {
    const row = event.target.closest("tr");
    if (row) showArch(Number(row.dataset.number));
  });
  pollStudy();
}

// ----------------------------------------------------------------- a compare folder

async function pollCompare() {
  try {
    const { ok, body } = await api("state");
    if (!ok) { showProblem(body.error); return; }
    showProblem(null);
    const traces = [];
    const palette = ["#23395d", "#b00020", "#2e7d32", "#e69500", "#6a1b9a", "#00838f", "#5d4037", "#c2185b"];
    Object.entries(body.strategies).forEach(([name, s], k) => {
      const colour = palette[k % palette.length], x = s.median.map((_, i) => i + 1);
      traces.push({ x, y: s.high, mode: "lines", line: { width: 0, color: colour }, showlegend: false, hoverinfo: "skip" });
      traces.push({ x, y: s.low, mode: "lines", line: { width: 0, color: colour }, fill: "tonexty",
        fillcolor: `${colour}33`, showlegend: false, hoverinfo: "skip" });
      traces.push({ x, y: s.median, mode: "lines", line: { color: colour, width: 2 }, name: `${name} (${s.seeds} seeds)`,
        meta: "median" });
    });
    Plotly.react(el("compare-plot"), traces, { margin: { t: 10, r: 10, b: 40, l: 60 },
      xaxis: { title: { text: "queries" } }, yaxis: { title: { text: "best value" } } },
    { displaylogo: false, responsive: true });
    el("compare-plot").dataset.curves = String(Object.keys(body.strategies).length);
    const list = el("runs");
    list.replaceChildren(...Object.entries(body.strategies).map(([name, s]) => {
      const item = document.createElement("li");
      item.append(`${name}: `);
      s.runs.forEach((run) => {
        const link = document.createElement("a");
        link.href = `/?run=${encodeURIComponent(run)}`;
        link.textContent = run.split("/").at(-1);
        item.append(link, " ");
      });
      return item;
    }));
    drawSummaryTable(body.summary);
    document.body.dataset.ready = "1";
    live();
  } catch (error) {
    showProblem(`the dashboard's server does not answer (${error.message}); is it still running?`);
  } finally {
    setTimeout(pollCompare, 5 * POLL_MS);
  }
}

function drawSummaryTable(rows) {
  const table = el("summary-table");
  if (!rows.length) return;
  const head = document.createElement("tr");
  Object.keys(rows[0]).forEach((k) => { const th = document.createElement("th"); th.textContent = k; head.appendChild(th); });
  table.tHead.replaceChildren(head);
  table.tBodies[0].replaceChildren(...rows.map((row) => {
    const tr = document.createElement("tr");
    Object.values(row).forEach((v) => { tr.insertCell().textContent = v; });
    return tr;
  }));
}

if (document.body.dataset.page === "study") wireStudy();
else if (document.body.dataset.page === "compare") pollCompare();
