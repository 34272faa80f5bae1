//! Answering, editing and deleting answers, likes, and accepting one.

use std::time::Duration;

use platform::accounts::CurrentUser;
use platform::{AppContext, Error, Result};
use serde_json::json;

use super::{member, pay, question};
use crate::caches::Caches;
use crate::events;
use crate::model::{Acceptance, Answer, AnswerId, Place, QuestionId, Status};
use crate::points::{ACCEPT_REWARD, ANSWER_REWARDS_PER_DAY, Account, Reason, Transfer};
use crate::store::{self, AnswerFacts, Liked, NewAnswerRow};

const DAY: Duration = Duration::from_secs(24 * 3600);

/// An answer as the answerer sends it, checked field by field.
#[derive(Debug, Clone)]
pub struct NewAnswer {
    pub content: String,
    pub place: Option<Place>,
}

/// Answers an open question. Answering someone else's question earns a small reward, once per
/// question and at most ten times a day.
pub async fn answer(
    ctx: &AppContext,
    user: &CurrentUser,
    question_id: QuestionId,
    new: NewAnswer,
) -> Result<Answer> {
    let id = AnswerId::from_raw(ctx.next_id());
    let now = ctx.clock.now();
    let mut tx = ctx.db.begin().await?;
    member(ctx, &mut tx, user).await?;
    let state = store::question_state(&mut *tx, question_id)
        .await?
        .filter(|q| q.status != Status::Deleted && !q.hidden)
        .ok_or_else(|| Error::not_found("question"))?;
    if state.status != Status::Active {
        return Err(Error::conflict("the question is closed to answers"));
    }
    let first = store::insert_answer(
        &mut tx,
        &NewAnswerRow {
            id,
            question: question_id,
            user: user.id,
            content: &new.content,
            place: new.place.as_ref(),
            now,
        },
    )
    .await?;
    let account = Account::User(user.id);
    let reward = Transfer::answer_reward(user.id, question_id.get());
    if state.author != user.id
        && !store::has_entry(&mut tx, account, Reason::AnswerReward, &reward.reference).await?
        && store::count_since(&mut tx, account, Reason::AnswerReward, now.minus(DAY)).await?
            < ANSWER_REWARDS_PER_DAY
    {
        pay(ctx, &mut tx, &reward).await?;
    }
    ctx.bus
        .publish(
            &mut tx,
            events::ANSWER_CREATED,
            &json!({ "answer_id": id, "question_id": question_id, "answerer_id": user.id, "questioner_id": state.author }),
        )
        .await?;
    tx.commit().await?;
    ctx.bus.wake();
    if first {
        let wait = state.created_at.until(now);
        metrics::histogram!("ask_first_answer_wait_seconds").record(wait.as_secs_f64());
    }
    Caches::of(&ctx.cache).question_changed(question_id);
    find_answer(ctx, user, question_id, id).await
}

async fn find_answer(
    ctx: &AppContext,
    user: &CurrentUser,
    question_id: QuestionId,
    id: AnswerId,
) -> Result<Answer> {
    question(ctx, Some(user), question_id)
        .await?
        .answers
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| Error::not_found("answer"))
}

/// The answer, if the caller wrote it and it is not accepted yet.
async fn own_open_answer(
    tx: &mut platform::db::Tx,
    user: &CurrentUser,
    id: AnswerId,
) -> Result<AnswerFacts> {
    let facts = store::answer_facts(&mut **tx, id)
        .await?
        .ok_or_else(|| Error::not_found("answer"))?;
    if facts.author != user.id {
        return Err(Error::forbidden("only the answerer may change an answer"));
    }
    if facts.accepted {
        return Err(Error::conflict(
            "an accepted answer can no longer be changed",
        ));
    }
    Ok(facts)
}

pub async fn edit_answer(
    ctx: &AppContext,
    user: &CurrentUser,
    id: AnswerId,
    content: &str,
) -> Result<Answer> {
    let mut tx = ctx.db.begin().await?;
    member(ctx, &mut tx, user).await?;
    let facts = own_open_answer(&mut tx, user, id).await?;
    store::edit_answer(&mut tx, id, content, ctx.clock.now()).await?;
    ctx.bus
        .publish(
            &mut tx,
            events::ANSWER_CHANGED,
            &json!({ "answer_id": id, "question_id": facts.question }),
        )
        .await?;
    tx.commit().await?;
    ctx.bus.wake();
    Caches::of(&ctx.cache).question_changed(facts.question);
    find_answer(ctx, user, facts.question, id).await
}

