//! The points ledger under random sequences of asking, answering, accepting, deleting and
//! closing: every balance stays the sum of its entries and never negative, the ledger sums to
//! zero, and the only points that appear are the documented rewards.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use crate::common::{assert_sound, audit, poll};
use platform::testing::{Backend, TestApp};
use platform::time::{ManualClock, Timestamp};
use proptest::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

const PEOPLE: usize = 4;

#[derive(Debug, Clone)]
enum Op {
    Ask { asker: usize, bounty: i64 },
    Answer { user: usize, question: usize },
    Accept { question: usize, answer: usize },
    Delete { question: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..PEOPLE, prop_oneof![Just(0_i64), 1..=120_i64])
            .prop_map(|(asker, bounty)| Op::Ask { asker, bounty }),
        (0..PEOPLE, 0..8_usize).prop_map(|(user, question)| Op::Answer { user, question }),
        (0..8_usize, 0..4_usize).prop_map(|(question, answer)| Op::Accept { question, answer }),
        (0..8_usize).prop_map(|question| Op::Delete { question }),
    ]
}

/// What the test knows about one question.
struct Asked {
    id: String,
    asker: usize,
    answers: Vec<(String, usize)>,
}

async fn run(ops: Vec<Op>) {
    let clock = ManualClock::starting_at(Timestamp::from_micros(1_800_000_000_000_000));
    let app = TestApp::builder(Backend::Sqlite)
        .app(ask::Ask)
        .clock(clock.clock())
        .spawn()
        .await;
    let mut people = Vec::new();
    for i in 0..PEOPLE {
        people.push(app.user(&format!("member{i}")).await);
    }
    let mut admin = app.user("admin").await;
    app.make_admin(&mut admin).await;
    // Sign-up bonuses are paid as the registrations' events arrive.
    let joined = poll(10, || async {
        let a = audit(&app, &admin).await;
        (a["rewards_paid"] == 500, a)
    })
    .await;
    assert_eq!(joined["rewards_paid"], 500, "{joined}");
    let mut questions: Vec<Asked> = Vec::new();
    // Rewards the rules promise: answer rewards (once per question and answerer) and acceptances.
    let mut rewarded: HashSet<(usize, String)> = HashSet::new();
    let mut accepted: HashSet<String> = HashSet::new();
    for op in ops {
        match op {
            Op::Ask { asker, bounty } => {
                let body = json!({ "title": "질문", "content": "내용", "category": "life", "bounty": bounty });
                let (status, q) = app
                    .send(
                        Method::POST,
                        "/api/v1/questions",
                        Some(&people[asker]),
                        Some(body),
                    )
                    .await;
                assert!(
                    status == StatusCode::CREATED || status == StatusCode::UNPROCESSABLE_ENTITY,
                    "{q}"
                );
                if status == StatusCode::CREATED {
                    questions.push(Asked {
                        id: q["id"].as_str().unwrap().to_owned(),
                        asker,
                        answers: Vec::new(),
                    });
                }
            }
            Op::Answer { user, question } => {
                let Some(q) = questions.get_mut(question) else {
                    continue;
                };
                let path = format!("/api/v1/questions/{}/answers", q.id);
                let (status, a) = app
                    .send(
                        Method::POST,
                        &path,
                        Some(&people[user]),
                        Some(json!({ "content": "답" })),
                    )
                    .await;
                assert!(
                    status.is_success()
                        || status == StatusCode::NOT_FOUND
                        || status == StatusCode::CONFLICT,
                    "{a}"
                );
                if status.is_success() {
                    q.answers.push((a["id"].as_str().unwrap().to_owned(), user));
                    let today = rewarded.iter().filter(|(who, _)| *who == user).count();
                    if user != q.asker && today < 10 {
                        rewarded.insert((user, q.id.clone()));
                    }
                }
            }
            Op::Accept { question, answer } => {
                let Some(q) = questions.get(question) else {
                    continue;
                };
                let Some((answer_id, _)) = q.answers.get(answer) else {
                    continue;
                };
                let path = format!("/api/v1/answers/{answer_id}/accept");
                let (status, body) = app
                    .send(Method::PUT, &path, Some(&people[q.asker]), None)
                    .await;
                assert!(status.as_u16() < 500, "{body}");
                if status == StatusCode::OK {
                    accepted.insert(q.id.clone());
                }
            }
            Op::Delete { question } => {
                let Some(q) = questions.get(question) else {
                    continue;
                };
                let path = format!("/api/v1/questions/{}", q.id);
                let (status, body) = app
                    .send(Method::DELETE, &path, Some(&people[q.asker]), None)
                    .await;
                assert!(status.as_u16() < 500, "{body}");
            }
        }
        assert_sound(&audit(&app, &admin).await);
    }
    let expected_rewards = |audit: &serde_json::Value| {
        let members = i64::try_from(PEOPLE + 1).unwrap();
        let answer_rewards = i64::try_from(rewarded.len()).unwrap();
        let acceptances = i64::try_from(accepted.len()).unwrap();
        assert_eq!(
            audit["rewards_paid"].as_i64().unwrap(),
            members * 100 + answer_rewards * 5 + acceptances * 20,
            "{audit}"
        );
    };
    expected_rewards(&audit(&app, &admin).await);
    // A week on, every open bounty goes back to its asker.
    clock.advance(std::time::Duration::from_secs(8 * 24 * 3600));
    app.ctx
        .jobs
        .enqueue_now(platform::jobs::NewJob::new("ask.close_expired", json!({})))
        .await
        .unwrap();
    let settled = poll(10, || async {
        let a = audit(&app, &admin).await;
        (a["escrow"] == 0, a)
    })
    .await;
    assert_eq!(settled["escrow"], 0, "{settled}");
    assert_sound(&settled);
    expected_rewards(&settled);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_ledger_stays_sound_and_conserves_points(ops in proptest::collection::vec(op(), 10..80)) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(run(ops));
    }
}
