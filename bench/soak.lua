-- Mixed GET/PATCH /v1/me load for bench/soak.sh: each request uses the next session token of
-- $SOAK_TOKENS (one per line, one user each); every fourth request is a PATCH of the timezone.
local tokens = {}
local zones = {"UTC", "Europe/Oslo", "Asia/Seoul", "America/New_York", "Africa/Nairobi",
               "Australia/Perth", "America/Sao_Paulo", "Asia/Kolkata"}
local counter = 0

function setup(thread)
  thread:set("offset", math.random(0, 1000000))
end

function init(args)
  for line in io.lines(os.getenv("SOAK_TOKENS")) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  counter = offset or 0
end

function request()
  counter = counter + 1
  local headers = {["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1]}
  if counter % 4 == 0 then
    headers["Content-Type"] = "application/json"
    local zone = zones[(math.floor(counter / 4) % #zones) + 1]
    return wrk.format("PATCH", "/v1/me", headers, '{"preferences": {"timezone": "' .. zone .. '"}}')
  end
  return wrk.format("GET", "/v1/me", headers)
end

-- One JSON line the script reads back: totals, every error class, latency percentiles (us).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'SOAK_WRK {"requests": %d, "duration_us": %d, "bytes": %d, "errors": {"connect": %d, "read": %d, '
    .. '"write": %d, "status": %d, "timeout": %d}, "latency_us": {"p50": %d, "p99": %d, "p999": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
