//! Asking, editing and deleting questions; the question page; lists; likes.

use std::collections::HashMap;
use std::sync::Arc;

use platform::accounts::{CurrentUser, UserId};
use platform::db::Tx;
use platform::files::MediaId;
use platform::{AppContext, Error, FieldError, Result};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{member, moderates, pay};
use crate::caches::{CachedSummary, Caches, Listed, Summary};
use crate::events;
use crate::model::{
    Category, MAX_IMAGES, Place, Question, QuestionId, QuestionSummary, Status, Urgency,
};
use crate::points::Transfer;
use crate::regions;
use crate::store::{self, Liked, ListFilter, NewQuestionRow, Sort};

/// Questions per list page (seed 003 `QUESTIONS_PER_PAGE`).
pub const PER_PAGE: i64 = 20;

/// A question as the asker sends it, checked field by field.
#[derive(Debug, Clone)]
pub struct NewQuestion {
    pub title: String,
    pub content: String,
    pub category: Category,
    pub hashtags: Vec<String>,
    pub place: Option<Place>,
    pub urgency: Urgency,
    pub bounty: i64,
    pub image_ids: Vec<MediaId>,
}

/// The caller's own uploads, as stored ids; a 422 naming the first that is not.
async fn own_images(ctx: &AppContext, user: UserId, ids: &[MediaId]) -> Result<Vec<String>> {
    if ids.len() > MAX_IMAGES {
        return Err(Error::invalid_field(
            "image_ids",
            format!("at most {MAX_IMAGES} images"),
        ));
    }
    let mut kept = Vec::with_capacity(ids.len());
    for (i, &id) in ids.iter().enumerate() {
        match platform::files::find(ctx.db.reader(), id).await? {
            Some(m) if m.owner_id == user && m.kind == "image" => kept.push(id.to_string()),
            _ => {
                return Err(Error::invalid_field(
                    format!("image_ids[{i}]"),
                    "is not an image you uploaded",
                ));
            }
        }
    }
    Ok(kept)
}

/// Publishes a question; a bounty moves from the asker's balance into escrow in the same
/// transaction, or nothing is written.
pub async fn ask(ctx: &AppContext, user: &CurrentUser, new: NewQuestion) -> Result<Question> {
    let images = own_images(ctx, user.id, &new.image_ids).await?;
    let region = match &new.place {
        Some(place) => Some(
            regions::at(place.point())
                .ok_or_else(|| {
                    Error::invalid_field("location", "is outside every region maru serves")
                })?
                .code
                .as_str(),
        ),
        None => None,
    };
    let id = QuestionId::from_raw(ctx.next_id());
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    let profile = member(ctx, &mut tx, user).await?;
    let region = region.map(str::to_owned).or(profile.region_code);
    let cells = new.place.as_ref().map(|p| p.point().cells());
    store::insert_question(
        &mut tx,
        &NewQuestionRow {
            id,
            user: user.id,
            title: &new.title,
            content: &new.content,
            category: new.category,
            hashtags: &new.hashtags,
            image_ids: &images,
            place: new.place.as_ref(),
            cells: cells.clone(),
            region: region.as_deref(),
            urgency: new.urgency,
            bounty: new.bounty,
            now,
        },
    )
    .await?;
    if new.bounty > 0
        && !pay(
            ctx,
            &mut tx,
            &Transfer::escrow(user.id, id.get(), new.bounty),
        )
        .await?
    {
        let balance = store::balance(&mut *tx, crate::points::Account::User(user.id)).await?;
        return Err(Error::validation(vec![FieldError::new(
            "bounty",
            format!("exceeds your balance of {balance} points"),
        )]));
    }
    ctx.bus
        .publish(
            &mut tx,
            events::QUESTION_CREATED,
            &json!({
                "question_id": id,
                "user_id": user.id,
                "location": new.place.as_ref().map(|p| json!({ "lat": p.lat, "lng": p.lng })),
                "region_code": region,
                "hashtags": new.hashtags,
                "urgency": new.urgency,
            }),
        )
        .await?;
    tx.commit().await?;
    ctx.bus.wake();
    Caches::of(&ctx.cache).listing_changed(id, cells.as_ref());
    question(ctx, Some(user), id).await
}

