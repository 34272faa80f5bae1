//! Fact extraction by rules, in Korean and English: what a step learns about its user when no
//! LLM is configured to do it (and the fallback when one fails). It looks for plain statements
//! ("30대예요", "I sleep about 6 hours", "비건이에요", "I have asthma"); it does not try to
//! understand everything, and a statement it misses is simply not recorded.

use std::sync::LazyLock;

use regex::Regex;

use crate::profile::{
    ActivityLevel, AgeBand, Change, Condition, Diet, Fact, Goal, Language, Preference, SleepQuality,
};

/// Keyword tables: a fact and the lowercase phrases that state it.
type Table<T> = &'static [(T, &'static [&'static str])];

const GOALS: Table<Goal> = &[
    (
        Goal::LoseWeight,
        &[
            "살 빼",
            "살을 빼",
            "살빼",
            "다이어트",
            "체중 감량",
            "감량",
            "lose weight",
            "weight loss",
            "slim down",
            "lose some weight",
        ],
    ),
    (
        Goal::GainMuscle,
        &[
            "근육",
            "벌크업",
            "근력을 키",
            "gain muscle",
            "build muscle",
            "bulk up",
            "get stronger",
        ],
    ),
    (
        Goal::SleepBetter,
        &[
            "잠을 잘 자고",
            "숙면",
            "잘 자고 싶",
            "수면을 개선",
            "sleep better",
            "better sleep",
            "improve my sleep",
        ],
    ),
    (
        Goal::ReduceStress,
        &[
            "스트레스를 줄",
            "스트레스 관리",
            "스트레스 해소",
            "reduce stress",
            "manage stress",
            "less stressed",
            "reduce my stress",
        ],
    ),
    (
        Goal::MoveMore,
        &[
            "더 많이 걷",
            "운동을 시작",
            "활동량을 늘",
            "move more",
            "more active",
            "walk more",
            "start exercising",
        ],
    ),
    (
        Goal::EatBetter,
        &[
            "식습관",
            "건강하게 먹",
            "eat healthier",
            "eat better",
            "healthy eating",
            "eat healthy",
        ],
    ),
    (
        Goal::QuitSmoking,
        &[
            "금연",
            "담배 끊",
            "담배를 끊",
            "quit smoking",
            "stop smoking",
        ],
    ),
    (
        Goal::DrinkLess,
        &[
            "술을 줄",
            "술 줄",
            "절주",
            "금주",
            "drink less",
            "cut down on alcohol",
            "stop drinking",
        ],
    ),
    (
        Goal::RunRace,
        &[
            "마라톤",
            "10km 대회",
            "5km 대회",
            "marathon",
            "5k race",
            "10k race",
        ],
    ),
];

const DIETS: Table<Diet> = &[
    (Diet::Vegan, &["비건", "vegan"]),
    (Diet::Pescatarian, &["페스코", "pescatarian"]),
    (Diet::Vegetarian, &["채식", "vegetarian"]),
    (
        Diet::LowCarb,
        &["저탄수", "키토", "low carb", "low-carb", "keto"],
    ),
    (Diet::Halal, &["할랄", "halal"]),
];

const CONDITIONS: Table<Condition> = &[
    (Condition::Diabetes, &["당뇨", "diabetes", "diabetic"]),
    (
        Condition::Hypertension,
        &["고혈압", "high blood pressure", "hypertension"],
    ),
    (
        Condition::HighCholesterol,
        &["고지혈", "콜레스테롤", "cholesterol"],
    ),
    (Condition::Asthma, &["천식", "asthma"]),
    (
        Condition::BackPain,
        &[
            "허리 통증",
            "허리가 아파",
            "허리 디스크",
            "요통",
            "back pain",
            "bad back",
        ],
    ),
    (
        Condition::KneePain,
        &["무릎이 아파", "무릎 통증", "knee pain", "bad knee"],
    ),
    (Condition::Insomnia, &["불면증", "insomnia"]),
    (Condition::Depression, &["우울증", "depression"]),
    (
        Condition::Anxiety,
        &["불안장애", "공황", "anxiety disorder", "panic attacks"],
    ),
    (Condition::Pregnancy, &["임신", "pregnant"]),
    (
        Condition::HeartDisease,
        &["심장병", "심장 질환", "heart disease", "heart condition"],
    ),
];

const PREFERENCES: Table<Preference> = &[
    (
        Preference::MorningWorkouts,
        &[
            "아침에 운동",
            "아침 운동",
            "morning workout",
            "morning run",
            "exercise in the morning",
            "work out in the morning",
        ],
    ),
    (
        Preference::EveningWorkouts,
        &[
            "저녁에 운동",
            "퇴근 후 운동",
            "evening workout",
            "exercise in the evening",
            "work out in the evening",
        ],
    ),
    (
        Preference::HomeWorkouts,
        &[
            "홈트",
            "집에서 운동",
            "home workout",
            "work out at home",
            "exercise at home",
        ],
    ),
    (
        Preference::Outdoors,
        &["야외", "밖에서 운동", "outdoors", "outside"],
    ),
    (
        Preference::Walking,
        &["걷기", "산책", "walking", "going for walks"],
    ),
    (
        Preference::Running,
        &["달리기", "러닝", "조깅", "running", "jogging"],
    ),
    (Preference::Cycling, &["자전거", "cycling", "biking"]),
    (Preference::Swimming, &["수영", "swimming"]),
    (Preference::Yoga, &["요가", "yoga", "pilates", "필라테스"]),
    (
        Preference::StrengthTraining,
        &[
            "웨이트",
            "근력 운동",
            "strength training",
            "lifting weights",
            "weight training",
        ],
    ),
    (
        Preference::ShortAnswers,
        &[
            "짧게 답",
            "간단히 답",
            "short answers",
            "keep it short",
            "be brief",
        ],
    ),
    (
        Preference::DetailedAnswers,
        &["자세히 설명", "자세하게", "detailed answers", "in detail"],
    ),
];

const POOR_SLEEP: &[&str] = &[
    "잠을 못 자",
    "잠을 잘 못",
    "잠이 안 와",
    "자주 깨",
    "불면",
    "can't sleep",
    "cannot sleep",
    "trouble sleeping",
    "poor sleep",
    "sleep badly",
    "wake up often",
    "sleep poorly",
];
const GOOD_SLEEP: &[&str] = &[
    "잘 자요",
    "푹 자",
    "잠을 잘 자요",
    "sleep well",
    "sleep great",
    "sleeping well",
];
const SEDENTARY: &[&str] = &[
    "운동을 거의 안",
    "운동을 전혀 안",
    "운동 안 해",
    "운동을 안 해",
    "하루 종일 앉아",
    "don't exercise",
    "do not exercise",
    "never exercise",
    "sedentary",
    "desk job",
    "never work out",
];
const DAILY: &[&str] = &[
    "매일 운동",
    "매일 달",
    "매일 헬스",
    "every day i work out",
    "work out every day",
    "exercise every day",
    "run every day",
    "daily workout",
];
/// Phrases that turn what follows into a removal ("no longer vegan", "더 이상 비건이 아니").
const NO_LONGER: &[&str] = &[
    "no longer",
    "not anymore",
    "anymore",
    "더 이상",
    "더이상",
    "이제 안",
    "그만뒀",
    "끊었",
];

static KO_AGE: LazyLock<Regex> = LazyLock::new(|| regex(r"(\d{1,3})\s*(?:살|세)"));
static KO_DECADE: LazyLock<Regex> = LazyLock::new(|| regex(r"([1-9])0\s*대"));
static EN_AGE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?:\bi'?m|\bi am|\bage(?:d)?)\s+(\d{1,3})(?:\s*(?:years?\s*old|yo\b|y/o))?(?:\s|[.,!?]|$)|(\d{1,3})\s*years?\s*old",
    )
});
static EN_DECADE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"in my (twenties|thirties|forties|fifties|sixties|seventies|eighties)")
});
static SLEEP_HOURS: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(\d{1,2}(?:\.\d)?)\s*시간\s*(?:정도|쯤|밖에|만|씩)?\s*(?:못\s*)?(?:자|잤|잠|수면)|sleep\w*\s+(?:about\s+|around\s+|only\s+|roughly\s+)?(\d{1,2}(?:\.\d)?)\s*(?:hours|hrs|h\b)|(\d{1,2}(?:\.\d)?)\s*(?:hours|hrs)\s+(?:of sleep|a night|per night)",
    )
});
static PER_WEEK: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?:일주일에|주에|주)\s*(\d|한|두|세|네|다섯|여섯)\s*(?:번|회)|(\d|once|twice|three|four|five|six)\s*(?:times?\s*)?(?:a|per)\s*week",
    )
});
static KO_NAME: LazyLock<Regex> =
    LazyLock::new(|| regex(r"이름은\s*([가-힣]{1,10}|[A-Za-z]{1,20})"));
