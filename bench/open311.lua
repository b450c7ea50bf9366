-- wrk script: Open311 POST requests.json (form-encoded, api_key in the body) as FixMyStreet sends them.
-- BENCH_KEY: an API key with the open311 scope for the bench-cases organisation.
local key = os.getenv("BENCH_KEY")
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
request = function()
  counter = counter + 1
  local body = "api_key=" .. key .. "&jurisdiction_id=bench-cases&service_code=587&address_string=" .. (counter % 300 + 1)
    .. "+Bench+Street&attribute%5Bwaste_type%5D=household&attribute%5Bquantity%5D=bag&description=Bags+by+the+bins&email=resident%40example.com"
  return wrk.format(nil, "/open311/v2/requests.json", nil, body)
end
response = function(status, headers, body)
  if status ~= 200 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
end
