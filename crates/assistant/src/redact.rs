//! Personal data taken out of text before it leaves for an external provider: 주민등록번호
//! (resident registration numbers), phone numbers, e-mail addresses, and the names the caller
//! gives (the profile's name, the account's). Each is replaced by a placeholder naming what was
//! there, so the model still reads a sensible sentence.

use std::sync::LazyLock;

use regex::Regex;

static RRN: LazyLock<Regex> = LazyLock::new(|| pattern(r"\b\d{6}\s?-\s?[1-8]\d{6}\b"));
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(r"(?:\+82[\s-]?|\b0)(?:1[016789]|2|[3-6][1-5]|70)[\s.-]?\d{3,4}[\s.-]?\d{4}\b")
});
static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"));

#[allow(
    clippy::expect_used,
    reason = "the patterns are constants checked by the tests"
)]
fn pattern(p: &str) -> Regex {
    Regex::new(p).expect("valid pattern")
}

/// `text` with personal data replaced, and how many replacements were made.
pub fn redact(text: &str, names: &[&str]) -> (String, usize) {
    let mut count = 0;
    let mut out = text.to_owned();
    for (re, placeholder) in [
        (&*RRN, "[주민등록번호]"),
        (&*EMAIL, "[email]"),
        (&*PHONE, "[phone]"),
    ] {
        let hits = re.find_iter(&out).count();
        if hits > 0 {
            count += hits;
            out = re.replace_all(&out, placeholder).into_owned();
        }
    }
    for name in names
        .iter()
        .map(|n| n.trim())
        .filter(|n| n.chars().count() >= 2)
    {
        let hits = out.matches(name).count();
        if hits > 0 {
            count += hits;
            out = out.replace(name, "[name]");
        }
    }
    (out, count)
}

/// Whether `text` holds personal data of the kinds [`redact`] finds.
pub fn has_personal_data(text: &str, names: &[&str]) -> bool {
    redact(text, names).1 > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_phones_emails_and_names_are_replaced() {
        let (out, n) = redact(
            "저는 김민지이고 900101-2345678, 010-1234-5678, minji@example.com 으로 연락주세요",
            &["김민지"],
        );
        assert_eq!(
            out,
            "저는 [name]이고 [주민등록번호], [phone], [email] 으로 연락주세요"
        );
        assert_eq!(n, 4);
        let (out, _) = redact("call +82 10 9876 5432 or 02-123-4567", &[]);
        assert_eq!(out, "call [phone] or [phone]");
    }

    #[test]
    fn ordinary_health_numbers_are_left_alone() {
        let text = "I walked 10000 steps, slept 7 hours, blood pressure 120/80, weight 72.5 kg";
        assert_eq!(redact(text, &[]), (text.to_owned(), 0));
        assert!(!has_personal_data("오늘 8500보 걸었어요", &["민지"]));
    }
}
