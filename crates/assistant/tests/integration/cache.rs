//! The semantic cache over HTTP: a paraphrase hits, an unrelated prompt misses, and a prompt
//! with personal data (or asked with profile facts) never reaches another user.

use assistant::Settings;
use platform::testing::Backend;
use reqwest::Method;

use crate::common::fake_llm::{FakeLlm, Script};
use crate::common::{new_session, openai, say, spawn_with};

platform::backend_tests!(
    paraphrases_hit_and_unrelated_prompts_miss,
    personal_prompts_never_cross_users,
    provider_embeddings_are_used_when_configured,
);

fn settings(fake: &FakeLlm) -> Settings {
    Settings {
        providers: vec![openai("gpt", &fake.openai_base())],
        llm_extraction: false,
        similarity_threshold: Some(0.8),
        ..Settings::default()
    }
}

async fn paraphrases_hit_and_unrelated_prompts_miss(backend: Backend) {
    let fake = FakeLlm::start(Script {
        reply: "Keep regular hours.".into(),
        ..Script::default()
    })
    .await;
    let app = spawn_with(backend, settings(&fake)).await;
    let (minji, jiho) = (app.user("minji").await, app.user("jiho").await);
    let (a, b) = (
        new_session(&app, &minji).await,
        new_session(&app, &jiho).await,
    );

    // Questions that state no fact about their author, from people without profile facts:
    // the answers may be shared.
    let first = say(&app, &minji, &a, "What helps you fall asleep at night?").await;
    assert_eq!(first["reply"]["answered_by"], "gpt");
    let exact = say(&app, &jiho, &b, "what helps you fall asleep at night").await;
    assert_eq!(exact["reply"]["answered_by"], "cache");
    assert_eq!(exact["cache"], "exact");
    let paraphrase = say(&app, &jiho, &b, "What helps me fall asleep at night?").await;
    assert_eq!(paraphrase["cache"], "semantic");
    assert_eq!(paraphrase["reply"]["text"], "Keep regular hours.");
    assert_eq!(fake.calls(), 1);

    let unrelated = say(
        &app,
        &jiho,
        &b,
        "What should I eat before running a marathon?",
    )
    .await;
    assert_eq!(unrelated["reply"]["answered_by"], "gpt");
    assert_eq!(fake.calls(), 2);

    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // (The registry is process-wide, shared with other tests: look for the series only.)
    assert!(
        metrics.contains("assistant_semantic_cache_total{outcome=\"hit\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("assistant_semantic_cache_total{outcome=\"miss\"}"));
}

async fn personal_prompts_never_cross_users(backend: Backend) {
    let fake = FakeLlm::start(Script {
        reply: "Here is a plan.".into(),
        ..Script::default()
    })
    .await;
    let app = spawn_with(backend, settings(&fake)).await;
    let (minji, jiho) = (app.user("minji").await, app.user("jiho").await);
    let (a, b) = (
        new_session(&app, &minji).await,
        new_session(&app, &jiho).await,
    );
    let private = "My number is 010-1234-5678. What is the best way to improve my sleep?";
    say(&app, &minji, &a, private).await;
    assert_eq!(
        say(&app, &minji, &a, private).await["reply"]["answered_by"],
        "cache",
        "its owner may reuse it"
    );
    assert_eq!(
        say(&app, &jiho, &b, private).await["reply"]["answered_by"],
        "gpt"
    );
    assert_eq!(fake.calls(), 2);

    // A user with profile facts gets answers shaped by them: those stay theirs too.
    let (status, _) = app
        .send(
            Method::PATCH,
            &format!("/api/v1/assistant/sessions/{a}/profile"),
            Some(&minji),
            Some(serde_json::json!({ "changes": [{ "op": "set", "field": "condition", "value": "diabetes" }] })),
        )
        .await;
    assert_eq!(status, 200);
    let shaped = "What is a good evening routine for better sleep?";
    assert_eq!(
        say(&app, &minji, &a, shaped).await["reply"]["answered_by"],
        "gpt"
    );
    assert_eq!(
        say(&app, &jiho, &b, shaped).await["reply"]["answered_by"],
        "gpt"
    );
    assert_eq!(fake.calls(), 4);
}

async fn provider_embeddings_are_used_when_configured(backend: Backend) {
    let fake = FakeLlm::start(Script::default()).await;
    let mut s = settings(&fake);
    s.providers[0].embedding_model = Some("embed-small".into());
    let app = spawn_with(backend, s).await;
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;
    let (_, status) = app
        .send(Method::GET, "/api/v1/assistant/status", Some(&minji), None)
        .await;
    assert_eq!(status["embeddings"], "provider");
    say(&app, &minji, &session, "How can I sleep better at night?").await;
    assert_eq!(
        say(&app, &minji, &session, "How do I sleep better at night?").await["cache"],
        "semantic"
    );
    assert_eq!(fake.calls(), 1);
}
