-- wrk script: GET wrk.path with x-access-token rotating over the lines of $SCALE_TOKENS
-- (each thread starts at a different point); prints one SCALEJSON line at the end.
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

local tokens, n, i = {}, 0, 0
function init(args)
  for line in io.lines(os.getenv("SCALE_TOKENS")) do
    n = n + 1
    tokens[n] = line
  end
  i = (tid or 0) * math.floor(n / 2)
end

function request()
  i = i % n + 1
  return wrk.format("GET", wrk.path, { ["x-access-token"] = tokens[i] })
end

function done(summary, latency, requests)
  local errs = summary.errors
  io.write(string.format(
    'SCALEJSON {"requests":%d,"duration_us":%d,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,' ..
    '"socket_errors":%d,"status_errors":%d}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errs.connect + errs.read + errs.write + errs.timeout, errs.status))
end
