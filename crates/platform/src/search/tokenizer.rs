//! Korean-aware tokenizer without a dictionary.
//!
//! Words are runs of letters and digits. Inside a word, runs of Hangul/CJK characters become
//! overlapping character bigrams (`제주맛집` → `제주 주맛 맛집`; a lone character stays a
//! unigram), other runs become one lower-cased token. Bigrams never span a space, so
//! `제주 맛집` indexes `제주` and `맛집` but not `주맛`.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3130..=0x318F // Hangul syllables and jamo
        | 0x4E00..=0x9FFF | 0x3400..=0x4DBF // CJK ideographs
        | 0x3040..=0x30FF) // kana
}

/// A token with its run: tokens from the same run of one script share `run`, which the query
/// builder uses to ask for "most bigrams of this word".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunToken {
    pub text: String,
    pub run: usize,
    pub from: usize,
    pub to: usize,
}

/// Splits `text` into tokens.
pub fn tokens(text: &str) -> Vec<RunToken> {
    let mut out = Vec::new();
    let mut run = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if !c.is_alphanumeric() {
            i += 1;
            continue;
        }
        let cjk = is_cjk(c);
        let mut j = i;
        while j < chars.len() && chars[j].1.is_alphanumeric() && is_cjk(chars[j].1) == cjk {
            j += 1;
        }
        let end = chars.get(j).map_or(text.len(), |(p, _)| *p);
        if cjk {
            if j - i == 1 {
                out.push(RunToken {
                    text: c.to_string(),
                    run,
                    from: start,
                    to: end,
                });
            }
            for pair in chars[i..j].windows(2) {
                let ((from, first), (second_at, second)) = (pair[0], pair[1]);
                let to = second_at + second.len_utf8();
                out.push(RunToken {
                    text: [first, second].iter().collect(),
                    run,
                    from,
                    to,
                });
            }
        } else {
            out.push(RunToken {
                text: text[start..end].to_lowercase(),
                run,
                from: start,
                to: end,
            });
        }
        run += 1;
        i = j;
    }
    out
}

/// The tokenizer registered with tantivy as `ko_bigram`.
#[derive(Debug, Clone, Default)]
pub struct KoreanBigram;

pub struct Stream {
    tokens: std::vec::IntoIter<RunToken>,
    current: Token,
    position: usize,
}

impl Tokenizer for KoreanBigram {
    type TokenStream<'a> = Stream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Stream {
        Stream {
            tokens: tokens(text).into_iter(),
            current: Token::default(),
            position: 0,
        }
    }
}

impl TokenStream for Stream {
    fn advance(&mut self) -> bool {
        let Some(next) = self.tokens.next() else {
            return false;
        };
        self.current = Token {
            offset_from: next.from,
            offset_to: next.to,
            position: self.position,
            text: next.text,
            position_length: 1,
        };
        self.position += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        tokens(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn hangul_becomes_bigrams_within_words_only() {
        assert_eq!(texts("제주 맛집"), ["제주", "맛집"]);
        assert_eq!(texts("#제주맛집"), ["제주", "주맛", "맛집"]);
        assert_eq!(texts("제주도 흑돼지"), ["제주", "주도", "흑돼", "돼지"]);
        assert_eq!(texts("꿀"), ["꿀"]);
    }

    #[test]
    fn latin_words_are_lowercased_and_scripts_split() {
        assert_eq!(
            texts("Jeju BBQ, iPhone15프로!"),
            ["jeju", "bbq", "iphone15", "프로"]
        );
    }

    #[test]
    fn offsets_point_into_the_text() {
        let text = "오늘 제주맛집";
        for t in tokens(text) {
            assert_eq!(&text[t.from..t.to], t.text);
        }
    }
}
