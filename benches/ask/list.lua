-- GET /api/v1/questions with a region, often a category, sometimes a hashtag, in every sort
-- order, pages 1-5.
local regions = { "jeju", "busan", "seoul" }
local categories = { "food", "lodging", "transport", "weather", "activity", "life", "other" }
local sorts = { "created_at", "popularity", "urgent" }
local tags = { "맛집", "버스", "날씨", "숙소", "카페" }
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  local path = "/api/v1/questions?region=" .. regions[math.random(#regions)] .. "&sortBy=" .. sorts[math.random(#sorts)]
    .. "&page=" .. math.random(5)
  if math.random(3) > 1 then
    path = path .. "&category=" .. categories[math.random(#categories)]
  end
  if math.random(5) == 1 then
    path = path .. "&hashtags=" .. tags[math.random(#tags)]:gsub("[^%w]", function(ch)
      return string.format("%%%02X", string.byte(ch))
    end)
  end
  return wrk.format("GET", path)
end
