//! Questions and answers in the platform's search (`/api/v1/search?type=questions,answers`),
//! filterable by `region=`.
//!
//! Documents follow the question and answer events; hits are hydrated through the same
//! visibility rules as the lists, so hidden or deleted content never comes back.

use std::collections::HashMap;

use async_trait::async_trait;
use platform::accounts::CurrentUser;
use platform::bus::{Event, Subscriber};
use platform::db::Tx;
use platform::search::{Document, SearchType};
use platform::time::Timestamp;
use platform::{AppContext, Result};
use serde::Deserialize;
use serde_json::json;

use crate::model::{AnswerId, QuestionId, QuestionSummary};
use crate::{service, store};

fn region_facet(region: Option<&String>) -> Vec<(&'static str, String)> {
    region
        .map(|r| vec![("region", r.clone())])
        .unwrap_or_default()
}

fn question_document(q: &QuestionSummary) -> Document {
    Document {
        doc_type: "questions",
        id: q.id.get(),
        title: q.title.clone(),
        body: q.content.clone(),
        tags: q.hashtags.clone(),
        facets: region_facet(q.region_code.as_ref()),
        created_at: q.created_at,
    }
}

fn answer_document(id: AnswerId, text: &str, region: Option<&String>, at: Timestamp) -> Document {
    Document {
        doc_type: "answers",
        id: id.get(),
        title: String::new(),
        body: text.to_owned(),
        tags: Vec::new(),
        facets: region_facet(region),
        created_at: at,
    }
}

pub struct QuestionSearch;

#[async_trait]
impl SearchType for QuestionSearch {
    fn name(&self) -> &'static str {
        "questions"
    }

    /// Anyone sees the same listed questions, and every change to them is indexed.
    fn cacheable(&self) -> bool {
        true
    }

    async fn hydrate(
        &self,
        ctx: &AppContext,
        _viewer: Option<&CurrentUser>,
        ids: &[i64],
    ) -> Result<HashMap<i64, serde_json::Value>> {
        let ids: Vec<QuestionId> = ids.iter().copied().map(QuestionId::from_raw).collect();
        Ok(service::summaries(ctx, &ids)
            .await?
            .into_iter()
            .map(|q| (q.id().get(), serde_json::to_value(&q).unwrap_or_default()))
            .collect())
    }

    async fn documents(&self, ctx: &AppContext) -> Result<Vec<Document>> {
        Ok(store::all_listed(ctx.db.scan(), ctx.clock.now())
            .await?
            .iter()
            .map(question_document)
            .collect())
    }
}

pub struct AnswerSearch;

#[async_trait]
impl SearchType for AnswerSearch {
    fn name(&self) -> &'static str {
        "answers"
    }

    fn cacheable(&self) -> bool {
        true
    }

    async fn hydrate(
        &self,
        ctx: &AppContext,
        _viewer: Option<&CurrentUser>,
        ids: &[i64],
    ) -> Result<HashMap<i64, serde_json::Value>> {
        let ids: Vec<AnswerId> = ids.iter().copied().map(AnswerId::from_raw).collect();
        Ok(
            store::visible_answers(ctx.db.reader(), &ids, ctx.clock.now())
                .await?
                .into_iter()
                .map(|(a, title)| {
                    let mut value = serde_json::to_value(&a).unwrap_or_default();
                    value["question_title"] = json!(title);
                    (a.id.get(), value)
                })
                .collect(),
        )
    }

    async fn documents(&self, ctx: &AppContext) -> Result<Vec<Document>> {
        Ok(store::indexable_answers(ctx.db.scan())
            .await?
            .iter()
            .map(|(id, text, region, at)| answer_document(*id, text, region.as_ref(), *at))
            .collect())
    }
}

/// Keeps a question's document and its answers' in step with its events.
pub struct IndexQuestions;

#[async_trait]
impl Subscriber for IndexQuestions {
    async fn handle(&self, ctx: &AppContext, tx: &mut Tx, event: &Event) -> anyhow::Result<()> {
        #[derive(Deserialize)]
        struct Subject {
            question_id: QuestionId,
            /// Set by answer events; a deleted answer is no longer among the question's.
            answer_id: Option<AnswerId>,
        }
        let subject: Subject = event.parse()?;
        let now = ctx.clock.now();
        let detail = store::question_detail(&mut **tx, subject.question_id, now).await?;
        let listed = detail.as_ref().filter(|d| d.listed);
        match listed {
            Some(d) => ctx.search.index(&question_document(&d.summary))?,
            None => ctx.search.remove("questions", subject.question_id.get())?,
        }
        if let Some(answer) = subject.answer_id {
            ctx.search.remove("answers", answer.get())?;
        }
        for (answer, hidden) in store::answers_of(&mut **tx, subject.question_id, now).await? {
            match listed {
                Some(d) if !hidden => ctx.search.index(&answer_document(
                    answer.id,
                    &answer.content,
                    d.summary.region_code.as_ref(),
                    answer.created_at,
                ))?,
                _ => ctx.search.remove("answers", answer.id.get())?,
            }
        }
        Ok(())
    }
}