static EN_NAME: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i:my name is|call me)\s+([A-Z][a-zA-Z'-]{0,19})"));

#[allow(
    clippy::expect_used,
    reason = "the patterns are constants checked by the tests"
)]
fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid pattern")
}

/// The changes `text` states about its author, in a stable order.
pub fn extract(text: &str) -> Vec<Change> {
    let lower = text.to_lowercase();
    let removing = NO_LONGER.iter().any(|p| lower.contains(p));
    let wrap = |fact: Fact| {
        if removing {
            Change::Remove(fact)
        } else {
            Change::Set(fact)
        }
    };
    let mut changes = Vec::new();
    if let Some(band) = age_band(&lower) {
        changes.push(Change::Set(Fact::AgeBand(band)));
    }
    if let Some(level) = activity(&lower) {
        changes.push(Change::Set(Fact::ActivityLevel(level)));
    }
    if let Some(hours) = sleep_hours(&lower) {
        changes.push(Change::Set(Fact::SleepHours(hours)));
    }
    if contains_any(&lower, POOR_SLEEP) {
        changes.push(Change::Set(Fact::SleepQuality(SleepQuality::Poor)));
    } else if contains_any(&lower, GOOD_SLEEP) {
        changes.push(Change::Set(Fact::SleepQuality(SleepQuality::Good)));
    }
    if let Some(diet) = first_match(&lower, DIETS) {
        changes.push(wrap(Fact::Diet(diet)));
    }
    changes.extend(all_matches(&lower, GOALS).map(|g| wrap(Fact::Goal(g))));
    changes.extend(all_matches(&lower, CONDITIONS).map(|c| Change::Set(Fact::Condition(c))));
    changes.extend(all_matches(&lower, PREFERENCES).map(|p| wrap(Fact::Preference(p))));
    if let Some(name) = name(text) {
        changes.push(Change::Set(Fact::Name(name)));
    }
    if let Some(language) = Language::detect(text) {
        changes.push(Change::Set(Fact::Language(language)));
    }
    changes
}

