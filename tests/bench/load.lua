-- wrk script for tests/bench/load-bench.sh: a mix of pages and searches while the site is rebuilt
-- and swapped. Every response body must equal the body of that URL in version A or in version B
-- (fetched beforehand into <expect>/A/<n> and <expect>/B/<n>, URLs in <dir>/urls.txt; arguments: dir
-- [expect=dir/expect]); anything else is a mismatch (a torn or mixed response). Run with as many threads as connections (wrk -tN -cN): with one
-- connection per thread, responses arrive in the order of the requests, so each response is checked
-- against the URL it answers.
local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local urls, old, new = {}, {}, {}
local next_index, current = 0, nil

-- Per-thread counters, read by done() through thread:get().
checked, non200, mismatches, saw_a, saw_b, saw_same = 0, 0, 0, 0, 0, 0
local dir

function init(args)
  dir = args[1]
  for line in io.lines(dir .. "/urls.txt") do
    if #line > 0 then urls[#urls + 1] = line end
  end
  local expect = args[2] or (dir .. "/expect")
  for n = 1, #urls do
    old[n] = slurp(expect .. "/A/" .. n)
    new[n] = slurp(expect .. "/B/" .. n)
  end
  next_index = ((id or 0) * 7) % #urls  -- each connection starts elsewhere in the mix
  -- Tell load-bench.sh this thread is ready: wrk starts its clock after the last init().
  local f = io.open(string.format("%s/ready-%d", dir, id or 0), "w")
  if f then f:close() end
end

function request()
  next_index = next_index % #urls + 1
  current = next_index
  return wrk.format("GET", urls[current])
end

function response(status, headers, body)
  checked = checked + 1
  if status ~= 200 then
    non200 = non200 + 1
    return
  end
  local a, b = body == old[current], body == new[current]
  if a and b then
    saw_same = saw_same + 1
  elseif a then
    saw_a = saw_a + 1
  elseif b then
    saw_b = saw_b + 1
  else
    mismatches = mismatches + 1
    if mismatches <= 3 then  -- keep the evidence
      local f = io.open(string.format("%s/mismatch-%d-%d.txt", dir, id or 0, mismatches), "wb")
      if f then
        f:write(urls[current], "\n\n", body)
        f:close()
      end
    end
  end
end

function done(summary, latency, requests)
  local totals = {checked = 0, non200 = 0, mismatches = 0, saw_a = 0, saw_b = 0, saw_same = 0}
  for _, t in ipairs(threads) do
    for k, _ in pairs(totals) do totals[k] = totals[k] + (t:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_s=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f " ..
    "errors=%d (connect=%d read=%d write=%d status=%d timeout=%d) non200=%d mismatches=%d checked=%d " ..
    "old=%d new=%d same=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.status + e.timeout, e.connect, e.read, e.write, e.status, e.timeout,
    totals.non200, totals.mismatches, totals.checked, totals.saw_a, totals.saw_b, totals.saw_same))
end
