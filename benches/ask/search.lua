-- GET /api/v1/search over questions and answers: place + topic queries in Korean, a third of
-- them narrowed to a region.
local places = { "제주시", "애월", "협재", "성산", "서귀포", "중문", "함덕", "해운대", "광안리", "서면", "홍대", "강남", "명동", "성수" }
local topics = { "맛집", "고기국수", "흑돼지", "카페", "숙소", "버스", "주차", "날씨", "서핑", "오름", "약국", "돼지국밥" }
local regions = { "jeju", "busan", "seoul" }
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  local q = places[math.random(#places)] .. " " .. topics[math.random(#topics)]
  local path = "/api/v1/search?type=questions,answers&q=" .. q:gsub("[^%w]", function(ch)
    return string.format("%%%02X", string.byte(ch))
  end)
  if math.random(3) == 1 then
    path = path .. "&region=" .. regions[math.random(#regions)]
  end
  return wrk.format("GET", path)
end
