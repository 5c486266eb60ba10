// Hotspot138 dashboard: a Leaflet view of our own XYZ tiles plus the ranked outreach
// priorities. Everything comes from this server's API; no third-party tiles or scripts.
"use strict";

const form = document.getElementById("controls");
const statusEl = document.getElementById("status");
const list = document.getElementById("priorities");
const signin = document.getElementById("signin");
const whoEl = document.getElementById("who");

// The token lives in sessionStorage (gone when the tab closes) and travels only in
// the Authorization header, never in a URL, so it stays out of server logs, the
// browser history and Referer headers.
const TOKEN_KEY = "hotspot138.token";
let who = { role: "public", provinces: [] };
function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }
function authHeaders() { const t = token(); return t ? { Authorization: "Bearer " + t } : {}; }

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
  // Analysts see commune detail only for their provinces: the whole country is
  // then shown at province level.
  if (who.role === "analyst" && !q.get("province")) q.set("level", "province");
  for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
  return q;
}

function setStatus(text, isError) {
  statusEl.textContent = text;
  statusEl.className = "status" + (isError ? " error" : "");
}

async function getJSON(url) {
  const r = await fetch(url, { headers: authHeaders() });
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new Error(body && body.error ? body.error.message : r.status + " " + r.statusText);
  return body;
}

// Tiles are fetched with the Authorization header (an <img> cannot send one) and
// shown from blob: URLs.
const AuthTiles = L.TileLayer.extend({
  createTile(coords, done) {
    const img = document.createElement("img");
    img.alt = "";
    fetch(this.getTileUrl(coords), { headers: authHeaders() })
      .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(r.status + " " + r.statusText))))
      .then((b) => {
        img.onload = () => { URL.revokeObjectURL(img.src); done(null, img); };
        img.src = URL.createObjectURL(b);
      })
      .catch((e) => done(e, img));
    return img;
  },
});

// Downloads go through fetch too, for the same reason, then save the blob.
async function download(ev) {
  ev.preventDefault();
  const a = ev.currentTarget;
  try {
    const r = await fetch(a.dataset.url, { headers: authHeaders() });
    if (!r.ok) throw new Error(r.status + " " + r.statusText);
    const url = URL.createObjectURL(await r.blob());
    const save = document.createElement("a");
    save.href = url;
    save.download = a.dataset.name;
    save.click();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) {
    setStatus("Lỗi / Error: " + e.message, true);
  }
}

function refreshMap() {
  const layer = new FormData(form).get("layer");
  const q = query();
  if (tiles) map.removeLayer(tiles);
  tiles = null;
  if (who.role !== "planner" && who.role !== "analyst") return;
  tiles = new AuthTiles(`/tiles/${layer}/{z}/{x}/{y}{r}.png?${q}`, {
    maxZoom: 12, tileSize: 256, detectRetina: false,
    attribution: "Hotspot138 · Talia Cao (MIT) · Natural Earth",
  }).addTo(map);
  const set = (id, url, name) => {
    const a = document.getElementById(id);
    a.dataset.url = url;
    a.dataset.name = name;
    a.href = "#";
    a.onclick = download;
  };
  const fmt = (ext, extra) => `/maps/${layer}.${ext}?${query(extra)}`;
  set("dl-pdf", fmt("pdf", { paper: "a4-landscape" }), `${layer}.pdf`);
  set("dl-png", fmt("png", { size: "1600x1200" }), `${layer}.png`);
  set("dl-svg", fmt("svg", { size: "1600x1200" }), `${layer}.svg`);
  set("dl-csv", `/api/analyze?${query({ format: "csv" })}`, `${layer}.csv`);
  set("dl-gpkg", `/api/analyze?${query({ format: "gpkg" })}`, `${layer}.gpkg`);
}

async function refreshPriorities() {
  list.replaceChildren();
  if (who.role !== "planner" && who.role !== "analyst") {
    setStatus(who.role === "public" ? "Đăng nhập để xem số liệu / Sign in to see the data"
                                    : "Vai trò này không xem số liệu / This role sees no case data");
    return;
  }
  setStatus("Đang tính… / Computing…");
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
    who = await getJSON("/api/whoami");
  } catch (e) {
    who = { role: "public", provinces: [] };
    if (token()) setStatus("Lỗi / Error: " + e.message, true);
  }
  whoEl.textContent = who.role === "public" ? "Chưa đăng nhập / not signed in"
    : `Vai trò / role: ${who.role}` + (who.provinces.length ? ` (${who.provinces.join(", ")})` : "");
  document.getElementById("signout").hidden = !token();
  if (who.role !== "planner" && who.role !== "analyst") {
    refreshMap();
    refreshPriorities();
    return;
  }
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
    const sel = form.elements.province;
    while (sel.options.length > 1) sel.remove(1);
    if (who.role === "analyst") sel.options[0].textContent = "Toàn quốc, cấp tỉnh / whole country, province level";
    for (const p of provinces) {
      if (who.role === "analyst" && !who.provinces.includes(p.code)) continue;
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
signin.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const t = signin.elements.token.value.trim();
  signin.elements.token.value = "";
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  init();
});
document.getElementById("signout").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  init();
});
init();
