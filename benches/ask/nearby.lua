-- GET /api/v1/locations/nearby at random points around the dataset's three clusters.
local centres = { {33.40, 126.55, 0.22}, {35.15, 129.08, 0.09}, {37.55, 126.99, 0.12} }
local radius = os.getenv("RADIUS_KM") or "3"
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  local c = centres[math.random(#centres)]
  local lat = c[1] + (math.random() - 0.5) * c[3]
  local lng = c[2] + (math.random() - 0.5) * c[3]
  return wrk.format("GET", string.format("/api/v1/locations/nearby?lat=%.5f&lng=%.5f&radius_km=%s", lat, lng, radius))
end
