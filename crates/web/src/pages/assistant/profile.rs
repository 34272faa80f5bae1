//! The live profile as the panel shows it: each fact the conversation has established, in the
//! reader's words.

use serde::Deserialize;

use crate::i18n::Lang;

/// The profile as the API answers it (codes, not words).
#[derive(Debug, Default, Deserialize)]
pub struct Facts {
    age_band: Option<String>,
    activity_level: Option<String>,
    sleep_hours: Option<f64>,
    sleep_quality: Option<String>,
    diet: Option<String>,
    language: Option<String>,
    name: Option<String>,
    #[serde(default)]
    goals: Vec<String>,
    #[serde(default)]
    conditions: Vec<String>,
    #[serde(default)]
    preferences: Vec<String>,
}

/// One line of the panel: what it is and what is known.
pub struct Row {
    pub label: &'static str,
    pub values: Vec<String>,
}

/// Every code the profile uses, with its Korean and English words.
const WORDS: [(&str, &str, &str); 54] = [
    ("20s", "20대", "20s"),
    ("30s", "30대", "30s"),
    ("40s", "40대", "40s"),
    ("50s", "50대", "50s"),
    ("60s", "60대", "60s"),
    ("70_plus", "70대 이상", "70 or older"),
    ("lose_weight", "체중 감량", "Lose weight"),
    ("gain_muscle", "근육 늘리기", "Gain muscle"),
    ("sleep_better", "숙면", "Sleep better"),
    ("reduce_stress", "스트레스 줄이기", "Reduce stress"),
    ("move_more", "더 많이 움직이기", "Move more"),
    ("eat_better", "건강한 식사", "Eat better"),
    ("quit_smoking", "금연", "Quit smoking"),
    ("drink_less", "절주", "Drink less"),
    ("run_race", "대회 완주", "Run a race"),
    ("sedentary", "거의 앉아서 지냄", "Sedentary"),
    ("light", "가벼운 활동", "Light"),
    ("moderate", "보통 활동", "Moderate"),
    ("active", "활동적", "Active"),
    ("poor", "나쁨", "Poor"),
    ("fair", "보통", "Fair"),
    ("good", "좋음", "Good"),
    ("omnivore", "일반식", "Omnivore"),
    ("vegetarian", "채식", "Vegetarian"),
    ("vegan", "비건", "Vegan"),
    ("pescatarian", "페스코 채식", "Pescatarian"),
    ("low_carb", "저탄수화물", "Low carb"),
    ("halal", "할랄", "Halal"),
    ("diabetes", "당뇨", "Diabetes"),
    ("hypertension", "고혈압", "Hypertension"),
    ("high_cholesterol", "고지혈증", "High cholesterol"),
    ("asthma", "천식", "Asthma"),
    ("back_pain", "허리 통증", "Back pain"),
    ("knee_pain", "무릎 통증", "Knee pain"),
    ("insomnia", "불면증", "Insomnia"),
    ("depression", "우울", "Depression"),
    ("anxiety", "불안", "Anxiety"),
    ("pregnancy", "임신", "Pregnancy"),
    ("heart_disease", "심장 질환", "Heart disease"),
    ("morning_workouts", "아침 운동", "Morning workouts"),
    ("evening_workouts", "저녁 운동", "Evening workouts"),
    ("home_workouts", "홈트레이닝", "Home workouts"),
    ("outdoors", "야외 활동", "Outdoors"),
    ("walking", "걷기", "Walking"),
    ("running", "달리기", "Running"),
    ("cycling", "자전거", "Cycling"),
    ("swimming", "수영", "Swimming"),
    ("yoga", "요가", "Yoga"),
    ("strength_training", "근력 운동", "Strength training"),
    ("short_answers", "짧은 답변", "Short answers"),
    ("detailed_answers", "자세한 답변", "Detailed answers"),
    ("ko", "한국어", "Korean"),
    ("en", "영어", "English"),
    ("under20", "10대", "under 20"),
];

fn word(lang: Lang, code: &str) -> String {
    WORDS.iter().find(|(c, ..)| *c == code).map_or_else(
        || code.replace('_', " "),
        |&(_, ko, en)| match lang {
            Lang::Ko => ko.to_owned(),
            Lang::En => en.to_owned(),
        },
    )
}

impl Facts {
    /// The panel's lines, only for what is known, in a fixed order.
    pub fn rows(&self, lang: Lang) -> Vec<Row> {
        let t = lang.assistant();
        let one = |code: &Option<String>| code.iter().map(|c| word(lang, c)).collect::<Vec<_>>();
        let many = |codes: &[String]| codes.iter().map(|c| word(lang, c)).collect::<Vec<_>>();
        let sleep = self
            .sleep_hours
            .map(|h| format!("{h}{}", t.hours_unit))
            .into_iter()
            .chain(one(&self.sleep_quality))
            .collect();
        [
            (t.name, self.name.iter().cloned().collect()),
            (t.age, one(&self.age_band)),
            (t.goals, many(&self.goals)),
            (t.activity, one(&self.activity_level)),
            (t.sleep, sleep),
            (t.diet, one(&self.diet)),
            (t.conditions, many(&self.conditions)),
            (t.preferences, many(&self.preferences)),
            (t.language, one(&self.language)),
        ]
        .into_iter()
        .filter(|(_, values): &(&str, Vec<String>)| !values.is_empty())
        .map(|(label, values)| Row { label, values })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_facts_are_shown_in_the_readers_words() {
        let facts: Facts = serde_json::from_value(serde_json::json!({
            "age_band": "30s", "sleep_hours": 6.5, "sleep_quality": "poor",
            "goals": ["sleep_better", "lose_weight"], "conditions": [], "preferences": [],
        }))
        .unwrap();
        let rows = facts.rows(Lang::Ko);
        let shown: Vec<(&str, Vec<String>)> =
            rows.into_iter().map(|r| (r.label, r.values)).collect();
        assert_eq!(
            shown,
            vec![
                ("나이", vec!["30대".to_owned()]),
                ("목표", vec!["숙면".to_owned(), "체중 감량".to_owned()]),
                ("수면", vec!["6.5시간".to_owned(), "나쁨".to_owned()]),
            ]
        );
        assert!(Facts::default().rows(Lang::En).is_empty());
    }
}
