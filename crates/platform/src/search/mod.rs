//! Full-text search shared by every app, on tantivy, with a tokenizer that handles Korean
//! (character bigrams for Hangul and CJK, whole lower-cased words for Latin scripts).
//!
//! Apps register document types ([`SearchType`]): they index their documents as they change and
//! decide, at query time, which hits a viewer may see and how each looks. The platform owns
//! `GET /api/v1/search`. The index lives in `<data_dir>/search`; `maru reindex` rebuilds it.

mod http;
mod index;
mod tokenizer;

pub use http::router;
pub(crate) use index::run_committer;
pub use index::{Document, Hit, Search, SearchRequest, SearchType};
pub use tokenizer::{KoreanBigram, tokens};
