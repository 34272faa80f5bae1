//! One step of a conversation: the user's message updates the profile at once (the seed's
//! "instant sync at every step"), then the reply comes from the safety answer, the router,
//! the semantic cache, a provider, or the offline coach, in that order of precedence.

use std::collections::HashSet;
use std::time::Instant;

use platform::accounts::UserId;
use platform::{AppContext, Error, Result};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::Shared;
use super::answers::{embed, locale, lookup, store_answer};
use super::committer::Write;
use super::profile::{Applied, prepare, published};
use crate::coach;
use crate::embed::{fnv1a, normalise};
use crate::extract::extract;
use crate::intents::Route;
use crate::llm::{ChatMessage, ChatRequest, Role, Tier};
use crate::model::{Message, MessageId, NewMessage, SessionId, Speaker, StepReply};
use crate::profile::{Change, Language, Profile};
use crate::redact::redact;
use crate::semantic::{Key, Scope};
use crate::store;

/// Longest message accepted.
pub const MAX_TEXT_CHARS: usize = 4_000;
/// Earlier messages sent along to a provider for context.
const HISTORY: i64 = 6;
const REPLY_TOKENS: u32 = 600;
const ATTEMPTS: usize = 5;

/// What a streaming step reports as it goes.
#[derive(Debug, Clone)]
pub enum StepEvent {
    /// The profile changes, committed before any reply text.
    Profile(Applied),
    Delta(String),
}

/// The message text, trimmed, or the 400 naming `text`.
pub fn checked_text(new: &NewMessage) -> Result<&str> {
    let text = new.text.trim();
    if text.is_empty() {
        return Err(Error::invalid_field("text", "write a message"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::invalid_field("text", "at most 4,000 characters"));
    }
    Ok(text)
}

/// Runs one step for `user` in session `id`; with `events`, reports progress there.
pub async fn step(
    ctx: &AppContext,
    state: &Shared,
    user: UserId,
    id: SessionId,
    new: &NewMessage,
    events: Option<&mpsc::Sender<StepEvent>>,
) -> Result<StepReply> {
    let started = Instant::now();
    let text = checked_text(new)?;
    super::check_owner(ctx, user, id).await?;
    let base = super::profile::current(ctx, id).await?;
    let (classification, route) = state.router.route(text);
    let changes = facts(ctx, state, user, text, &base.profile, new.priority).await;
    let message = Message {
        id: MessageId::from_raw(ctx.next_id()),
        from: Speaker::User,
        text: text.to_owned(),
        intent: Some(classification.intent.name().to_owned()),
        answered_by: None,
        created_at: ctx.clock.now(),
    };
    let applied = record_message(ctx, state, id, &changes, &message).await?;
    if let Some(events) = events {
        let _ = events.send(StepEvent::Profile(applied.clone())).await;
    }
    let language = Language::detect(text)
        .or(applied.profile.language)
        .unwrap_or(Language::Ko);
    let deltas = events.map(|events| text_channel(events.clone()));
    let answer = match route {
        Route::Emergency => Answer::whole(coach::safety(language), "safety"),
        Route::Local(intent) => {
            Answer::whole(coach::local(intent, &applied.profile, language), "router")
        }
        Route::Escalate => {
            let context = Context {
                user,
                session: id,
                text,
                profile: &applied.profile,
                language,
                tier: new.priority,
            };
            escalate(ctx, state, &context, deltas.as_ref().map(|(tx, _)| tx)).await?
        }
    };
    if !answer.streamed
        && let Some((tx, _)) = &deltas
    {
        let _ = tx.send(answer.text.clone()).await;
    }
    if let Some((tx, forwarder)) = deltas {
        drop(tx);
        let _ = forwarder.await;
    }
    let reply = Message {
        id: MessageId::from_raw(ctx.next_id()),
        from: Speaker::Assistant,
        text: answer.text,
        intent: None,
        answered_by: Some(answer.by),
        created_at: ctx.clock.now(),
    };
    let write = Write::Reply {
        session: id,
        message: reply.clone(),
    };
    state
        .committer
        .store(ctx, state.settings.snapshot_every, write)
        .await?;
    metrics::counter!("assistant_steps_total", "answered_by" => reply.answered_by.clone().unwrap_or_default())
        .increment(1);
    metrics::histogram!("assistant_step_duration_seconds").record(started.elapsed().as_secs_f64());
    Ok(StepReply {
        message,
        reply,
        classification,
        changes: applied.changes,
        version: applied.version,
        profile: applied.profile,
        cache: answer.cache,
        budget_exhausted: answer.budget_exhausted,
    })
}

/// Stores the user's message with the profile changes it made, in one transaction.
async fn record_message(
    ctx: &AppContext,
    state: &Shared,
    id: SessionId,
    changes: &[Change],
    message: &Message,
) -> Result<Applied> {
    for _ in 0..ATTEMPTS {
        let write = Write::Profile {
            prepared: prepare(ctx, id, None, changes).await?,
            asked: changes.to_vec(),
            expected: None,
            source: "message",
            message: Some(message.clone()),
        };
        let every = state.settings.snapshot_every;
        let Some(applied) = state.committer.profile(ctx, every, write).await? else {
            super::profile::forget_cached(ctx, id);
            continue;
        };
        published(ctx, id, &applied).await;
        return Ok(applied);
    }
    Err(Error::conflict("the profile kept changing; try again"))
}

/// A reply and where it came from.
struct Answer {
    text: String,
    by: String,
    cache: Option<&'static str>,
    budget_exhausted: bool,
    /// Already sent to the reader piece by piece.
    streamed: bool,
}

impl Answer {
    fn whole(text: String, by: &str) -> Self {
        Self {
            text,
            by: by.to_owned(),
            cache: None,
            budget_exhausted: false,
            streamed: false,
        }
    }
}

/// What an escalated step needs to know.
struct Context<'a> {
    user: UserId,
    session: SessionId,
    text: &'a str,
    profile: &'a Profile,
    language: Language,
    tier: Tier,
}

