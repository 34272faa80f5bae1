//! What a post's text says beyond its words: `#해시태그` and `@username`, found by a pure scan.

/// Hashtags of `text` in order of first use, lowercased, without `#`, at most `limit`.
///
/// A tag is `#` followed by letters (any script, so `#제주맛집` works), digits or `_`, and must
/// hold at least one letter (`#1` is a number, not a tag). A `#` inside a word (`C#`, `a#b`) is
/// not a tag.
pub fn hashtags(text: &str, limit: usize) -> Vec<String> {
    words_after(text, '#', |c| c.is_alphanumeric() || c == '_')
        .filter(|tag| tag.chars().any(char::is_alphabetic))
        .map(str::to_lowercase)
        .fold(Vec::new(), |mut tags, tag| {
            if tags.len() < limit && !tags.contains(&tag) {
                tags.push(tag);
            }
            tags
        })
}

/// Usernames mentioned as `@name` (ASCII letters, digits, `_`), lowercased, in order of first
/// use, at most `limit`. An e-mail address (`a@b.com`) is not a mention.
pub fn mentions(text: &str, limit: usize) -> Vec<String> {
    words_after(text, '@', |c| c.is_ascii_alphanumeric() || c == '_')
        .map(str::to_ascii_lowercase)
        .fold(Vec::new(), |mut names, name| {
            if names.len() < limit && !names.contains(&name) {
                names.push(name);
            }
            names
        })
}

/// The runs of `allowed` characters right after each `sigil` that starts a word.
fn words_after(
    text: &str,
    sigil: char,
    allowed: impl Fn(char) -> bool + Copy,
) -> impl Iterator<Item = &str> {
    text.char_indices().filter_map(move |(i, c)| {
        if c != sigil {
            return None;
        }
        let starts_word = text[..i].chars().next_back().is_none_or(|p| !allowed(p));
        let rest = &text[i + c.len_utf8()..];
        let end = rest.find(|ch: char| !allowed(ch)).unwrap_or(rest.len());
        (starts_word && end > 0).then(|| &rest[..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_hashtags_are_found_once_each() {
        let text = "#제주맛집 추천! 오늘은 #JejuFood, 또 #제주맛집 #2024 C#은 아님 #여행_기록.";
        assert_eq!(hashtags(text, 10), ["제주맛집", "jejufood", "여행_기록"]);
        assert_eq!(hashtags(text, 1), ["제주맛집"]);
        assert!(hashtags("# 빈 태그", 10).is_empty());
    }

    #[test]
    fn mentions_skip_email_addresses() {
        let text = "@Minji 와 @jiho_99 에게, 메일은 me@example.com, 다시 @minji";
        assert_eq!(mentions(text, 10), ["minji", "jiho_99"]);
    }
}
