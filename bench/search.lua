-- Rotates through the searches a contact centre makes: common and rare surnames, full names with typos,
-- postcodes, postcode districts and UPRNs. Non-2xx answers are counted by wrk and reported at the end.
local queries = {
  "smith", "jon+smyth", "khan", "sarah+ahmed", "BB10+3AB", "50000012345", "greenwod", "okafor", "m+haworth",
  "patel", "FY1+5QR", "emma+jones", "50000499999", "hargreaves", "fatima+hussain", "nowak", "bb12+1ga", "o%27brien",
}
local key = os.getenv("BENCH_KEY")
local i = 0
local failures = 0

request = function()
  i = i + 1
  local q = queries[(i % #queries) + 1]
  return wrk.format("GET", "/api/v1/people?limit=20&q=" .. q, { ["Authorization"] = "Bearer " .. key })
end

response = function(status, headers, body)
  if status ~= 200 then failures = failures + 1 end
end