/// Tells the bus a question changed (text, state, visibility) so indexes follow.
pub(crate) async fn publish_changed(ctx: &AppContext, tx: &mut Tx, id: QuestionId) -> Result<()> {
    ctx.bus
        .publish(tx, events::QUESTION_CHANGED, &json!({ "question_id": id }))
        .await?;
    Ok(())
}

/// New text for one's own question.
#[derive(Debug, Clone)]
pub struct EditQuestion {
    pub title: String,
    pub content: String,
    pub category: Category,
    pub hashtags: Vec<String>,
}

pub async fn edit_question(
    ctx: &AppContext,
    user: &CurrentUser,
    id: QuestionId,
    edit: EditQuestion,
) -> Result<Question> {
    let mut tx = ctx.db.begin().await?;
    member(ctx, &mut tx, user).await?;
    let state = store::question_state(&mut *tx, id)
        .await?
        .filter(|q| q.status != Status::Deleted)
        .ok_or_else(|| Error::not_found("question"))?;
    if state.author != user.id {
        return Err(Error::forbidden("only the asker may edit a question"));
    }
    let listed = state.status == Status::Active && !state.hidden;
    let fields = (
        edit.title.as_str(),
        edit.content.as_str(),
        edit.category,
        edit.hashtags.as_slice(),
    );
    store::edit_question(&mut tx, id, fields, listed, ctx.clock.now()).await?;
    publish_changed(ctx, &mut tx, id).await?;
    tx.commit().await?;
    ctx.bus.wake();
    Caches::of(&ctx.cache).listing_changed(id, None);
    question(ctx, Some(user), id).await
}

/// Deletes one's own question; an unpaid bounty goes back to the asker.
pub async fn delete_question(ctx: &AppContext, user: &CurrentUser, id: QuestionId) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    let state = store::question_state(&mut *tx, id)
        .await?
        .filter(|q| q.status != Status::Deleted)
        .ok_or_else(|| Error::not_found("question"))?;
    if state.author != user.id {
        return Err(Error::forbidden("only the asker may delete a question"));
    }
    let now = ctx.clock.now();
    store::delete_question(&mut tx, id, Status::Deleted, now).await?;
    if state.bounty > 0 && state.accepted.is_none() && state.status == Status::Active {
        pay(
            ctx,
            &mut tx,
            &Transfer::refund(user.id, id.get(), state.bounty),
        )
        .await?;
    }
    publish_changed(ctx, &mut tx, id).await?;
    tx.commit().await?;
    ctx.bus.wake();
    let cells = located_cells(ctx, id).await?;
    Caches::of(&ctx.cache).listing_changed(id, cells.as_ref());
    Ok(())
}

/// The geohash cells of a question's place, if it has one.
pub(crate) async fn located_cells(ctx: &AppContext, id: QuestionId) -> Result<Option<[String; 3]>> {
    Ok(store::summaries(ctx.db.reader(), &[id], ctx.clock.now())
        .await?
        .first()
        .and_then(|(s, _)| s.location.as_ref().map(|p| p.point().cells())))
}

/// A question's page. Deleted questions are gone; hidden ones are shown only to their author
/// and moderators (with the reason); hidden answers likewise.
pub async fn question(
    ctx: &AppContext,
    viewer: Option<&CurrentUser>,
    id: QuestionId,
) -> Result<Question> {
    let caches = Caches::of(&ctx.cache);
    let privileged = moderates(viewer);
    if !privileged
        && let Some(cached) = caches.questions.get(&id)
        && viewer.is_none_or(|v| v.id != cached.summary.author.id)
    {
        return Ok((*cached).clone());
    }
    let now = ctx.clock.now();
    let detail = store::question_detail(ctx.db.reader(), id, now)
        .await?
        .filter(|d| d.summary.status != Status::Deleted)
        .ok_or_else(|| Error::not_found("question"))?;
    let author = detail.summary.author.id;
    let sees_hidden = |who: UserId| privileged || viewer.is_some_and(|v| v.id == who);
    if detail.hidden && !sees_hidden(author) {
        return Err(Error::not_found("question"));
    }
    let all = store::answers_of(ctx.db.reader(), id, now).await?;
    // Only a page that looks the same to everyone may be cached.
    let public = !detail.hidden && all.iter().all(|(_, hidden)| !hidden);
    let answers = all
        .into_iter()
        .filter(|(a, hidden)| !hidden || sees_hidden(a.author.id))
        .map(|(a, _)| a)
        .collect::<Vec<_>>();
    let page = Question {
        summary: detail.summary,
        image_ids: detail.image_ids,
        accepted_answer_id: detail.accepted_answer_id,
        updated_at: detail.updated_at,
        hidden_reason: detail.hidden_reason,
        answers,
    };
    if public && !privileged {
        caches.questions.insert(id, Arc::new(page.clone()));
    }
    Ok(page)
}

