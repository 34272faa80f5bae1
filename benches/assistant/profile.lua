-- PATCH /api/v1/assistant/sessions/{id}/profile on random sessions of the bench user, each a
-- real change (sleep hours cycling through 1.0 to 12.0 in quarter hours, a fresh value per
-- request per thread), so every request appends an event. `tokens.lua` (written by
-- assistant_setup.py) sets TOKEN and SESSIONS.
dofile(os.getenv("ASSISTANT_BENCH_LUA"))
local path_of = {}
for i, id in ipairs(SESSIONS) do
  path_of[i] = "/api/v1/assistant/sessions/" .. id .. (os.getenv("BATCH") and "/profile:batch" or "/profile")
end
local counter = 0
math.randomseed(os.time())
request = function()
  counter = counter + 1
  local hours = 1 + (counter % 44) / 4
  local body = '{"changes":[{"op":"set","field":"sleep_hours","value":' .. hours .. '}]}'
  local method = os.getenv("BATCH") and "POST" or "PATCH"
  return wrk.format(method, path_of[math.random(#path_of)],
    { ["authorization"] = "Bearer " .. TOKEN, ["content-type"] = "application/json" }, body)
end
