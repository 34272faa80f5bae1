//! The words maru says without a model: the safety answer, the router's local answers, and the
//! offline coach (the provider used when no LLM is configured, or when every configured one
//! fails). All deterministic: the same message and profile give the same reply. Offline coach
//! replies start with a label saying they are rule-based, so nobody mistakes them for a model.

use crate::intents::Intent;
use crate::profile::{Condition, Goal, Language, Profile, SleepQuality};

pub const OFFLINE_LABEL_KO: &str = "[오프라인 코치 · 규칙 기반 답변이며 AI 모델이 아닙니다]";
pub const OFFLINE_LABEL_EN: &str = "[Offline coach · a rule-based reply, not an AI model]";

/// The answer to every emergency, whatever provider is configured.
pub fn safety(language: Language) -> String {
    match language {
        Language::Ko => "지금 위험한 상황일 수 있어요. 바로 도움을 받으세요.\n\
            - 가슴 통증, 호흡 곤란, 마비, 심한 출혈 등 응급 상황: 119 (구급)\n\
            - 죽고 싶거나 스스로를 해치고 싶은 마음이 들 때: 109 (자살예방 상담, 24시간)\n\
            혼자 있지 말고 가까운 사람에게 지금 알려 주세요. 저는 의료인이 아니어서 이 상황을 \
            도울 수 없지만, 위의 번호에서는 지금 바로 도와줄 수 있어요."
            .to_owned(),
        Language::En => "This may be an emergency. Please get help now.\n\
            - Chest pain, trouble breathing, paralysis, heavy bleeding: call 119 (emergency services in Korea)\n\
            - Thoughts of suicide or self-harm: call 109 (suicide prevention line, 24 hours)\n\
            Outside Korea, call your local emergency number. Please tell someone near you right \
            now. I am not a medical service and cannot help with this, but they can, right away."
            .to_owned(),
    }
}

/// A reply for a confidently classified intent that needs no model.
pub fn local(intent: Intent, profile: &Profile, language: Language) -> String {
    let name = profile.name.as_deref();
    let ko = language == Language::Ko;
    match intent {
        Intent::Greeting => match (ko, name) {
            (true, Some(n)) => format!("{n}님, 안녕하세요! 오늘 컨디션은 어떠세요?"),
            (true, None) => "안녕하세요! 오늘 컨디션은 어떠세요? 목표나 생활 습관을 알려 주시면 맞춰서 도와드릴게요.".to_owned(),
            (false, Some(n)) => format!("Hi {n}! How are you feeling today?"),
            (false, None) => "Hi! How are you feeling today? Tell me about your goals or routine and I'll tailor my help.".to_owned(),
        },
        Intent::Thanks => if ko { "천만에요! 언제든 다시 이야기해 주세요." } else { "You're welcome! Talk to me any time." }.to_owned(),
        Intent::LogVital => if ko {
            "좋아요, 기록해 두는 습관이 큰 도움이 돼요. 건강 앱(wellness)에 기록하면 추세와 목표 진행 상황을 함께 볼 수 있어요."
        } else {
            "Nice, keeping records really helps. Log it in the wellness app to see your trends and goal progress alongside it."
        }.to_owned(),
        Intent::AskProgress => if ko {
            "진행 상황은 건강 앱(wellness)의 목표와 인사이트 화면에서 주간·월간 추세와 연속 기록으로 볼 수 있어요."
        } else {
            "Your progress is in the wellness app's goals and insights: weekly and monthly trends, and your streaks."
        }.to_owned(),
        Intent::SetGoal => goal_reply(profile, ko),
        Intent::SmallTalk => if ko {
            "저는 건강 습관을 함께 챙기는 코치예요. 잠, 운동, 식단, 스트레스 중에 요즘 어떤 게 제일 신경 쓰이세요?"
        } else {
            "I'm a coach for everyday health habits. Of sleep, exercise, food and stress, which is on your mind lately?"
        }.to_owned(),
        Intent::OutOfScope => if ko {
            "그 주제는 제가 도와드리기 어려워요. 저는 잠, 운동, 식단, 스트레스 같은 건강 습관을 돕는 코치예요."
        } else {
            "That's outside what I can help with. I'm a coach for health habits: sleep, exercise, food and stress."
        }.to_owned(),
        Intent::HealthQuestion | Intent::Emergency => advice("", profile, language),
    }
}

fn goal_reply(profile: &Profile, ko: bool) -> String {
    match (profile.goals.iter().next(), ko) {
        (Some(goal), true) => format!(
            "좋아요! 지금 목표({})에 맞춰 작게 시작해 봐요. 건강 앱(wellness)에서 목표를 만들면 매일 진행 상황과 연속 기록을 볼 수 있어요.",
            goal_name(*goal, true)
        ),
        (Some(goal), false) => format!(
            "Great! Let's start small on your goal ({}). Create it in the wellness app to see daily progress and streaks.",
            goal_name(*goal, false)
        ),
        (None, true) => "좋아요! 구체적이고 작게 시작하는 게 좋아요. 예: '하루 7,000보', '밤 11시 전에 눕기'. 어떤 목표로 할까요?".to_owned(),
        (None, false) => "Great! Specific and small works best, e.g. '7,000 steps a day' or 'in bed by 11 pm'. What would you like to aim for?".to_owned(),
    }
}

