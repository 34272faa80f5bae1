-- GET /api/v1/locations/nearby around the dataset's three clusters: at random points, or, with
-- SPOTS=N, at N fixed busy places (the same N every run), which is how a neighbourhood app's
-- traffic concentrates.
local centres = { {33.40, 126.55, 0.22}, {35.15, 129.08, 0.09}, {37.55, 126.99, 0.12} }
local radius = os.getenv("RADIUS_KM") or "3"
local spots_wanted = tonumber(os.getenv("SPOTS") or "0")

local function around(c)
  return c[1] + (math.random() - 0.5) * c[3], c[2] + (math.random() - 0.5) * c[3]
end

local spots = {}
math.randomseed(20261122)
for i = 1, spots_wanted do
  local lat, lng = around(centres[(i % #centres) + 1])
  spots[i] = { lat, lng }
end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))

request = function()
  local lat, lng
  if #spots > 0 then
    local s = spots[math.random(#spots)]
    lat, lng = s[1], s[2]
  else
    lat, lng = around(centres[math.random(#centres)])
  end
  return wrk.format("GET", string.format("/api/v1/locations/nearby?lat=%.5f&lng=%.5f&radius_km=%s", lat, lng, radius))
end
