//! `maru demo`: a living Korean-language network — 200 people with a few popular accounts,
//! about 1,200 posts with hashtags spread over the past week, likes, comments and replies — so
//! a first run shows a real feed. The platform's demo accounts (demo, minji, jiho, seoyeon) are
//! part of it. Deterministic: the same data on every machine.

use platform::accounts::{
    CurrentUser, Email, NewPassword, Scopes, User, Username, service as accounts,
};
use platform::time::Timestamp;
use platform::{AppContext, DEMO_PASSWORD};

use crate::model::{CommentId, ContentType, Visibility};
use crate::service::{self, NewContent};
use crate::store;

const PEOPLE: usize = 200;
const POSTS: usize = 1_200;
const WEEK_MICROS: i64 = 7 * 24 * 3_600 * 1_000_000;

const SURNAMES: [(&str, &str); 10] = [
    ("kim", "김"),
    ("lee", "이"),
    ("park", "박"),
    ("choi", "최"),
    ("jung", "정"),
    ("kang", "강"),
    ("cho", "조"),
    ("yoon", "윤"),
    ("jang", "장"),
    ("lim", "임"),
];
const GIVEN: [(&str, &str); 20] = [
    ("minji", "민지"),
    ("jiho", "지호"),
    ("seoyeon", "서연"),
    ("hajun", "하준"),
    ("seojun", "서준"),
    ("jiwoo", "지우"),
    ("sua", "수아"),
    ("doyun", "도윤"),
    ("haeun", "하은"),
    ("yejun", "예준"),
    ("jimin", "지민"),
    ("yujin", "유진"),
    ("hyunwoo", "현우"),
    ("soyun", "소윤"),
    ("junseo", "준서"),
    ("daeun", "다은"),
    ("siwoo", "시우"),
    ("chaewon", "채원"),
    ("gunwoo", "건우"),
    ("jia", "지아"),
];
const PLACES: [&str; 12] = [
    "제주", "부산", "강릉", "전주", "경주", "여수", "속초", "서울", "대구", "인천", "광주", "통영",
];
const FOODS: [&str; 12] = [
    "고기국수",
    "돼지국밥",
    "순두부",
    "비빔밥",
    "떡갈비",
    "갈치조림",
    "물회",
    "칼국수",
    "막창",
    "닭강정",
    "떡볶이",
    "충무김밥",
];
const MOODS: [&str; 8] = [
    "최고였어요",
    "또 가고 싶어요",
    "줄 서서 먹을 만해요",
    "생각보다 평범했어요",
    "분위기가 좋았어요",
    "가성비 좋아요",
    "현지인 추천 맞네요",
    "인생 맛집 등극",
];
const REPLIES: [&str; 10] = [
    "저도 가봤어요!",
    "위치가 어디예요?",
    "사진 너무 좋네요",
    "다음에 꼭 가볼게요",
    "웨이팅 길었나요?",
    "가격은 어땠어요?",
    "여기 진짜 맛있죠",
    "정보 감사합니다 🙏",
    "주차는 편했나요?",
    "같이 가요!",
];

/// A small deterministic generator (the demo is the same everywhere).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from((self.0 >> 33) % (n.max(1) as u64)).unwrap_or(0)
    }

    /// An index below `n` favouring small ones (a few accounts get most attention).
    fn skewed(&mut self, n: usize) -> usize {
        let a = self.below(n);
        let b = self.below(a + 1);
        self.below(b + 1)
    }
}

fn as_user(user: &User) -> CurrentUser {
    CurrentUser {
        id: user.id,
        role: user.role,
        scopes: Scopes::All,
    }
}