fn goal_name(goal: Goal, ko: bool) -> &'static str {
    match (goal, ko) {
        (Goal::LoseWeight, true) => "체중 감량",
        (Goal::LoseWeight, false) => "losing weight",
        (Goal::GainMuscle, true) => "근육 키우기",
        (Goal::GainMuscle, false) => "building muscle",
        (Goal::SleepBetter, true) => "숙면",
        (Goal::SleepBetter, false) => "sleeping better",
        (Goal::ReduceStress, true) => "스트레스 줄이기",
        (Goal::ReduceStress, false) => "less stress",
        (Goal::MoveMore, true) => "활동량 늘리기",
        (Goal::MoveMore, false) => "moving more",
        (Goal::EatBetter, true) => "건강한 식습관",
        (Goal::EatBetter, false) => "eating better",
        (Goal::QuitSmoking, true) => "금연",
        (Goal::QuitSmoking, false) => "quitting smoking",
        (Goal::DrinkLess, true) => "절주",
        (Goal::DrinkLess, false) => "drinking less",
        (Goal::RunRace, true) => "대회 완주",
        (Goal::RunRace, false) => "finishing a race",
    }
}

/// Topics the offline coach knows, found by phrases in the question.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Topic {
    Sleep,
    Weight,
    Exercise,
    Stress,
    Food,
    BloodPressure,
}

const TOPICS: &[(Topic, &[&str])] = &[
    (
        Topic::Sleep,
        &[
            "잠",
            "수면",
            "불면",
            "자는",
            "카페인",
            "sleep",
            "insomnia",
            "caffeine",
            "coffee",
            "asleep",
        ],
    ),
    (Topic::BloodPressure, &["혈압", "blood pressure"]),
    (
        Topic::Weight,
        &["살", "체중", "다이어트", "감량", "weight", "diet", "fat"],
    ),
    (
        Topic::Exercise,
        &[
            "운동",
            "근육",
            "허리",
            "무릎",
            "유산소",
            "달리",
            "exercise",
            "workout",
            "muscle",
            "back",
            "knee",
            "cardio",
            "run",
            "train",
        ],
    ),
    (
        Topic::Stress,
        &["스트레스", "불안", "긴장", "stress", "anxious", "relax"],
    ),
    (
        Topic::Food,
        &[
            "단백질",
            "식단",
            "먹",
            "단식",
            "비건",
            "protein",
            "eat",
            "food",
            "fasting",
            "meal",
            "vegan",
        ],
    ),
];