fn contains_any(text: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|p| text.contains(p))
}

fn first_match<T: Copy>(text: &str, table: Table<T>) -> Option<T> {
    all_matches(text, table).next()
}

fn all_matches<T: Copy>(text: &str, table: Table<T>) -> impl Iterator<Item = T> {
    table
        .iter()
        .filter(move |(_, phrases)| contains_any(text, phrases))
        .map(|(fact, _)| *fact)
}

fn age_band(lower: &str) -> Option<AgeBand> {
    if let Some(c) = KO_DECADE.captures(lower) {
        return decade(c[1].parse().ok()?);
    }
    if let Some(c) = EN_DECADE.captures(lower) {
        let tens = match &c[1] {
            "twenties" => 2,
            "thirties" => 3,
            "forties" => 4,
            "fifties" => 5,
            "sixties" => 6,
            _ => 7,
        };
        return decade(tens);
    }
    let age = KO_AGE
        .captures(lower)
        .and_then(|c| c.get(1))
        .or_else(|| EN_AGE.captures(lower).and_then(|c| c.get(1).or(c.get(2))))?;
    AgeBand::from_age(age.as_str().parse().ok()?)
}

fn decade(tens: u32) -> Option<AgeBand> {
    AgeBand::from_age(tens * 10)
}

fn activity(lower: &str) -> Option<ActivityLevel> {
    if contains_any(lower, SEDENTARY) {
        return Some(ActivityLevel::Sedentary);
    }
    if contains_any(lower, DAILY) {
        return Some(ActivityLevel::Active);
    }
    let c = PER_WEEK.captures(lower)?;
    let times = match c.get(1).or(c.get(2))?.as_str() {
        "한" | "once" => 1,
        "두" | "twice" => 2,
        "세" | "three" => 3,
        "네" | "four" => 4,
        "다섯" | "five" => 5,
        "여섯" | "six" => 6,
        digits => digits.parse().ok()?,
    };
    Some(match times {
        0 => ActivityLevel::Sedentary,
        1 => ActivityLevel::Light,
        2 | 3 => ActivityLevel::Moderate,
        _ => ActivityLevel::Active,
    })
}

