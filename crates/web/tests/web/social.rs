//! social's pages over HTTP: posting (with an image), the feed, following, liking, threaded
//! comments, sharing, hashtags, search and blocks, each as a visitor's browser would do it.

use base64::Engine;
use reqwest::StatusCode;

use crate::common::{Browser, Page, spawn};

/// A 1×1 PNG.
const PIXEL: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

/// Posts `text` from the compose box and follows the redirect to the feed.
async fn publish(who: &Browser<'_>, text: &str) -> Page {
    let feed = who.get("/social").await;
    let done = who
        .post_multipart("/social/posts", &feed, &[("text", text)], None)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    who.get(done.location.as_deref().unwrap()).await
}

/// The id of the first post on a page.
fn first_post(page: &Page) -> String {
    let marker = "id=\"post-";
    let start = page.body.find(marker).expect("a post on the page") + marker.len();
    page.body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

#[tokio::test]
async fn the_feed_asks_who_is_visiting() {
    let app = spawn().await;
    let anonymous = Browser::new(&app);
    let page = anonymous.get("/social").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/login?next=%2Fsocial"));
}

#[tokio::test]
async fn a_refused_post_keeps_its_text_and_says_why() {
    let app = spawn().await;
    let minji = Browser::new(&app);
    minji.sign_up("minji").await;
    let feed = minji.get("/social").await;
    let long = "제주".repeat(2_501);
    let refused = minji
        .post_multipart(
            "/social/posts",
            &feed,
            &[("text", &long), ("visibility", "followers")],
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(
        refused.body.contains("id=\"text-error\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(&long));
    assert!(
        refused
            .body
            .contains("<option value=\"followers\" selected>")
    );

    // Not an image: refused next to the photo field, and nothing was posted.
    let feed = minji.get("/social").await;
    let refused = minji
        .post_multipart(
            "/social/posts",
            &feed,
            &[("text", "사진 올려요")],
            Some(("image", "notes.txt", b"not a picture".to_vec())),
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(
        refused.body.contains("id=\"image-error\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("사진 올려요"));
    let feed = minji.get("/social?filter=latest").await;
    assert!(!feed.body.contains("class=\"card post\""));
}

#[tokio::test]
async fn a_post_with_an_image_shows_it_in_the_feed() {
    let app = spawn().await;
    let minji = Browser::new(&app);
    minji.sign_up("minji").await;
    let feed = minji.get("/social").await;
    let pixel = base64::engine::general_purpose::STANDARD
        .decode(PIXEL)
        .unwrap();
    let done = minji
        .post_multipart(
            "/social/posts",
            &feed,
            &[("text", "오늘의 #하늘")],
            Some(("image", "sky.png", pixel)),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let feed = minji.get("/social?filter=latest").await;
    assert!(feed.body.contains("<img src=\"/files/"), "{}", feed.body);
    assert!(
        feed.body
            .contains("href=\"/social/tags/%ED%95%98%EB%8A%98\">#하늘</a>")
    );
}

#[tokio::test]
async fn follow_like_reply_and_share_through_the_pages() {
    let app = spawn().await;
    let (minji, jiho) = (Browser::new(&app), Browser::new(&app));
    minji.sign_up("minji").await;
    jiho.sign_up("jiho").await;

    let profile = jiho.get("/social/u/minji").await;
    assert_eq!(profile.status, StatusCode::OK);
    let followed = jiho
        .post("/social/u/minji/relation", &profile, &[("do", "follow")])
        .await;
    assert_eq!(followed.location.as_deref(), Some("/social/u/minji"));
    let profile = jiho.get("/social/u/minji").await;
    assert!(
        profile.body.contains("<strong>1</strong> 팔로워"),
        "{}",
        profile.body
    );
    assert!(profile.body.contains("value=\"unfollow\""));

    let mine = publish(
        &minji,
        "@jiho 님 #제주맛집 추천해요 <script>alert(1)</script>",
    )
    .await;
    let id = first_post(&mine);
    assert!(!mine.body.contains("<script>alert(1)"), "text is escaped");
    assert!(
        mine.body.contains("&#60;script&#62;alert(1)"),
        "{}",
        mine.body
    );
    assert!(mine.body.contains("<a href=\"/social/u/jiho\">@jiho</a>"));

    assert!(
        app.eventually(5, || async {
            jiho.get("/social?filter=latest")
                .await
                .body
                .contains(&format!("id=\"post-{id}\""))
        })
        .await,
        "the follower's feed has the post"
    );

    let feed = jiho.get("/social?filter=latest").await;
    let liked = jiho
        .post(
            &format!("/social/p/{id}/like"),
            &feed,
            &[("next", "/social?filter=latest")],
        )
        .await;
    assert_eq!(liked.location.as_deref(), Some("/social?filter=latest"));
    let post = jiho.get(&format!("/social/p/{id}")).await;
    assert!(post.body.contains("aria-pressed=\"true\""));
    assert!(post.body.contains("<span class=\"count\">1</span>"));

    let commented = jiho
        .post(
            &format!("/social/p/{id}/comments"),
            &post,
            &[("text", "고기국수 어디예요?")],
        )
        .await;
    assert_eq!(commented.status, StatusCode::SEE_OTHER);
    let comment_id: String = commented
        .location
        .as_deref()
        .unwrap()
        .rsplit("#comment-")
        .next()
        .unwrap()
        .to_owned();
    let post = minji.get(&format!("/social/p/{id}")).await;
    let replied = minji
        .post(
            &format!("/social/p/{id}/comments"),
            &post,
            &[
                ("text", "@jiho 자매국수요"),
                ("parent_comment_id", &comment_id),
            ],
        )
        .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER);
    let post = minji.get(&format!("/social/p/{id}")).await;
    assert!(
        post.body.contains("class=\"comment indent-1\""),
        "{}",
        post.body
    );
    assert!(post.body.contains("jiho님에게 답글"));

    // An empty comment is refused in place.
    let refused = minji
        .post(
            &format!("/social/p/{id}/comments"),
            &post,
            &[("text", "  ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("id=\"text-error\""));

    let post = jiho.get(&format!("/social/p/{id}")).await;
    let shared = jiho
        .post(
            &format!("/social/p/{id}/share"),
            &post,
            &[("text", "여기 가봐야지")],
        )
        .await;
    assert_eq!(shared.status, StatusCode::SEE_OTHER);
    let share_page = jiho.get(shared.location.as_deref().unwrap()).await;
    assert!(share_page.body.contains("여기 가봐야지"));
    assert!(
        share_page.body.contains(&format!("id=\"post-{id}\"")),
        "the original is shown"
    );

    let tag = jiho
        .get("/social/tags/%EC%A0%9C%EC%A3%BC%EB%A7%9B%EC%A7%91")
        .await;
    assert!(tag.body.contains(&format!("id=\"post-{id}\"")));
    assert!(
        app.eventually(5, || async {
            jiho.get("/social/search?q=%EC%A0%9C%EC%A3%BC+%EB%A7%9B%EC%A7%91")
                .await
                .body
                .contains(&format!("id=\"post-{id}\""))
        })
        .await,
        "search finds the post"
    );
    let people = jiho.get("/social/search?type=users&q=minji").await;
    assert!(
        people.body.contains("href=\"/social/u/minji\""),
        "{}",
        people.body
    );

    // Blocked: gone from the feed at once.
    let profile = minji.get("/social/u/jiho").await;
    minji
        .post("/social/u/jiho/relation", &profile, &[("do", "block")])
        .await;
    let feed = jiho.get("/social?filter=latest").await;
    assert!(!feed.body.contains(&format!("id=\"post-{id}\"")));
    let profile = minji.get("/social/u/jiho").await;
    assert!(profile.body.contains("value=\"unblock\""));
}
