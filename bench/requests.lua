-- wrk script: each thread sends its share of the requests in REQUESTS_FILE (one a line: METHOD \t PATH \t BODY),
-- in order and round again when done; counts statuses; `done` prints one JSON line for bench/wrk.py.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local count = tonumber(os.getenv("WRK_THREADS") or "1")
  mine, statuses, at = {}, {}, 0
  local n = 0
  for line in io.lines(os.getenv("REQUESTS_FILE")) do
    if n % count == id then
      local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
      if body == "" then body = nil end
      table.insert(mine, wrk.format(method, path, nil, body))
    end
    n = n + 1
  end
end

function request()
  at = at % #mine + 1
  return mine[at]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local seen = {}
  for _, thread in ipairs(threads) do
    local counted = thread:get("statuses")
    for status, n in pairs(counted) do seen[status] = (seen[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(seen) do table.insert(parts, string.format('"%d": %d', status, n)) end
  io.write(string.format('WRK-JSON {"requests": %d, "seconds": %.6f, "p50_ms": %.3f, "p99_ms": %.3f,'
    .. ' "errors": %d, "statuses": {%s}}\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", ")))
end