fn sleep_hours(lower: &str) -> Option<f64> {
    let c = SLEEP_HOURS.captures(lower)?;
    let hours: f64 = c.get(1).or(c.get(2)).or(c.get(3))?.as_str().parse().ok()?;
    (1.0..=16.0).contains(&hours).then_some(hours)
}

fn name(text: &str) -> Option<String> {
    if let Some(c) = KO_NAME.captures(text) {
        let raw = &c[1];
        // "민지예요", "민지입니다": the name is what comes before the copula.
        let name = ["입니다", "이에요", "예요", "이야", "야", "이고", "고"]
            .iter()
            .find_map(|suffix| raw.strip_suffix(suffix).filter(|n| !n.is_empty()))
            .unwrap_or(raw);
        return Some(name.to_owned());
    }
    EN_NAME.captures(text).map(|c| c[1].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(text: &str) -> Vec<Fact> {
        extract(text)
            .into_iter()
            .filter_map(|c| match c {
                Change::Set(f) => Some(f),
                Change::Remove(_) => None,
            })
            .collect()
    }

    #[test]
    fn korean_statements_become_facts() {
        let f = facts("저는 30대 직장인이고 요즘 살을 빼고 싶어요. 일주일에 두 번 달리기를 해요.");
        assert!(f.contains(&Fact::AgeBand(AgeBand::Thirties)));
        assert!(f.contains(&Fact::Goal(Goal::LoseWeight)));
        assert!(f.contains(&Fact::ActivityLevel(ActivityLevel::Moderate)));
        assert!(f.contains(&Fact::Preference(Preference::Running)));
        assert!(f.contains(&Fact::Language(Language::Ko)));
        let f =
            facts("하루에 5시간밖에 못 자고 자주 깨요. 비건이고 당뇨가 있어요. 제 이름은 민지예요");
        assert!(f.contains(&Fact::SleepHours(5.0)));
        assert!(f.contains(&Fact::SleepQuality(SleepQuality::Poor)));
        assert!(f.contains(&Fact::Diet(Diet::Vegan)));
        assert!(f.contains(&Fact::Condition(Condition::Diabetes)));
        assert!(f.contains(&Fact::Name("민지".into())));
    }

    #[test]
    fn english_statements_become_facts() {
        let f =
            facts("I'm 42 and I want to sleep better. I sleep about 6 hours and I have asthma.");
        assert!(f.contains(&Fact::AgeBand(AgeBand::Forties)));
        assert!(f.contains(&Fact::Goal(Goal::SleepBetter)));
        assert!(f.contains(&Fact::SleepHours(6.0)));
        assert!(f.contains(&Fact::Condition(Condition::Asthma)));
        assert!(f.contains(&Fact::Language(Language::En)));
        let f =
            facts("My name is Alex, I have a desk job and I'd like to lose weight. Vegetarian.");
        assert!(f.contains(&Fact::Name("Alex".into())));
        assert!(f.contains(&Fact::ActivityLevel(ActivityLevel::Sedentary)));
        assert!(f.contains(&Fact::Diet(Diet::Vegetarian)));
        assert!(
            !facts("I ran 10 km today")
                .iter()
                .any(|f| matches!(f, Fact::AgeBand(_)))
        );
    }

    #[test]
    fn no_longer_turns_facts_into_removals() {
        let changes = extract("I'm not vegan anymore");
        assert!(changes.contains(&Change::Remove(Fact::Diet(Diet::Vegan))));
    }

    #[test]
    fn plain_chatter_states_nothing_but_its_language() {
        assert_eq!(facts("안녕하세요!"), vec![Fact::Language(Language::Ko)]);
    }
}