impl Context<'_> {
    fn names(&self) -> Vec<&str> {
        self.profile.name.iter().map(String::as_str).collect()
    }

    fn offline(&self) -> String {
        coach::advice(self.text, self.profile, self.language)
    }
}

/// The semantic cache, a provider, or the offline coach.
async fn escalate(
    ctx: &AppContext,
    state: &Shared,
    c: &Context<'_>,
    deltas: Option<&mpsc::Sender<String>>,
) -> Result<Answer> {
    if state.gateway.slots().is_empty() {
        return Ok(Answer::whole(c.offline(), "offline"));
    }
    if super::usage::tokens_today(ctx, c.user).await? >= state.settings.daily_token_budget {
        let mut answer = Answer::whole(c.offline(), "offline");
        answer.budget_exhausted = true;
        return Ok(answer);
    }
    let (clean, redactions) = if state.settings.redact {
        redact(c.text, &c.names())
    } else {
        (c.text.to_owned(), 0)
    };
    // Answers shaped by personal data or profile facts stay with their user.
    let summary = c.profile.summary();
    let scope = if redactions > 0 || !summary.is_empty() {
        Scope::User(c.user)
    } else {
        Scope::Shared
    };
    let cached = state.settings.semantic_cache
        && ctx
            .flags
            .is_enabled("assistant.semantic_cache", c.user, true)
            .await;
    let key = Key {
        scope,
        locale: locale(c.language),
        hash: fnv1a(normalise(&clean).as_bytes()),
    };
    let vector = if cached {
        let (embedder, vector) = embed(state, &clean, c.language).await;
        if let Some(hit) = lookup(state, c.user, key, &vector, embedder) {
            metrics::counter!("assistant_semantic_cache_total", "outcome" => "hit").increment(1);
            let mut answer = Answer::whole(hit.answer.text.clone(), "cache");
            answer.cache = Some(if hit.exact { "exact" } else { "semantic" });
            return Ok(answer);
        }
        metrics::counter!("assistant_semantic_cache_total", "outcome" => "miss").increment(1);
        Some(vector)
    } else {
        None
    };
    let request = prompt(ctx, state, c, &clean, &summary).await?;
    let allowed = allowed_providers(ctx, state, c.user).await;
    let attempt = state
        .gateway
        .chat(&request, c.tier, deltas, &|name| allowed.contains(name))
        .await;
    match attempt {
        Ok(answer) => {
            super::usage::record(
                ctx,
                c.user,
                &answer.provider,
                &answer.completion,
                answer.cost_micros,
            )
            .await?;
            if let Some(vector) = vector {
                store_answer(
                    state,
                    key,
                    &vector,
                    &answer.completion.text,
                    &answer.provider,
                    &answer.completion.model,
                );
            }
            Ok(Answer {
                text: answer.completion.text,
                by: answer.provider,
                cache: None,
                budget_exhausted: false,
                streamed: deltas.is_some(),
            })
        }
        Err(failures) => {
            for (provider, error) in &failures {
                tracing::warn!(provider, %error, session = %c.session, "provider gave no answer");
            }
            Ok(Answer::whole(c.offline(), "offline"))
        }
    }
}

/// The providers the flags let `user` reach (`assistant.provider.<name>`, on by default).
async fn allowed_providers(ctx: &AppContext, state: &Shared, user: UserId) -> HashSet<String> {
    let mut allowed = HashSet::new();
    for slot in state.gateway.slots() {
        let flag = format!("assistant.provider.{}", slot.name);
        if ctx.flags.is_enabled(&flag, user, true).await {
            allowed.insert(slot.name.clone());
        }
    }
    allowed
}

