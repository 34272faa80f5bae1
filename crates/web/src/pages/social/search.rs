//! `GET /social/search`: posts, people and hashtags, through the platform's search (Korean
//! works: `제주 맛집` finds `제주도 맛집 추천`).

use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};

use super::{Post, PostView, views};
use crate::Web;
use crate::i18n::SocialTexts;
use crate::pages::people::{Person, Profile};
use crate::pages::{PageResult, Shell, render};
use crate::session::Visit;

/// Results a page shows.
const LIMIT: u32 = 20;

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct Terms {
    #[serde(default)]
    q: String,
    /// `content` (default), `users` or `hashtags`.
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    cursor: String,
}

#[derive(Deserialize)]
struct SearchPage {
    items: Vec<Hit>,
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct Hit {
    snippet: String,
    document: serde_json::Value,
}

#[derive(Deserialize)]
struct TagDocument {
    tag: String,
    posts: i64,
}

/// A hashtag found, with how many posts carry it.
pub struct TagHit {
    pub tag: String,
    pub posts: i64,
}

/// A person found, with the passage that matched.
pub struct PersonHit {
    pub person: Person,
    pub snippet: Vec<(bool, String)>,
}

#[derive(Template)]
#[template(path = "social/search.html")]
struct Results {
    shell: Shell,
    s: &'static SocialTexts,
    q: String,
    kind: &'static str,
    posts: Vec<PostView>,
    people: Vec<PersonHit>,
    tags: Vec<TagHit>,
    searched: bool,
    more: Option<String>,
}

pub async fn page(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Query(terms): Query<Terms>,
) -> PageResult {
    let kind = match terms.kind.as_str() {
        "users" => "users",
        "hashtags" => "hashtags",
        _ => "content",
    };
    let q = terms.q.trim().to_owned();
    let shell = Shell::load(&web, &visit, "social").await?;
    let mut results = Results {
        shell,
        s: visit.lang.social(),
        q,
        kind,
        posts: Vec::new(),
        people: Vec::new(),
        tags: Vec::new(),
        searched: false,
        more: None,
    };
    if results.q.is_empty() {
        return Ok(render(&results));
    }
    let mut query = vec![
        ("q", results.q.clone()),
        ("type", kind.to_owned()),
        ("limit", LIMIT.to_string()),
    ];
    if !terms.cursor.is_empty() {
        query.push(("cursor", terms.cursor.clone()));
    }
    let path = format!(
        "/api/v1/search?{}",
        serde_urlencoded::to_string(&query).unwrap_or_default()
    );
    let found = web.api.get::<SearchPage>(&visit, &path).await?;
    results.searched = true;
    results.more = found.next_cursor.map(|cursor| {
        let next = Terms {
            q: results.q.clone(),
            kind: kind.to_owned(),
            cursor,
        };
        format!(
            "/social/search?{}",
            serde_urlencoded::to_string(&next).unwrap_or_default()
        )
    });
    match kind {
        "users" => {
            results.people = found
                .items
                .into_iter()
                .filter_map(|hit| {
                    let profile = serde_json::from_value::<Profile>(hit.document).ok()?;
                    Some(PersonHit {
                        person: Person::from(profile),
                        snippet: highlights(&hit.snippet),
                    })
                })
                .collect();
        }
        "hashtags" => {
            results.tags = found
                .items
                .into_iter()
                .filter_map(|hit| serde_json::from_value::<TagDocument>(hit.document).ok())
                .map(|d| TagHit {
                    tag: d.tag,
                    posts: d.posts,
                })
                .collect();
        }
        _ => {
            let posts: Vec<Post> = found
                .items
                .into_iter()
                .filter_map(|hit| serde_json::from_value(hit.document).ok())
                .collect();
            let me = results.shell.me.as_ref().map(|me| me.id.clone());
            results.posts = views(&visit, me.as_deref(), posts);
        }
    }
    Ok(render(&results))
}

/// A search snippet (matches in `<b>`, everything else HTML-escaped) as runs of plain text,
/// each marked whether it matched, for the template to escape again.
fn highlights(snippet: &str) -> Vec<(bool, String)> {
    let mut runs = Vec::new();
    let mut bold = false;
    let mut rest = snippet;
    while !rest.is_empty() {
        let mark = if bold { "</b>" } else { "<b>" };
        let (run, after) = rest.split_once(mark).unwrap_or((rest, ""));
        if !run.is_empty() {
            runs.push((bold, unescape(run)));
        }
        rest = after;
        bold = !bold;
    }
    runs
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_become_marked_runs_of_plain_text() {
        assert_eq!(
            highlights("<b>제주</b>도 &lt;맛집&gt; <b>추천</b>"),
            vec![
                (true, "제주".to_owned()),
                (false, "도 <맛집> ".to_owned()),
                (true, "추천".to_owned()),
            ]
        );
        assert!(highlights("").is_empty());
    }
}
