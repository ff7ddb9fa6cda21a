-- wrk script of bench/flood.sh: normal traffic, or a flood of credentials that fail.
-- usage: wrk ... -s bench/wrk/flood.lua http://127.0.0.1:PORT/v1/me -- MODE TOKENS_FILE [DELAY_MS]
--   get | patch  a valid session token per request (rotating), each connection pausing
--                DELAY_MS between requests (an open rate, not a saturating loop); the client
--                address (X-Forwarded-For) is one of 200 ordinary ones
--   flood        as fast as the connection allows: half random well-formed `mek_` keys (each
--                one unknown, so a database lookup today), a quarter garbage tokens, a quarter
--                tokens with a valid header and claims but a forged signature (an RSA verify);
--                from 4 attacker addresses
--   ready        GET /health/ready (a probe that is too eager, or many load balancers)
-- Every mode prints one WRK_JSON line with latencies (microseconds) and status counts.

local mode, tokens, index, count, pause = "get", {}, 0, 0, 0
local bodies = {
  '{"preferences":{"timezone":"Europe/Paris"}}',
  '{"preferences":{"timezone":"America/New_York"}}',
}
local alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
local b64 = alphabet .. "-_"
local forged_prefix, signature_length = nil, 0
local thread_id = 0
local threads = {}
s2xx, s401, s429, s503, sother = 0, 0, 0, 0, 0

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end

function init(args)
  mode = args[1] or "get"
  for line in io.lines(args[2]) do
    tokens[#tokens + 1] = line
  end
  pause = tonumber(args[3] or "0")
  index = ((id or 0) * 7919) % #tokens
  math.randomseed(os.time() * 1000 + (id or 0))
  local header, payload, signature = tokens[1]:match("^([^.]+)%.([^.]+)%.([^.]+)$")
  forged_prefix = header .. "." .. payload .. "."
  signature_length = #signature
end

local function random_chars(chars, n)
  local out = {}
  for i = 1, n do
    local k = math.random(#chars)
    out[i] = chars:sub(k, k)
  end
  return table.concat(out)
end

local function bad_credential()
  local pick = math.random(4)
  if pick <= 2 then
    return "mek_" .. random_chars(alphabet, 43)
  elseif pick == 3 then
    return "eyJ" .. random_chars(b64, 40) .. "." .. random_chars(b64, 60) .. "." .. random_chars(b64, 40)
  end
  return forged_prefix .. random_chars(b64, signature_length)
end

function request()
  count = count + 1
  if mode == "ready" then
    return wrk.format("GET", "/health/ready")
  end
  if mode == "flood" then
    return wrk.format("GET", nil, {
      ["Authorization"] = "Bearer " .. bad_credential(),
      ["X-Forwarded-For"] = "203.0.113." .. (count % 4 + 1),
    })
  end
  index = index % #tokens + 1
  local headers = {
    ["Authorization"] = "Bearer " .. tokens[index],
    ["X-Forwarded-For"] = "198.51.100." .. (index % 200 + 1),
  }
  if mode == "patch" then
    headers["Content-Type"] = "application/json"
    return wrk.format("PATCH", nil, headers, bodies[count % 2 + 1])
  end
  return wrk.format("GET", nil, headers)
end

function delay()
  return pause
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    s2xx = s2xx + 1
  elseif status == 401 then
    s401 = s401 + 1
  elseif status == 429 then
    s429 = s429 + 1
  elseif status == 503 then
    s503 = s503 + 1
  else
    sother = sother + 1
  end
end

function done(summary, latency, requests)
  local t = { s2xx = 0, s401 = 0, s429 = 0, s503 = 0, sother = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do
      t[k] = t[k] + (thread:get(k) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
      .. '"mean_us":%.1f,"status_2xx":%d,"status_401":%d,"status_429":%d,"status_503":%d,"status_other":%d,'
      .. '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, t.s2xx, t.s401, t.s429, t.s503, t.sother,
    e.connect, e.read, e.write, e.timeout))
end
