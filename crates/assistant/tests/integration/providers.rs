//! The LLM gateway against loopback servers speaking the OpenAI-compatible and Anthropic
//! protocols: answers, streaming, structured extraction, retries, timeouts, the breaker,
//! fallback, redaction, usage and budgets.

use std::time::Duration;

use assistant::Settings;
use platform::testing::Backend;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::fake_llm::{FakeLlm, Script};
use crate::common::{anthropic, deltas, new_session, openai, say, spawn_with, sse_events};

platform::backend_tests!(
    both_protocols_answer_stream_and_record_usage,
    retryable_failures_are_retried_with_backoff,
    a_slow_provider_times_out_and_the_next_one_answers,
    the_breaker_opens_and_stops_calling_a_failing_provider,
    when_every_provider_fails_the_offline_coach_answers,
    personal_data_is_redacted_before_it_leaves,
    providers_extract_facts_through_a_json_schema,
    the_daily_budget_sends_the_rest_of_the_day_offline,
    a_disabled_provider_flag_skips_that_provider,
);

const QUESTION: &str = "What is the best way to improve my sleep quality?";

fn settings(providers: Vec<assistant::ProviderSettings>) -> Settings {
    Settings {
        providers,
        // Extraction calls would count as provider calls; most tests look at replies alone.
        llm_extraction: false,
        semantic_cache: false,
        ..Settings::default()
    }
}

async fn both_protocols_answer_stream_and_record_usage(backend: Backend) {
    let openai_fake = FakeLlm::start(Script {
        reply: "Keep a steady wake-up time.".into(),
        ..Script::default()
    })
    .await;
    let anthropic_fake = FakeLlm::start(Script {
        reply: "Dim the lights an hour before bed.".into(),
        ..Script::default()
    })
    .await;
    for (name, provider, fake, reply) in [
        (
            "gpt",
            openai("gpt", &openai_fake.openai_base()),
            &openai_fake,
            "Keep a steady wake-up time.",
        ),
        (
            "claude",
            anthropic("claude", &anthropic_fake.anthropic_base()),
            &anthropic_fake,
            "Dim the lights an hour before bed.",
        ),
    ] {
        let app = spawn_with(backend.clone(), settings(vec![provider])).await;
        let minji = app.user("minji").await;
        let session = new_session(&app, &minji).await;
        let step = say(&app, &minji, &session, QUESTION).await;
        assert_eq!(step["reply"]["answered_by"], name);
        assert_eq!(step["reply"]["text"], reply);

        let response = app
            .post(
                &format!("/api/v1/assistant/sessions/{session}/messages"),
                Some(&minji),
            )
            .header("accept", "text/event-stream")
            .json(&json!({ "text": "And how long should I nap?", "priority": "economy" }))
            .send()
            .await
            .unwrap();
        let events = sse_events(response).await;
        let deltas = deltas(&events);
        assert!(deltas.len() > 1, "streamed in pieces: {deltas:?}");
        assert_eq!(deltas.concat(), reply);
        let last = fake.requests().last().cloned().unwrap();
        assert_eq!(last["stream"], true);
        assert_eq!(
            last["model"],
            format!("{name}-small"),
            "economy requests use the cheaper model"
        );
        // The earlier turn went along as context, the system prompt first.
        let history = last.get("messages").unwrap().as_array().unwrap();
        assert!(history.iter().any(|m| m["content"] == reply));

        let (_, usage) = app
            .send(Method::GET, "/api/v1/assistant/usage", Some(&minji), None)
            .await;
        let rows = usage["usage"].as_array().unwrap();
        let total: i64 = rows
            .iter()
            .map(|r| {
                r["prompt_tokens"].as_i64().unwrap() + r["completion_tokens"].as_i64().unwrap()
            })
            .sum();
        assert_eq!(usage["tokens_today"], total);
        assert!(total > 0);
        assert!(
            rows.iter()
                .all(|r| r["provider"] == name && r["cost_micros"].as_i64().unwrap() > 0)
        );
        let metrics = app
            .client
            .get(app.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            metrics.contains(&format!(
                "assistant_provider_latency_seconds{{provider=\"{name}\",quantile=\"0.99\"}}"
            )),
            "p99 per provider in /metrics"
        );
    }
}

