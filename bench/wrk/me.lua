-- wrk script: GET or PATCH /v1/me, rotating through the minted session tokens.
-- usage: wrk ... -s bench/wrk/me.lua http://127.0.0.1:PORT/v1/me -- GET|PATCH TOKENS_FILE
-- Each thread starts at its own offset; PATCH alternates two timezones so every request writes.

local method, tokens, index, count = "GET", {}, 0, 0
local bodies = {
  '{"preferences":{"timezone":"Europe/Paris"}}',
  '{"preferences":{"timezone":"America/New_York"}}',
}
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end

function init(args)
  method = args[1] or "GET"
  for line in io.lines(args[2]) do
    tokens[#tokens + 1] = "Bearer " .. line
  end
  index = ((id or 0) * 7919) % #tokens
end

function request()
  index = index % #tokens + 1
  count = count + 1
  if method == "PATCH" then
    return wrk.format("PATCH", nil, {
      ["Authorization"] = tokens[index],
      ["Content-Type"] = "application/json",
    }, bodies[count % 2 + 1])
  end
  return wrk.format("GET", nil, { ["Authorization"] = tokens[index] })
end

-- One JSON line the harness collects; latencies in microseconds.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
      .. '"mean_us":%.1f,"non_2xx":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.status, e.connect, e.read, e.write, e.timeout))
end