/// The offline coach's answer to a health question: general habits for the topic it
/// recognises, adjusted to the profile, with the label in front.
pub fn advice(question: &str, profile: &Profile, language: Language) -> String {
    let lower = question.to_lowercase();
    // The topic most of the question's words point to; the first listed on a tie.
    let topic = TOPICS
        .iter()
        .map(|(t, words)| (*t, words.iter().filter(|w| lower.contains(*w)).count()))
        .filter(|(_, hits)| *hits > 0)
        .fold(None, |best: Option<(Topic, usize)>, (t, hits)| match best {
            Some((_, most)) if most >= hits => best,
            _ => Some((t, hits)),
        })
        .map(|(t, _)| t)
        .or_else(|| profile_topic(profile));
    let ko = language == Language::Ko;
    let body = match (topic, ko) {
        (Some(Topic::Sleep), true) => {
            "잠은 규칙이 가장 중요해요. 매일 같은 시간에 일어나고, 오후 2시 이후 카페인은 피하고, 잠들기 1시간 전에는 화면을 멀리해 보세요. 20분 넘게 잠이 안 오면 잠시 일어났다가 졸릴 때 다시 누우세요."
        }
        (Some(Topic::Sleep), false) => {
            "Regularity matters most for sleep. Wake at the same time every day, skip caffeine after 2 pm, and put screens away an hour before bed. If you're awake for more than 20 minutes, get up briefly and return when sleepy."
        }
        (Some(Topic::Weight), true) => {
            "체중은 식사량에서 가장 크게 달라져요. 하루 300–500kcal 정도만 줄이고, 끼니마다 단백질과 채소를 먼저 드세요. 주 0.5kg 정도의 속도가 오래 유지돼요."
        }
        (Some(Topic::Weight), false) => {
            "Weight responds most to how much you eat. Aim for a 300–500 kcal daily deficit, start each meal with protein and vegetables, and expect about 0.5 kg a week: that pace lasts."
        }
        (Some(Topic::Exercise), true) => {
            "일주일에 150분 정도의 중간 강도 운동과 주 2회 근력 운동이 기본이에요. 통증이 있다면 강도를 낮추고, 아프지 않은 범위에서 천천히 늘려 가세요."
        }
        (Some(Topic::Exercise), false) => {
            "The baseline is about 150 minutes of moderate activity a week plus strength work twice a week. If something hurts, lower the intensity and build up slowly within a pain-free range."
        }
        (Some(Topic::Stress), true) => {
            "스트레스가 클 때는 짧게라도 몸을 움직이고, 4초 들이쉬고 6초 내쉬는 호흡을 몇 분 해 보세요. 잠과 식사 시간을 일정하게 지키는 것도 도움이 돼요."
        }
        (Some(Topic::Stress), false) => {
            "When stress runs high, move a little, even briefly, and try a few minutes of breathing in for 4 seconds and out for 6. Keeping sleep and meal times regular helps too."
        }
        (Some(Topic::Food), true) => {
            "끼니마다 손바닥 크기의 단백질(체중 1kg당 하루 1.0–1.6g), 접시 절반의 채소, 가공식품은 줄이기가 기본이에요. 물은 하루 1.5–2리터를 목표로 해 보세요."
        }
        (Some(Topic::Food), false) => {
            "A palm of protein at each meal (1.0–1.6 g per kg of body weight a day), half a plate of vegetables, and fewer processed foods are the basics. Aim for 1.5–2 litres of water a day."
        }
        (Some(Topic::BloodPressure), true) => {
            "혈압에는 싱겁게 먹기(나트륨 하루 2g 이하), 규칙적인 유산소 운동, 절주, 체중 관리가 도움이 돼요. 집에서 같은 시간에 재서 기록해 보세요."
        }
        (Some(Topic::BloodPressure), false) => {
            "For blood pressure: less salt (under 2 g sodium a day), regular aerobic exercise, less alcohol and weight management all help. Measure at home at the same time each day and keep a log."
        }
        (None, true) => {
            "좋은 질문이에요. 저는 잠, 운동, 식단, 스트레스, 혈압 같은 생활 습관에 대해 일반적인 도움을 드릴 수 있어요. 조금 더 구체적으로 알려 주시겠어요?"
        }
        (None, false) => {
            "Good question. I can give general help on sleep, exercise, food, stress and blood pressure habits. Could you tell me a bit more?"
        }
    };
    let mut reply = format!(
        "{} {body}",
        if ko {
            OFFLINE_LABEL_KO
        } else {
            OFFLINE_LABEL_EN
        }
    );
    if let Some(note) = profile_note(profile, ko) {
        reply.push(' ');
        reply.push_str(note);
    }
    if !profile.conditions.is_empty() {
        reply.push(' ');
        reply.push_str(if ko {
            "알려 주신 건강 상태가 있으니 새로운 운동이나 식단은 담당 의료진과 먼저 상의하세요."
        } else {
            "Given the condition you mentioned, check new exercise or diet plans with your clinician first."
        });
    }
    reply
}

fn profile_topic(profile: &Profile) -> Option<Topic> {
    if profile.sleep_quality == Some(SleepQuality::Poor)
        || profile.goals.contains(&Goal::SleepBetter)
    {
        return Some(Topic::Sleep);
    }
    profile.goals.iter().next().map(|g| match g {
        Goal::LoseWeight => Topic::Weight,
        Goal::ReduceStress => Topic::Stress,
        Goal::EatBetter => Topic::Food,
        _ => Topic::Exercise,
    })
}

fn profile_note(profile: &Profile, ko: bool) -> Option<&'static str> {
    if profile.conditions.contains(&Condition::BackPain)
        || profile.conditions.contains(&Condition::KneePain)
    {
        return Some(if ko {
            "관절 통증이 있다면 수영, 자전거처럼 충격이 적은 운동부터 시작해 보세요."
        } else {
            "With joint pain, start with low-impact options such as swimming or cycling."
        });
    }
    match profile.sleep_hours {
        Some(h) if h < 6.0 => Some(if ko {
            "지금 수면 시간이 6시간보다 짧아서, 30분 일찍 눕는 것부터 시작해 보면 좋겠어요."
        } else {
            "You sleep under 6 hours now; going to bed 30 minutes earlier is a good first step."
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safety_answers_name_the_korean_emergency_numbers() {
        for language in [Language::Ko, Language::En] {
            let text = safety(language);
            assert!(text.contains("119") && text.contains("109"));
        }
    }

    #[test]
    fn offline_advice_is_labelled_and_fits_the_profile() {
        let mut profile = Profile {
            sleep_hours: Some(5.0),
            ..Profile::default()
        };
        profile.conditions.insert(Condition::Diabetes);
        let reply = advice("잠이 안 올 때 어떻게 해요?", &profile, Language::Ko);
        assert!(reply.starts_with(OFFLINE_LABEL_KO));
        assert!(reply.contains("카페인") && reply.contains("6시간") && reply.contains("의료진"));
        let reply = advice("how much protein?", &Profile::default(), Language::En);
        assert!(reply.starts_with(OFFLINE_LABEL_EN) && reply.contains("protein"));
        assert_eq!(
            reply,
            advice("how much protein?", &Profile::default(), Language::En)
        );
    }
}