/// The coach's instructions, the profile, recent messages (redacted), and the question.
async fn prompt(
    ctx: &AppContext,
    state: &Shared,
    c: &Context<'_>,
    clean: &str,
    summary: &str,
) -> Result<ChatRequest> {
    let language = match c.language {
        Language::Ko => "Korean",
        Language::En => "English",
    };
    let mut system = format!(
        "You are maru's wellness coach. Answer in {language}, briefly and practically. Give \
         general wellness guidance only: never a diagnosis or a prescription, and suggest a \
         clinician for anything medical."
    );
    if !summary.is_empty() {
        system.push_str(" What you know about the user: ");
        system.push_str(summary);
        system.push('.');
    }
    let mut messages = vec![ChatMessage {
        role: Role::System,
        content: system,
    }];
    // The step's own message is already stored: skip it, it comes last, redacted.
    let mut history = store::messages(ctx.db.reader(), c.session, i64::MAX, HISTORY + 1).await?;
    history.reverse();
    history.pop();
    let names = c.names();
    for m in history {
        let content = if state.settings.redact {
            redact(&m.text, &names).0
        } else {
            m.text
        };
        messages.push(ChatMessage {
            role: match m.from {
                Speaker::User => Role::User,
                Speaker::Assistant => Role::Assistant,
            },
            content,
        });
    }
    messages.push(ChatMessage {
        role: Role::User,
        content: clean.to_owned(),
    });
    Ok(ChatRequest {
        messages,
        max_tokens: REPLY_TOKENS,
    })
}

/// The fields and values a model may report, for the extraction prompt.
const VOCABULARY: &str = "age_band: under_20, 20s, 30s, 40s, 50s, 60s, 70_plus; \
    activity_level: sedentary, light, moderate, active; sleep_hours: a number; \
    sleep_quality: poor, fair, good; diet: omnivore, vegetarian, vegan, pescatarian, low_carb, halal; \
    language: ko, en; goal: lose_weight, gain_muscle, sleep_better, reduce_stress, move_more, \
    eat_better, quit_smoking, drink_less, run_race; condition: diabetes, hypertension, \
    high_cholesterol, asthma, back_pain, knee_pain, insomnia, depression, anxiety, pregnancy, \
    heart_disease; preference: morning_workouts, evening_workouts, home_workouts, outdoors, \
    walking, running, cycling, swimming, yoga, strength_training, short_answers, detailed_answers";

fn extraction_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "changes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "op": { "type": "string", "enum": ["set", "remove"] },
                        "field": { "type": "string", "enum": [
                            "age_band", "activity_level", "sleep_hours", "sleep_quality", "diet",
                            "language", "goal", "condition", "preference"
                        ] },
                        "value": { "type": ["string", "number"] }
                    },
                    "required": ["op", "field", "value"],
                    "additionalProperties": false
                }
            }
        },
        "required": ["changes"],
        "additionalProperties": false
    })
}

/// The facts `text` states: through a provider with a JSON-schema-constrained answer when one
/// is configured and allowed, merged with the rules (which alone see names, since names are
/// redacted before a prompt leaves); through the rules alone otherwise or on any failure.
async fn facts(
    ctx: &AppContext,
    state: &Shared,
    user: UserId,
    text: &str,
    profile: &Profile,
    tier: Tier,
) -> Vec<Change> {
    let rules = extract(text);
    if state.gateway.slots().is_empty()
        || !state.settings.llm_extraction
        || !ctx
            .flags
            .is_enabled("assistant.llm_extraction", user, true)
            .await
    {
        return rules;
    }
    // Names known before this step, and any this very message states.
    let names: Vec<&str> = profile
        .name
        .iter()
        .map(String::as_str)
        .chain(rules.iter().filter_map(|c| match c.fact() {
            crate::profile::Fact::Name(n) => Some(n.as_str()),
            _ => None,
        }))
        .collect();
    let clean = if state.settings.redact {
        redact(text, &names).0
    } else {
        text.to_owned()
    };
    let request = ChatRequest {
        messages: vec![
            ChatMessage {
                role: Role::System,
                content: format!(
                    "Extract only facts the user states about themselves, as profile changes \
                     (op `set`, or `remove` for a fact they say no longer holds). Allowed \
                     fields and values: {VOCABULARY}. No facts: an empty list."
                ),
            },
            ChatMessage {
                role: Role::User,
                content: clean,
            },
        ],
        max_tokens: 300,
    };
    let allowed = allowed_providers(ctx, state, user).await;
    let Ok(answer) = state
        .gateway
        .structured(&request, &extraction_schema(), tier, &|name| {
            allowed.contains(name)
        })
        .await
    else {
        return rules;
    };
    if let Err(e) = super::usage::record(
        ctx,
        user,
        &answer.provider,
        &answer.completion,
        answer.cost_micros,
    )
    .await
    {
        tracing::warn!(error = %e, "usage not recorded");
    }
    let mut changes: Vec<Change> = answer.value["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| serde_json::from_value::<Change>(c.clone()).ok())
        .filter(|c| c.fact().problem().is_none())
        .collect();
    for rule in rules {
        if !changes.iter().any(|c| c.fact() == rule.fact()) {
            changes.push(rule);
        }
    }
    changes
}

/// A text channel for the gateway, forwarded into the step's events.
fn text_channel(
    events: mpsc::Sender<StepEvent>,
) -> (mpsc::Sender<String>, tokio::task::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::channel::<String>(64);
    let forwarder = tokio::spawn(async move {
        while let Some(text) = rx.recv().await {
            if events.send(StepEvent::Delta(text)).await.is_err() {
                return;
            }
        }
    });
    (tx, forwarder)
}
