//! The assistant's pages over HTTP: a conversation started, a message sent by the form (and by
//! the script's stream), the profile panel showing what was learnt.

use reqwest::StatusCode;

use crate::common::{Browser, spawn};

#[tokio::test]
async fn a_conversation_fills_the_profile_panel() {
    let app = spawn().await;
    let me = Browser::new(&app);
    me.sign_up("sora").await;
    let list = me.get("/assistant").await;
    assert_eq!(list.status, StatusCode::OK);
    let started = me
        .post("/assistant", &list, &[("title", "수면 상담")])
        .await;
    let chat_url = started.location.expect("to the new conversation");
    let chat = me.get(&chat_url).await;
    assert!(chat.body.contains("수면 상담"));
    assert!(chat.body.contains("아직 알려진 것이 없어요."));

    // An empty message is refused in place.
    let refused = me.post(&chat_url, &chat, &[("text", " ")]).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("id=\"text-error\""));

    let sent = me
        .post(
            &chat_url,
            &chat,
            &[("text", "저는 30대이고 잠을 잘 못 자요")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let chat = me.get(&chat_url).await;
    assert!(chat.body.contains("class=\"bubble mine\""));
    assert!(chat.body.contains("class=\"bubble theirs\""));
    assert!(
        chat.body.contains("<span class=\"tag\">30대</span>"),
        "{}",
        chat.body
    );
    let panel = me.get(&format!("{chat_url}/profile")).await;
    assert!(
        panel
            .body
            .starts_with("<section class=\"card profile-panel\"")
    );
    assert!(panel.body.contains("30대"));

    // The script's path: the API's event stream, handed on, behind the CSRF header.
    let stream = me
        .client
        .post(app.url(&format!("{chat_url}/stream")))
        .header("x-csrf-token", chat.csrf())
        .json(&serde_json::json!({ "text": "아침에 걷기를 좋아해요" }))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let events = stream.text().await.unwrap();
    assert!(events.contains("event: profile"), "{events}");
    assert!(events.contains("event: done"), "{events}");
    let forged = me
        .client
        .post(app.url(&format!("{chat_url}/stream")))
        .json(&serde_json::json!({ "text": "csrf 없이" }))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}
