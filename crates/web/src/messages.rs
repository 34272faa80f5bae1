//! The API's field messages are English (the API speaks English); the pages show the common
//! ones in Korean to Korean readers, and any other as the API wrote it.

use crate::i18n::Lang;

/// `message` as the visitor reads it.
pub fn field_message(lang: Lang, message: &str) -> String {
    match lang {
        Lang::En => message.to_owned(),
        Lang::Ko => korean(message).unwrap_or_else(|| message.to_owned()),
    }
}

fn korean(message: &str) -> Option<String> {
    let fixed = match message {
        "must not be empty" => Some("비워 둘 수 없어요."),
        "must be a number" => Some("숫자를 입력해 주세요."),
        "must be an e-mail address" => Some("올바른 이메일 주소를 입력해 주세요."),
        "may contain only a-z, 0-9 and _" => Some("영문 소문자, 숫자, _만 쓸 수 있어요."),
        "is already taken" => Some("이미 사용 중이에요."),
        "is one of the most common passwords; choose another" => {
            Some("너무 흔한 비밀번호예요. 다른 비밀번호를 골라 주세요.")
        }
        "give both latitude and longitude" => Some("위도와 경도를 모두 입력해 주세요."),
        "must be a whole number of points" => Some("포인트는 정수로 입력해 주세요."),
        _ => None,
    };
    if let Some(text) = fixed {
        return Some(text.to_owned());
    }
    let number_after = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split(' ').next())
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == ','))
    };
    if let Some(n) = number_after("must be at most ").filter(|_| message.contains("characters")) {
        return Some(format!("{n}자까지 쓸 수 있어요."));
    }
    if let Some(n) = number_after("must be at least ").filter(|_| message.contains("characters")) {
        return Some(format!("{n}자 이상 써 주세요."));
    }
    if let Some(range) = message
        .strip_prefix("must be ")
        .and_then(|rest| rest.strip_suffix(" characters"))
        .filter(|r| {
            r.contains('-')
                && r.chars()
                    .all(|c| c.is_ascii_digit() || c == '-' || c == ',')
        })
    {
        return Some(format!("{range}자로 써 주세요."));
    }
    if let Some(rest) = message.strip_prefix("must be between ") {
        let (low, high) = rest.split_once(" and ")?;
        let high = high.split(' ').next()?;
        return Some(format!("{low}에서 {high} 사이로 입력해 주세요."));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_messages_read_in_korean() {
        assert_eq!(
            field_message(Lang::Ko, "must not be empty"),
            "비워 둘 수 없어요."
        );
        assert_eq!(
            field_message(Lang::Ko, "must be at least 10 characters"),
            "10자 이상 써 주세요."
        );
        assert_eq!(
            field_message(Lang::Ko, "must be at most 100 characters (got 140)"),
            "100자까지 쓸 수 있어요."
        );
        assert_eq!(
            field_message(Lang::Ko, "must be 1-30 characters"),
            "1-30자로 써 주세요."
        );
        assert_eq!(
            field_message(Lang::Ko, "must be between 0 and 1000 points"),
            "0에서 1000 사이로 입력해 주세요."
        );
    }

    #[test]
    fn others_and_english_stay_as_written() {
        assert_eq!(
            field_message(Lang::Ko, "unknown region `mars`"),
            "unknown region `mars`"
        );
        assert_eq!(
            field_message(Lang::En, "must not be empty"),
            "must not be empty"
        );
    }
}