async fn people(ctx: &AppContext) -> anyhow::Result<Vec<User>> {
    let mut wanted: Vec<(String, String)> = ["demo", "minji", "jiho", "seoyeon"]
        .iter()
        .map(|u| ((*u).to_owned(), String::new()))
        .collect();
    'outer: for (g_en, g_ko) in GIVEN {
        for (s_en, s_ko) in SURNAMES {
            if wanted.len() == PEOPLE {
                break 'outer;
            }
            wanted.push((format!("{g_en}_{s_en}"), format!("{s_ko}{g_ko}")));
        }
    }
    let accounts_wanted = wanted
        .iter()
        .map(|(name, _)| {
            Ok((
                Username::parse(name).map_err(anyhow::Error::msg)?,
                Email::parse(&format!("{name}@demo.maru.local")).map_err(anyhow::Error::msg)?,
            ))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let password = NewPassword::parse(DEMO_PASSWORD).map_err(anyhow::Error::msg)?;
    let users = accounts::register_demo_accounts(ctx, &accounts_wanted, password).await?;
    for (user, (_, display)) in users.iter().zip(&wanted) {
        if !display.is_empty() && user.display_name.is_none() {
            let change = platform::accounts::ProfileChange {
                display_name: Some(Some(display.clone())),
                ..Default::default()
            };
            accounts::update_profile(ctx, user.id, &change).await?;
        }
    }
    Ok(users)
}

fn post_text(rng: &mut Lcg) -> String {
    let place = PLACES[rng.below(PLACES.len())];
    let food = FOODS[rng.below(FOODS.len())];
    let mood = MOODS[rng.below(MOODS.len())];
    match rng.below(4) {
        0 => format!("{place}에서 {food} 먹었어요. {mood}! #{place}맛집 #{food}"),
        1 => format!(
            "{place} 여행 {}일차, {mood} #{place}여행 #여행",
            rng.below(5) + 1
        ),
        2 => format!("오늘 점심은 {food} 🍜 {mood} #점심 #{food}"),
        _ => format!("주말에 {place} 갈 건데 {food} 맛집 추천해 주세요 #{place} #맛집추천"),
    }
}

pub async fn load(ctx: &AppContext) -> anyhow::Result<()> {
    let users = people(ctx).await?;
    let Some(first) = users.first() else {
        return Ok(());
    };
    if !store::by_author(ctx.db.reader(), first.id, first.id, None, 1)
        .await?
        .is_empty()
    {
        return Ok(()); // already loaded
    }
    let mut rng = Lcg(20_261_122);
    let n = users.len();
    // Follows: everyone follows 5-40 people, popular ones more often; the four named demo
    // accounts follow each other.
    for (i, user) in users.iter().enumerate() {
        let me = as_user(user);
        for _ in 0..(5 + rng.below(36)) {
            let j = rng.skewed(n);
            if j != i {
                service::follow(ctx, &me, users[j].id).await?;
            }
        }
        if i < 4 {
            for (j, other) in users.iter().enumerate().take(4) {
                if j != i {
                    service::follow(ctx, &me, other.id).await?;
                }
            }
        }
    }
    // Posts over the past week, oldest first; the popular write more.
    let start = ctx.clock.now().micros() - WEEK_MICROS;
    let mut posts = Vec::with_capacity(POSTS);
    for k in 0..POSTS {
        let author = &users[rng.skewed(n)];
        let visibility = match rng.below(10) {
            0 => Visibility::Followers,
            1 => Visibility::Private,
            _ => Visibility::Public,
        };
        let new = NewContent {
            content_type: ContentType::Text,
            text: post_text(&mut rng),
            media_ids: Vec::new(),
            visibility,
        };
        let step = WEEK_MICROS / i64::try_from(POSTS).unwrap_or(1);
        let at = Timestamp::from_micros(start + step * i64::try_from(k).unwrap_or(0));
        let post = service::create_at(ctx, &as_user(author), new, at).await?;
        posts.push(post);
    }
    // Likes and comments from whoever may see each post.
    for post in posts.iter().filter(|p| p.visibility == Visibility::Public) {
        for _ in 0..rng.skewed(30) {
            let liker = as_user(&users[rng.below(n)]);
            service::like(ctx, &liker, post.id).await?;
        }
        let mut thread: Vec<CommentId> = Vec::new();
        for _ in 0..rng.skewed(6) {
            let writer = as_user(&users[rng.below(n)]);
            let parent =
                (!thread.is_empty() && rng.below(2) == 0).then(|| thread[rng.below(thread.len())]);
            let text = REPLIES[rng.below(REPLIES.len())].to_owned();
            let comment = service::comment(ctx, &writer, post.id, text, parent).await?;
            thread.push(comment.id);
        }
    }
    Ok(())
}
