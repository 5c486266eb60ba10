-- wrk script for bench/soak.sh: a mixed load. Each request picks one kind:
--   40% cached tiles (a small fixed set, warmed by soak.sh), 20% uncached tiles
--   (random z5-z10 tiles over Vietnam, mostly never asked before), 25% API calls over
--   random windows, 15% maps (small PNG/SVG over random windows).
-- Environment: SOAK_TOKEN (planner), SOAK_FIRST and SOAK_LAST (YYYY-MM, the data's
-- months). Counts answers by status; done() prints "soak-status CODE COUNT" lines.
local token = os.getenv("SOAK_TOKEN") or ""
local first = os.getenv("SOAK_FIRST") or "2021-01"
local last = os.getenv("SOAK_LAST") or "2026-10"
local threads = {}

local function ym(s)
  local y, m = s:match("^(%d+)-(%d+)$")
  return tonumber(y) * 12 + tonumber(m) - 1
end
local m0, m1 = ym(first), ym(last)
local function fmt(k) return string.format("%04d-%02d", math.floor(k / 12), k % 12 + 1) end
local function window()
  -- 6 to 24 months (emerging hot spots need at least 4 time steps)
  local a = math.random(m0, m1 - 5)
  local b = math.random(a + 5, math.min(m1, a + 23))
  return "from=" .. fmt(a) .. "&to=" .. fmt(b)
end

local function tile_xy(z, lon, lat)
  local n = 2 ^ z
  local x = math.floor((lon + 180) / 360 * n)
  local r = math.rad(lat)
  local y = math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
  return x, y
end

local cached = {
  "/tiles/gistar/6/50/28.png", "/tiles/gistar/6/51/29.png", "/tiles/gistar/7/101/56.png",
  "/tiles/rate/6/50/28.png", "/tiles/rate/7/102/57.png", "/tiles/gistar/5/25/14.png",
  "/tiles/rate/5/25/14.png", "/tiles/gistar/6/50/29.png",
}
local layers = { "gistar", "rate", "lisa", "eb_rate" }
local apis = { "/api/analyze?", "/api/priorities?top=10&", "/api/units?level=province&",
               "/api/meta?", "/api/emerging?", "/api/analyze?level=province&" }
local maps = { "/maps/rate.png?size=300x300&", "/maps/gistar.png?size=300x300&",
               "/maps/lisa.svg?size=300x300&", "/maps/eb_rate.png?size=240x320&" }

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6) + #threads)
  wrk.headers["Authorization"] = "Bearer " .. token
  counts = {}
end

function request()
  local r = math.random(100)
  local path
  if r <= 40 then
    path = cached[math.random(#cached)]
  elseif r <= 60 then
    local z = math.random(5, 10)
    local x0, y0 = tile_xy(z, 102.1, 23.4)
    local x1, y1 = tile_xy(z, 109.5, 8.6)
    path = string.format("/tiles/%s/%d/%d/%d.png", layers[math.random(#layers)], z,
                         math.random(x0, x1), math.random(y0, y1))
  elseif r <= 85 then
    local a = apis[math.random(#apis)]
    if a == "/api/meta?" or a:find("units") then
      path = a:sub(1, -2)
    elseif a:find("emerging") then
      path = a .. window() -- no permutations: emerging hot spots take none
    else
      path = a .. window() .. "&permutations=9"
    end
  else
    path = maps[math.random(#maps)] .. window()
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("soak-status %d %d\n", k, v)) end
  io.write(string.format("soak-errors connect=%d read=%d write=%d timeout=%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  io.write(string.format("soak-latency p50_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
