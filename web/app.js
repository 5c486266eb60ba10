// Hotspot138 dashboard: a Leaflet view of our own XYZ tiles plus the ranked outreach
// priorities. Everything comes from this server's API; no third-party tiles or scripts.
"use strict";

const form = document.getElementById("controls");
const statusEl = document.getElementById("status");
const list = document.getElementById("priorities");

// The background layers (Natural Earth) are clipped to 96–121 E, 4–27 N: keep the
// view inside them so no one mistakes the data edge for a coastline.
const map = L.map("map", { minZoom: 5, maxZoom: 12, maxBounds: [[4, 96], [27, 121]], maxBoundsViscosity: 1.0 })
  .setView([16.2, 106.5], 5);
let tiles = null;

function monthOf(period) { return period ? period.slice(0, 7) : ""; }

function query(extra) {
  const f = new FormData(form);
  const q = new URLSearchParams();
  for (const key of ["indicator", "from", "to", "province"]) {
    const v = f.get(key);
    if (v) q.set(key, v);
  }
  for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
  return q;
}

function setStatus(text, isError) {
  statusEl.textContent = text;
  statusEl.className = "status" + (isError ? " error" : "");
}

async function getJSON(url) {
  const r = await fetch(url);
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new Error(body && body.error ? body.error.message : r.status + " " + r.statusText);
  return body;
}

function refreshMap() {
  const layer = new FormData(form).get("layer");
  const q = query();
  if (tiles) map.removeLayer(tiles);
  tiles = L.tileLayer(`/tiles/${layer}/{z}/{x}/{y}{r}.png?${q}`, {
    maxZoom: 12, tileSize: 256, detectRetina: false,
    attribution: "Hotspot138 · Talia Cao (MIT) · Natural Earth",
  }).addTo(map);
  const fmt = (ext, extra) => `/maps/${layer}.${ext}?${query(extra)}`;
  document.getElementById("dl-pdf").href = fmt("pdf", { paper: "a4-landscape" });
  document.getElementById("dl-png").href = fmt("png", { size: "1600x1200" });
  document.getElementById("dl-svg").href = fmt("svg", { size: "1600x1200" });
  document.getElementById("dl-csv").href = `/api/analyze?${query({ format: "csv" })}`;
  document.getElementById("dl-gpkg").href = `/api/analyze?${query({ format: "gpkg" })}`;
}

async function refreshPriorities() {
  setStatus("Đang tính… / Computing…");
  list.replaceChildren();
  try {
    const d = await getJSON(`/api/priorities?${query({ format: "json", top: 25 })}`);
    for (const row of d.rows) {
      const li = document.createElement("li");
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = `${row.unit_name}, ${row.province_name}`;
      const score = document.createElement("span");
      score.className = "score";
      score.textContent = row.risk_score.toFixed(0);
      score.title = "Điểm rủi ro / risk score (0–100)";
      const vi = document.createElement("div");
      vi.className = "reason";
      vi.textContent = row.reason_vi;
      const en = document.createElement("div");
      en.className = "reason-en";
      en.textContent = row.reason;
      li.append(score, name, vi, en);
      list.append(li);
    }
    setStatus(d.meta.title + (d.meta.synthetic ? " — " + d.meta.notice : ""));
  } catch (e) {
    setStatus("Lỗi / Error: " + e.message, true);
  }
}

async function init() {
  try {
    const meta = await getJSON("/api/meta");
    document.getElementById("synthetic").hidden = !meta.synthetic;
    const last = meta.case_periods && meta.case_periods.max;
    if (last) {
      form.elements.to.value = monthOf(last);
      const [y, m] = last.split("-").map(Number);
      const first = new Date(Date.UTC(y, m - 12, 1));
      form.elements.from.value = first.toISOString().slice(0, 7);
    }
    const provinces = await getJSON("/api/units?level=province");
    for (const p of provinces) {
      const o = document.createElement("option");
      o.value = p.code;
      o.textContent = p.name;
      form.elements.province.append(o);
    }
  } catch (e) {
    setStatus("Lỗi / Error: " + e.message, true);
  }
  refreshMap();
  refreshPriorities();
}

form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  refreshMap();
  refreshPriorities();
});
init();
