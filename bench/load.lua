-- wrk script of the bench: replays request templates round-robin, filling {n} (unique per
-- request), {c} (unique per call: `group` consecutive requests) and {t} (epoch ms); stops
-- after a request budget; prints one BENCH_RESULT JSON line. Args: targets file, group, budget.
-- wrk's own duration is the whole -d even when the budget stops a thread early, so each thread
-- also notes when it stopped (LuaJIT's ffi reads the clock; without it -d is used).
local threads = {}
local has_ffi, ffi = pcall(require, "ffi")
if has_ffi then
  pcall(ffi.cdef, "typedef struct { long tv_sec; long tv_nsec; } bench_timespec;"
    .. " int clock_gettime(int clock_id, bench_timespec *tp);")
end

local function now_us()
  if not has_ffi then
    return 0
  end
  local ts = ffi.new("bench_timespec")
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  targets = {}
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^(%u+)\t([^\t]*)\t(.*)$")
    table.insert(targets, { method, path, body })
  end
  group = tonumber(args[2])
  budget = tonumber(args[3])
  sent, ok = 0, 0
  epoch_ms = os.time() * 1000
  json_headers = { ["Content-Type"] = "application/json" }
  started_us, stopped_us = now_us(), 0
end

function request()
  local t = targets[sent % #targets + 1]
  local n = string.format("%d", tid * 1000000000 + sent)
  local c = string.format("%d", tid * 1000000000 + math.floor(sent / group))
  local ms = string.format("%d", epoch_ms + sent)
  sent = sent + 1
  local path = t[2]:gsub("{n}", n):gsub("{c}", c)
  if t[1] == "GET" then
    return wrk.format("GET", path)
  end
  local body = t[3]:gsub("{n}", n):gsub("{c}", c):gsub("{t}", ms)
  return wrk.format(t[1], path, json_headers, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  end
  if budget > 0 and sent >= budget and stopped_us == 0 then
    stopped_us = now_us()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local total_sent, total_ok, busy_us = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
    total_ok = total_ok + thread:get("ok")
    local stopped, started = thread:get("stopped_us"), thread:get("started_us")
    local span = (stopped > 0 and started > 0) and (stopped - started) or summary.duration
    busy_us = math.max(busy_us, span)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "sent": %d, "ok": %d, "errors": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, total_sent, total_ok, e.connect + e.read + e.write + e.timeout,
    math.min(busy_us, summary.duration), latency:percentile(50), latency:percentile(99)))
end