/// Summaries of listed questions, in the order asked, from the cache where it can.
pub async fn summaries(ctx: &AppContext, ids: &[QuestionId]) -> Result<Vec<Listed>> {
    let mut found = cached_summaries(ctx, ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| found.remove(id))
        .filter_map(Listed::of)
        .collect())
}

/// The summaries of `ids`, listed or not, from the cache or else the database (and then
/// cached). Deleted questions have none.
pub(crate) async fn cached_summaries(
    ctx: &AppContext,
    ids: &[QuestionId],
) -> Result<HashMap<QuestionId, CachedSummary>> {
    let now = ctx.clock.now();
    Caches::of(&ctx.cache)
        .summaries
        .get_or_load_many(ids, |missing| async move {
            store::summaries(ctx.db.reader(), &missing, now)
                .await?
                .into_iter()
                .map(|(summary, listed)| {
                    let cached = Summary::new(&summary, listed).map_err(Error::internal)?;
                    Ok((summary.id, Arc::new(cached)))
                })
                .collect()
        })
        .await
}

/// A page of a list, seed 003's `getQuestions`.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionPage {
    #[schema(value_type = Vec<QuestionSummary>)]
    pub questions: Vec<Listed>,
    pub pagination: Pagination,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Pagination {
    pub current_page: i64,
    pub per_page: i64,
    /// From a count cached for five minutes.
    pub total: i64,
    pub total_pages: i64,
}

pub async fn list(
    ctx: &AppContext,
    filter: ListFilter,
    sort: Sort,
    page: i64,
) -> Result<QuestionPage> {
    let caches = Caches::of(&ctx.cache);
    let key = (filter, sort, page);
    let ids = if let Some(ids) = caches.pages.get(&key) {
        ids
    } else {
        let offset = (page - 1) * PER_PAGE;
        let ids: Arc<[QuestionId]> = store::list(ctx.db.reader(), &key.0, sort, offset, PER_PAGE)
            .await?
            .into();
        caches.pages.insert(key.clone(), Arc::clone(&ids));
        ids
    };
    let questions = summaries(ctx, &ids).await?;
    let filter = key.0;
    let total = if let Some(total) = caches.counts.get(&filter) {
        total
    } else {
        let total = store::count(ctx.db.reader(), &filter).await?;
        caches.counts.insert(filter, total);
        total
    };
    Ok(QuestionPage {
        questions,
        pagination: Pagination {
            current_page: page,
            per_page: PER_PAGE,
            total,
            total_pages: (total + PER_PAGE - 1) / PER_PAGE,
        },
    })
}

/// Likes or unlikes a listed question; returns its like count.
pub async fn like_question(
    ctx: &AppContext,
    user: &CurrentUser,
    id: QuestionId,
    like: bool,
) -> Result<i64> {
    let mut tx = ctx.db.begin().await?;
    member(ctx, &mut tx, user).await?;
    store::question_state(&mut *tx, id)
        .await?
        .filter(|q| q.status != Status::Deleted && !q.hidden)
        .ok_or_else(|| Error::not_found("question"))?;
    let now = ctx.clock.now();
    store::set_like(&mut tx, Liked::Question(id), user.id, like, now).await?;
    tx.commit().await?;
    Caches::of(&ctx.cache).question_changed(id);
    let count = store::summaries(ctx.db.reader(), &[id], now)
        .await?
        .first()
        .map_or(0, |(s, _)| s.like_count);
    Ok(count)
}
