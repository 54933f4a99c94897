-- wrk script: /api/search over a list of distinct queries (one per line), each connection walking
-- the list from its own offset, so no two consecutive requests repeat a query. The server has no
-- result cache, so every request runs a full search (snippets, facets, spelling).
local queries = {}
local counter = 0
local thread_count = 0

local function encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function setup(thread)
  thread:set("offset", thread_count * 997)
  thread_count = thread_count + 1
end

function init(args)
  local file = args[1] or "queries.txt"
  for line in io.lines(file) do
    if #line > 0 then queries[#queries + 1] = "/api/search?q=" .. encode(line) end
  end
  counter = offset or 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", queries[(counter % #queries) + 1])
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
