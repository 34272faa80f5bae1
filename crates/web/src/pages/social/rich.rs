//! A post's text as pieces the page links: `#해시태그` to its timeline, `@username` to the
//! profile, web addresses to themselves. The template escapes every piece, so nothing a
//! writer types can become markup.
//!
//! The rules match how the social API finds hashtags and mentions: a sigil that starts a word,
//! then letters of any script, digits or `_` for tags (with at least one letter), ASCII letters,
//! digits or `_` for names.

/// One run of a post's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// A hashtag, without `#`.
    Tag(String),
    /// A mentioned username, without `@`.
    Mention(String),
    /// An `http://` or `https://` address.
    Link(String),
}

fn tag_char(c: char) -> bool {
    letter(c) || c.is_ascii_digit() || c == '_' || (!c.is_ascii() && c.is_numeric())
}

/// A letter of any script. Hangul syllables, the letters of most tags here, are answered
/// before the general Unicode table, whose lookup is slow enough to show in a page's profile.
fn letter(c: char) -> bool {
    c.is_ascii_alphabetic() || ('가'..='힣').contains(&c) || (!c.is_ascii() && c.is_alphabetic())
}

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Where an address ends: at white space or a closing mark around it.
fn link_char(c: char) -> bool {
    !c.is_whitespace() && !"<>\"'()[]{}".contains(c)
}

/// The pieces of `text`, in order; their texts joined give `text` back.
pub fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    let mut previous: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        let found = match c {
            '#' if previous.is_none_or(|p| !tag_char(p)) => run(after, tag_char)
                .filter(|tag| tag.chars().any(letter))
                .map(|tag| (Piece::Tag(tag.to_owned()), 1 + tag.len())),
            '@' if previous.is_none_or(|p| !name_char(p)) => {
                run(after, name_char).map(|name| (Piece::Mention(name.to_owned()), 1 + name.len()))
            }
            'h' if previous.is_none_or(|p| !p.is_alphanumeric())
                && (rest.starts_with("https://") || rest.starts_with("http://")) =>
            {
                let link = run(rest, link_char).unwrap_or(rest);
                // A sentence's last mark is not part of the address.
                let link = link.trim_end_matches(['.', ',', '!', '?', ':', ';']);
                (!link.ends_with("//")).then(|| (Piece::Link(link.to_owned()), link.len()))
            }
            _ => None,
        };
        if let Some((piece, len)) = found {
            if !plain.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut plain)));
            }
            previous = rest[..len].chars().next_back();
            out.push(piece);
            rest = &rest[len..];
        } else {
            plain.push(c);
            previous = Some(c);
            rest = after;
        }
    }
    if !plain.is_empty() {
        out.push(Piece::Text(plain));
    }
    out
}

/// The leading run of `allowed` characters of `text`, if there is one.
fn run(text: &str, allowed: fn(char) -> bool) -> Option<&str> {
    let end = text.find(|c: char| !allowed(c)).unwrap_or(text.len());
    (end > 0).then(|| &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Piece {
        Piece::Text(s.to_owned())
    }

    #[test]
    fn tags_mentions_and_links_are_found() {
        assert_eq!(
            pieces("@minji 님 #제주맛집 추천! https://maru.example/a?b=1."),
            vec![
                Piece::Mention("minji".to_owned()),
                text(" 님 "),
                Piece::Tag("제주맛집".to_owned()),
                text(" 추천! "),
                Piece::Link("https://maru.example/a?b=1".to_owned()),
                text("."),
            ]
        );
    }

    #[test]
    fn sigils_inside_words_and_numbers_stay_text() {
        assert_eq!(
            pieces("C#은 me@example.com #2024"),
            vec![text("C#은 me@example.com #2024")]
        );
    }

    #[test]
    fn the_pieces_give_the_text_back() {
        let original = "<b>#태그</b> @a_b http://x.y/z) 끝 #";
        let joined: String = pieces(original)
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) | Piece::Link(t) => t,
                Piece::Tag(t) => format!("#{t}"),
                Piece::Mention(t) => format!("@{t}"),
            })
            .collect();
        assert_eq!(joined, original);
    }
}