async fn retryable_failures_are_retried_with_backoff(backend: Backend) {
    let fake = FakeLlm::start(Script {
        fail_first: 2,
        status: 503,
        ..Script::default()
    })
    .await;
    let app = spawn_with(backend, settings(vec![openai("gpt", &fake.openai_base())])).await;
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;
    let step = say(&app, &minji, &session, QUESTION).await;
    assert_eq!(step["reply"]["answered_by"], "gpt");
    assert_eq!(fake.calls(), 3, "two failures, then the answer");

    // A client error is not retried.
    fake.set(Script {
        always_fail: true,
        status: 400,
        ..Script::default()
    });
    let before = fake.calls();
    let step = say(&app, &minji, &session, QUESTION).await;
    assert_eq!(step["reply"]["answered_by"], "offline");
    assert_eq!(fake.calls(), before + 1);
}

async fn a_slow_provider_times_out_and_the_next_one_answers(backend: Backend) {
    let slow = FakeLlm::start(Script {
        delay: Duration::from_secs(3),
        ..Script::default()
    })
    .await;
    let fast = FakeLlm::start(Script {
        reply: "From the second provider.".into(),
        ..Script::default()
    })
    .await;
    let mut first = openai("slow", &slow.openai_base());
    first.timeout_ms = 200;
    first.retries = 1;
    let app = spawn_with(
        backend,
        settings(vec![first, anthropic("fast", &fast.anthropic_base())]),
    )
    .await;
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;
    let started = std::time::Instant::now();
    let step = say(&app, &minji, &session, QUESTION).await;
    assert_eq!(step["reply"]["answered_by"], "fast");
    assert_eq!(step["reply"]["text"], "From the second provider.");
    assert_eq!(slow.calls(), 2, "one try and one retry, each cut at 200 ms");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

async fn the_breaker_opens_and_stops_calling_a_failing_provider(backend: Backend) {
    let fake = FakeLlm::start(Script {
        always_fail: true,
        status: 500,
        ..Script::default()
    })
    .await;
    let mut provider = openai("gpt", &fake.openai_base());
    provider.retries = 0;
    provider.breaker_failures = 2;
    let app = spawn_with(backend, settings(vec![provider])).await;
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;
    for _ in 0..2 {
        assert_eq!(
            say(&app, &minji, &session, QUESTION).await["reply"]["answered_by"],
            "offline"
        );
    }
    assert_eq!(fake.calls(), 2);
    let (_, status) = app
        .send(Method::GET, "/api/v1/assistant/status", Some(&minji), None)
        .await;
    assert_eq!(status["providers"][0]["breaker"], "open");
    // Open: the provider is not called, the offline coach answers at once.
    assert_eq!(
        say(&app, &minji, &session, QUESTION).await["reply"]["answered_by"],
        "offline"
    );
    assert_eq!(fake.calls(), 2);
}

async fn when_every_provider_fails_the_offline_coach_answers(backend: Backend) {
    let a = FakeLlm::start(Script {
        always_fail: true,
        status: 502,
        ..Script::default()
    })
    .await;
    let b = FakeLlm::start(Script {
        always_fail: true,
        status: 529,
        ..Script::default()
    })
    .await;
    let app = spawn_with(
        backend,
        settings(vec![
            openai("a", &a.openai_base()),
            anthropic("b", &b.anthropic_base()),
        ]),
    )
    .await;
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;
    let step = say(
        &app,
        &minji,
        &session,
        "잠을 더 잘 자려면 어떻게 해야 하나요?",
    )
    .await;
    assert_eq!(step["reply"]["answered_by"], "offline");
    assert!(
        step["reply"]["text"]
            .as_str()
            .unwrap()
            .starts_with("[오프라인 코치")
    );
    assert_eq!(
        (a.calls(), b.calls()),
        (3, 3),
        "each tried with its retries"
    );
    // Emergencies never reach a provider, whatever is configured.
    let step = say(&app, &minji, &session, "I have crushing chest pain").await;
    assert_eq!(step["reply"]["answered_by"], "safety");
    assert!(step["reply"]["text"].as_str().unwrap().contains("119"));
    assert_eq!((a.calls(), b.calls()), (3, 3));
}

async fn personal_data_is_redacted_before_it_leaves(backend: Backend) {
    let fake = FakeLlm::start(Script::default()).await;
    let mut with_extraction = settings(vec![openai("gpt", &fake.openai_base())]);
    with_extraction.llm_extraction = true;
    let app = spawn_with(backend, with_extraction).await;
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;
    say(&app, &minji, &session, "제 이름은 김민지예요").await;
    say(
        &app,
        &minji,
        &session,
        "김민지인데요, 010-1234-5678 이나 minji@example.com 으로 연락 주시고 주민번호는 900101-2345678 이에요. 수면을 개선하는 방법이 궁금해요",
    )
    .await;
    let sent = serde_json::to_string(&fake.requests()).unwrap();
    for secret in [
        "010-1234-5678",
        "minji@example.com",
        "900101-2345678",
        "김민지",
    ] {
        assert!(
            !sent.contains(secret),
            "{secret} left for the provider: {sent}"
        );
    }
    assert!(sent.contains("[phone]") && sent.contains("[email]") && sent.contains("[name]"));
}

async fn providers_extract_facts_through_a_json_schema(backend: Backend) {
    let facts = json!([
        { "op": "set", "field": "diet", "value": "pescatarian" },
        { "op": "set", "field": "activity_level", "value": "active" },
        { "op": "set", "field": "shoe_size", "value": "270" },
        { "op": "set", "field": "sleep_hours", "value": 40 }
    ]);
    for (name, fake) in [
        (
            "gpt",
            FakeLlm::start(Script {
                facts: facts.clone(),
                ..Script::default()
            })
            .await,
        ),
        (
            "claude",
            FakeLlm::start(Script {
                facts: facts.clone(),
                ..Script::default()
            })
            .await,
        ),
    ] {
        let provider = if name == "gpt" {
            openai(name, &fake.openai_base())
        } else {
            anthropic(name, &fake.anthropic_base())
        };
        let mut s = settings(vec![provider]);
        s.llm_extraction = true;
        let app = spawn_with(backend.clone(), s).await;
        let minji = app.user("minji").await;
        let session = new_session(&app, &minji).await;
        let step = say(
            &app,
            &minji,
            &session,
            "I eat fish but no meat, and I train most days",
        )
        .await;
        assert_eq!(step["profile"]["diet"], "pescatarian", "{name}");
        assert_eq!(step["profile"]["activity_level"], "active", "{name}");
        assert_eq!(
            step["profile"]["sleep_hours"],
            Value::Null,
            "invalid facts are dropped"
        );
        let first = &fake.requests()[0];
        let constrained =
            first.get("response_format").is_some() || first.get("tool_choice").is_some();
        assert!(constrained, "{name}: {first}");
    }
}

async fn the_daily_budget_sends_the_rest_of_the_day_offline(backend: Backend) {
    let fake = FakeLlm::start(Script::default()).await;
    let mut s = settings(vec![openai("gpt", &fake.openai_base())]);
    s.daily_token_budget = 100;
    let app = spawn_with(backend, s).await;
    let minji = app.user("minji").await;
    let session = new_session(&app, &minji).await;
    let first = say(&app, &minji, &session, QUESTION).await;
    assert_eq!(first["reply"]["answered_by"], "gpt");
    assert_eq!(first["budget_exhausted"], false);
    for _ in 0..2 {
        say(&app, &minji, &session, QUESTION).await;
    }
    let step = say(&app, &minji, &session, QUESTION).await;
    assert_eq!(step["reply"]["answered_by"], "offline");
    assert_eq!(step["budget_exhausted"], true);
    assert_eq!(
        fake.calls(),
        2,
        "70 tokens a call: the third call would pass 100"
    );
    // Someone else still has their whole budget.
    let jiho = app.user("jiho").await;
    let session = new_session(&app, &jiho).await;
    assert_eq!(
        say(&app, &jiho, &session, QUESTION).await["reply"]["answered_by"],
        "gpt"
    );
}

async fn a_disabled_provider_flag_skips_that_provider(backend: Backend) {
    let first = FakeLlm::start(Script {
        reply: "first".into(),
        ..Script::default()
    })
    .await;
    let second = FakeLlm::start(Script {
        reply: "second".into(),
        ..Script::default()
    })
    .await;
    let app = spawn_with(
        backend,
        settings(vec![
            openai("first", &first.openai_base()),
            openai("second", &second.openai_base()),
        ]),
    )
    .await;
    let mut admin = app.user("admin").await;
    app.make_admin(&mut admin).await;
    let minji = app.user("minji").await;
    let (status, body) = app
        .send(
            Method::PUT,
            "/api/v1/admin/flags/assistant.provider.first",
            Some(&admin),
            Some(json!({ "enabled": false })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let session = new_session(&app, &minji).await;
    assert_eq!(
        say(&app, &minji, &session, QUESTION).await["reply"]["answered_by"],
        "second"
    );
    assert_eq!(first.calls(), 0);
    // An override turns it back on for one user only.
    let (status, _) = app
        .send(
            Method::PUT,
            &format!(
                "/api/v1/admin/flags/assistant.provider.first/overrides/{}",
                minji.id
            ),
            Some(&admin),
            Some(json!({ "enabled": true })),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        say(&app, &minji, &session, QUESTION).await["reply"]["answered_by"],
        "first"
    );
}