pub async fn delete_answer(ctx: &AppContext, user: &CurrentUser, id: AnswerId) -> Result<()> {
    let mut tx = ctx.db.begin().await?;
    let facts = own_open_answer(&mut tx, user, id).await?;
    if !store::delete_answer(&mut tx, &facts).await? {
        return Err(Error::conflict(
            "an accepted answer can no longer be changed",
        ));
    }
    ctx.bus
        .publish(
            &mut tx,
            events::ANSWER_CHANGED,
            &json!({ "answer_id": id, "question_id": facts.question }),
        )
        .await?;
    tx.commit().await?;
    ctx.bus.wake();
    Caches::of(&ctx.cache).question_changed(facts.question);
    Ok(())
}

/// Likes or unlikes a visible answer; returns its like count.
pub async fn like_answer(
    ctx: &AppContext,
    user: &CurrentUser,
    id: AnswerId,
    like: bool,
) -> Result<i64> {
    let mut tx = ctx.db.begin().await?;
    member(ctx, &mut tx, user).await?;
    let facts = store::answer_facts(&mut *tx, id)
        .await?
        .filter(|a| !a.hidden)
        .ok_or_else(|| Error::not_found("answer"))?;
    store::set_like(&mut tx, Liked::Answer(id), user.id, like, ctx.clock.now()).await?;
    tx.commit().await?;
    Caches::of(&ctx.cache).question_changed(facts.question);
    Ok(find_answer(ctx, user, facts.question, id).await?.like_count)
}

/// Accepts an answer: only the asker, never their own answer, one per question. The bounty
/// leaves escrow and the base reward leaves the treasury, both to the answerer, in the
/// transaction that records the acceptance. Asking again for the accepted answer answers the
/// same and pays nothing; another answer of an answered question is a 409.
pub async fn accept(ctx: &AppContext, user: &CurrentUser, id: AnswerId) -> Result<Acceptance> {
    let mut tx = ctx.db.begin().await?;
    let facts = store::answer_facts(&mut *tx, id)
        .await?
        .filter(|a| !a.hidden)
        .ok_or_else(|| Error::not_found("answer"))?;
    let state = store::question_state(&mut *tx, facts.question)
        .await?
        .filter(|q| q.status != Status::Deleted && !q.hidden)
        .ok_or_else(|| Error::not_found("question"))?;
    if state.author != user.id {
        return Err(Error::forbidden("only the asker may accept an answer"));
    }
    if facts.author == user.id {
        return Err(Error::forbidden("you cannot accept your own answer"));
    }
    if let Some(done) = state.accepted {
        return settled(done, id);
    }
    if state.status != Status::Active {
        return Err(Error::conflict("the question is closed"));
    }
    let acceptance = Acceptance {
        question_id: facts.question,
        answer_id: id,
        answerer_id: facts.author,
        questioner_id: user.id,
        points: state.bounty + ACCEPT_REWARD,
        accepted_at: ctx.clock.now(),
    };
    if !store::accept(&mut tx, &acceptance).await? {
        // Another acceptance committed first: report it as it now stands.
        drop(tx);
        let now = store::question_state(ctx.db.writer(), facts.question).await?;
        return match now.and_then(|q| q.accepted) {
            Some(done) => settled(done, id),
            None => Err(Error::conflict("the question is closed")),
        };
    }
    for transfer in Transfer::acceptance(facts.author, facts.question.get(), state.bounty) {
        if !pay(ctx, &mut tx, &transfer).await? {
            return Err(Error::internal(anyhow::anyhow!(
                "escrow lacks the bounty of question {}",
                facts.question
            )));
        }
    }
    ctx.bus
        .publish(
            &mut tx,
            events::ANSWER_ACCEPTED,
            &json!({
                "answer_id": id,
                "question_id": facts.question,
                "answerer_id": facts.author,
                "questioner_id": user.id,
                "points": acceptance.points,
            }),
        )
        .await?;
    tx.commit().await?;
    ctx.bus.wake();
    Caches::of(&ctx.cache).question_changed(facts.question);
    Ok(acceptance)
}

/// The answer to an accept on a question that already has its accepted answer.
fn settled(done: Acceptance, asked: AnswerId) -> Result<Acceptance> {
    if done.answer_id == asked {
        Ok(done)
    } else {
        Err(Error::conflict(
            "another answer was already accepted for this question",
        ))
    }
}
