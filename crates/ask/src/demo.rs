//! `maru demo`: a Jeju-centred 동네물어봐 — verified locals and travellers, questions at real
//! places (restaurants, beaches, buses, Hallasan's weather) plus a few in Busan and Seoul,
//! answers from locals, accepted answers with bounties, and an urgent question routed to the
//! locals near it. Deterministic, and loaded once: a second `maru demo` adds nothing.

use platform::accounts::{
    CurrentUser, Email, NewPassword, Scopes, User, Username, service as accounts,
};
use platform::{AppContext, DEMO_PASSWORD};

use crate::geo::GeoPoint;
use crate::model::{AnswerId, Category, Place, Urgency};
use crate::service::{self, NewAnswer, NewQuestion};
use crate::store::{self, ListFilter};

/// Locals: (username, nickname, where they live).
const LOCALS: [(&str, &str, f64, f64); 12] = [
    ("halla_kim", "한라산지기", 33.4996, 126.5312),
    ("aewol_lee", "애월토박이", 33.4627, 126.3101),
    ("seogwipo_park", "서귀포댁", 33.2500, 126.5636),
    ("hamdeok_choi", "함덕주민", 33.5434, 126.6694),
    ("seongsan_jung", "성산일출", 33.4589, 126.9425),
    ("hallim_kang", "한림바다", 33.4100, 126.2650),
    ("jungmun_cho", "중문사람", 33.2500, 126.4120),
    ("dongmun_yoon", "동문시장단골", 33.5121, 126.5279),
    ("pyoseon_jang", "표선해녀손녀", 33.3262, 126.8377),
    ("moseulpo_lim", "모슬포선장", 33.2169, 126.2510),
    ("haeundae_kim", "해운대갈매기", 35.1587, 129.1604),
    ("mapo_lee", "마포사는서울러", 37.5572, 126.9245),
];

/// Travellers who ask: (username, nickname).
const TRAVELLERS: [(&str, &str); 6] = [
    ("minji", "민지"),
    ("jiho", "지호"),
    ("seoyeon", "서연"),
    ("trip_hajun", "여행가하준"),
    ("trip_sua", "뚜벅이수아"),
    ("trip_doyun", "캠핑도윤"),
];

/// A real place and what people ask about it.
struct Spot {
    name: &'static str,
    lat: f64,
    lng: f64,
    category: Category,
    tags: &'static [&'static str],
    questions: &'static [(&'static str, &'static str)],
    answers: &'static [&'static str],
}

const SPOTS: [Spot; 16] = [
    Spot {
        name: "동문시장",
        lat: 33.5121,
        lng: 126.5279,
        category: Category::Food,
        tags: &["제주맛집", "동문시장", "야시장"],
        questions: &[
            (
                "동문시장 야시장 몇 시에 열어요?",
                "오늘 저녁에 가보려는데 야시장 시작 시간이랑 추천 메뉴 알려주세요.",
            ),
            (
                "동문시장 근처 고기국수 맛집 추천해주세요",
                "관광객 말고 현지인이 가는 곳으로요. 혼밥 가능한 곳이면 좋아요.",
            ),
        ],
        answers: &[
            "야시장은 저녁 6시쯤부터 열고 8시가 제일 붐벼요. 흑돼지 김치말이랑 전복김밥 추천!",
            "시장 8번 게이트 쪽 국수집이 현지인 단골 많아요. 혼밥 손님도 많습니다.",
            "주차는 동문공영주차장이 제일 편해요. 1시간 무료 아니니 참고하세요.",
        ],
    },
    Spot {
        name: "제주국제공항",
        lat: 33.5104,
        lng: 126.4914,
        category: Category::Transport,
        tags: &["제주공항", "버스", "렌터카"],
        questions: &[
            (
                "공항에서 중문 가는 버스 뭐 타요?",
                "짐이 많은데 공항리무진이 나을까요 600번이 나을까요?",
            ),
            (
                "렌터카 셔틀 타는 곳 어디예요?",
                "도착층에서 렌터카 하우스 가는 셔틀 위치 알려주세요.",
            ),
        ],
        answers: &[
            "600번 공항리무진이 중문 호텔 앞까지 가요. 20분 간격이고 짐칸 있어요.",
            "1층 도착장 5번 게이트 나가서 길 건너면 렌터카 셔틀 승강장 있어요.",
            "택시 타면 중문까지 40분, 3만원 정도 나와요.",
        ],
    },
    Spot {
        name: "협재해수욕장",
        lat: 33.394,
        lng: 126.2397,
        category: Category::Activity,
        tags: &["협재", "제주바다", "해수욕장"],
        questions: &[
            (
                "협재 지금 물놀이 괜찮나요?",
                "파도 높은지, 해파리 있는지 궁금해요.",
            ),
            (
                "협재 근처 노을 보기 좋은 카페 있나요?",
                "바다 보이는 자리 있는 곳이면 좋겠어요.",
            ),
        ],
        answers: &[
            "오늘 오후는 잔잔해요. 해파리는 아직 안 보였어요.",
            "협재 포구 쪽 2층 카페들이 노을 명당이에요. 6시 반 전에 가야 자리 있어요.",
            "금능 쪽으로 조금만 걸어가면 사람 훨씬 적어요.",
        ],
    },
    Spot {
        name: "한라산 성판악",
        lat: 33.3846,
        lng: 126.62,
        category: Category::Weather,
        tags: &["한라산", "등산", "날씨"],
        questions: &[
            (
                "내일 한라산 백록담 등반 가능할까요?",
                "비 예보가 있던데 입산 통제되나요? 성판악 코스 예약했어요.",
            ),
            (
                "성판악 주차장 몇 시에 꽉 차요?",
                "새벽에 가야 하나요? 버스 타는 게 나을까요?",
            ),
        ],
        answers: &[
            "호우주의보 나오면 통제돼요. 아침 6시에 국립공원 홈페이지 공지 꼭 확인하세요.",
            "주말엔 6시 전에 차요. 281번 버스 타면 성판악 입구에 바로 내려줘요.",
            "정상은 바람이 세서 한여름에도 바람막이 챙기세요.",
        ],
    },
    Spot {
        name: "성산일출봉",
        lat: 33.4589,
        lng: 126.9425,
        category: Category::Activity,
        tags: &["성산일출봉", "일출", "우도"],
        questions: &[
            (
                "성산일출봉 일출 보려면 몇 시에 올라가요?",
                "요즘 일출 시간이랑 매표소 여는 시간 알려주세요.",
            ),
            (
                "성산에서 우도 배 타는 곳 가까워요?",
                "일출 보고 바로 우도 들어가고 싶어요.",
            ),
        ],
        answers: &[
            "요즘 일출이 5시 반쯤이라 5시에는 오르기 시작하세요. 매표소는 일출 1시간 전에 열어요.",
            "성산항까지 차로 5분이에요. 첫 배가 8시라 일출 보고 딱 맞아요.",
        ],
    },
    Spot {
        name: "애월 한담해안산책로",
        lat: 33.4627,
        lng: 126.3101,
        category: Category::Activity,
        tags: &["애월", "산책", "제주카페"],
        questions: &[
            (
                "한담해안산책로 유모차 끌고 갈 수 있나요?",
                "아기랑 같이 가려는데 길이 평탄한지 궁금해요.",
            ),
            (
                "애월 카페거리 주차 어디에 해요?",
                "주말 오후에 가려고 해요.",
            ),
        ],
        answers: &[
            "산책로 중간에 계단 구간이 있어서 유모차는 곽지 쪽 입구에서 반만 가는 걸 추천해요.",
            "한담공원 공영주차장이 무료예요. 주말엔 11시 전에 오셔야 해요.",
        ],
    },
    Spot {
        name: "서귀포 매일올레시장",
        lat: 33.25,
        lng: 126.5636,
        category: Category::Food,
        tags: &["서귀포맛집", "올레시장", "제주맛집"],
        questions: &[
            (
                "올레시장 회 포장 어디가 싱싱해요?",
                "숙소에서 먹으려고 모둠회 포장하려고요.",
            ),
            (
                "서귀포 갈치조림 맛집 추천 부탁드려요",
                "2인분 가능한 곳이면 좋겠어요.",
            ),
        ],
        answers: &[
            "시장 안쪽 수산 골목 끝집이 손질 깔끔해요. 방어철이면 방어 꼭 드세요.",
            "정방폭포 가는 길에 있는 갈치조림집들 2인분 돼요. 통갈치는 미리 전화하세요.",
            "시장은 9시 전에 문 닫는 가게가 많으니 일찍 가세요.",
        ],
    },
    Spot {
        name: "중문색달해변",
        lat: 33.2445,
        lng: 126.4108,
        category: Category::Activity,
        tags: &["중문", "서핑", "제주바다"],
        questions: &[(
            "중문 서핑 초보 강습 어디서 받아요?",
            "처음 타보는데 장비 대여까지 되는 곳 있을까요?",
        )],
        answers: &[
            "해변 계단 내려가면 서핑숍 두 군데 있어요. 2시간 강습에 보드랑 슈트 포함이에요.",
            "오후에 파도가 좋아요. 오전은 너무 잔잔할 때가 많아요.",
        ],
    },
    Spot {
        name: "함덕해수욕장",
        lat: 33.5434,
        lng: 126.6694,
        category: Category::Lodging,
        tags: &["함덕", "숙소", "제주바다"],
        questions: &[
            (
                "함덕 바다 보이는 숙소 추천해주세요",
                "4인 가족이고 주차 되는 곳이면 좋겠어요.",
            ),
            (
                "함덕 해변 샤워장 무료인가요?",
                "물놀이 하고 씻을 곳이 있는지 궁금해요.",
            ),
        ],
        answers: &[
            "서우봉 쪽 펜션들이 바다 보이고 주차 넉넉해요. 성수기엔 한 달 전 예약 필수예요.",
            "해수욕장 개장 기간엔 공용 샤워장 무료예요. 온수는 유료입니다.",
        ],
    },
    Spot {
        name: "제주시외버스터미널",
        lat: 33.4998,
        lng: 126.5148,
        category: Category::Transport,
        tags: &["버스", "제주버스", "뚜벅이"],
        questions: &[
            (
                "터미널에서 성산 가는 급행 몇 분 간격이에요?",
                "뚜벅이 여행 중이라 버스로만 다녀요.",
            ),
            (
                "제주 버스 교통카드 어디서 충전해요?",
                "티머니 카드 쓰던 거 되나요?",
            ),
        ],
        answers: &[
            "111번, 112번 급행이 30분 간격이에요. 성산까지 1시간 조금 넘게 걸려요.",
            "티머니 그대로 돼요. 터미널 편의점에서 충전 가능해요.",
        ],
    },
    Spot {
        name: "우도",
        lat: 33.5062,
        lng: 126.9531,
        category: Category::Transport,
        tags: &["우도", "전기자전거", "땅콩아이스크림"],
        questions: &[(
            "우도 들어가면 전기자전거 빌리는 게 나아요?",
            "2시간 정도 돌아보려고 해요.",
        )],
        answers: &[
            "전기자전거나 삼륜차 추천해요. 한 바퀴 1시간 반이면 돌아요.",
            "하고수동 해변 땅콩아이스크림은 꼭 드세요!",
        ],
    },
    Spot {
        name: "한림공원",
        lat: 33.3893,
        lng: 126.2393,
        category: Category::Life,
        tags: &["한림", "아이와제주", "실내여행"],
        questions: &[(
            "비 오는 날 아이랑 갈 만한 곳 있나요?",
            "한림 근처에 숙소가 있어요. 실내 위주로 찾고 있어요.",
        )],
        answers: &[
            "한림공원 동굴 구간은 비 와도 괜찮아요. 근처 아쿠아리움도 추천해요.",
            "오설록 티뮤지엄도 실내라 비 오는 날 좋아요. 차로 20분이에요.",
        ],
    },
    Spot {
        name: "모슬포항",
        lat: 33.2169,
        lng: 126.251,
        category: Category::Food,
        tags: &["방어", "모슬포", "제주맛집"],
        questions: &[("모슬포 방어 축제 언제 해요?", "방어회 먹으러 가려고 해요.")],
        answers: &["보통 11월 말에 해요. 축제 아니어도 항구 앞 횟집들에서 방어 드실 수 있어요."],
    },
    Spot {
        name: "표선해수욕장",
        lat: 33.3262,
        lng: 126.8377,
        category: Category::Weather,
        tags: &["표선", "바람", "날씨"],
        questions: &[(
            "표선 지금 바람 많이 부나요?",
            "캠핑하려는데 텐트 칠 만한지 궁금해요.",
        )],
        answers: &["오늘은 초속 8미터 넘게 불어서 텐트는 비추예요. 내일 오후부터 잦아든대요."],
    },
    Spot {
        name: "해운대",
        lat: 35.1587,
        lng: 129.1604,
        category: Category::Food,
        tags: &["부산맛집", "해운대", "돼지국밥"],
        questions: &[(
            "해운대 돼지국밥 어디가 맛있어요?",
            "아침 일찍 여는 곳이면 좋겠어요.",
        )],
        answers: &["해운대시장 안 국밥집들이 아침 7시부터 해요. 수육백반 추천!"],
    },
    Spot {
        name: "홍대입구역",
        lat: 37.5572,
        lng: 126.9245,
        category: Category::Life,
        tags: &["서울", "홍대", "공연"],
        questions: &[(
            "홍대 주말 버스킹 어디서 해요?",
            "처음 가봐서 어디로 가야 할지 모르겠어요.",
        )],
        answers: &["걷고싶은거리 놀이터 쪽이 버스킹 제일 많아요. 토요일 저녁이 피크예요."],
    },
];

fn as_member(user: &User) -> CurrentUser {
    CurrentUser {
        id: user.id,
        role: user.role,
        scopes: Scopes::All,
    }
}

async fn accounts_for(ctx: &AppContext, names: &[&str]) -> anyhow::Result<Vec<User>> {
    let wanted = names
        .iter()
        .map(|name| {
            Ok((
                Username::parse(name).map_err(anyhow::Error::msg)?,
                Email::parse(&format!("{name}@demo.maru.local")).map_err(anyhow::Error::msg)?,
            ))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let password = NewPassword::parse(DEMO_PASSWORD).map_err(anyhow::Error::msg)?;
    Ok(accounts::register_demo_accounts(ctx, &wanted, password).await?)
}

pub async fn load(ctx: &AppContext) -> anyhow::Result<()> {
    if store::count(ctx.db.reader(), &ListFilter::default()).await? > 0 {
        return Ok(());
    }
    let local_names: Vec<&str> = LOCALS.iter().map(|l| l.0).collect();
    let locals = accounts_for(ctx, &local_names).await?;
    for (user, &(_, nickname, lat, lng)) in locals.iter().zip(&LOCALS) {
        let member = as_member(user);
        service::set_nickname(ctx, &member, nickname).await?;
        service::verify_location(ctx, &member, GeoPoint::new_unchecked(lat, lng)).await?;
    }
    let traveller_names: Vec<&str> = TRAVELLERS.iter().map(|t| t.0).collect();
    let travellers = accounts_for(ctx, &traveller_names).await?;
    for (user, &(_, nickname)) in travellers.iter().zip(&TRAVELLERS) {
        service::set_nickname(ctx, &as_member(user), nickname).await?;
    }
    let mut turn = 0usize;
    for spot in &SPOTS {
        let nearest_locals: Vec<&User> = {
            let here = GeoPoint::new_unchecked(spot.lat, spot.lng);
            let mut by_distance: Vec<(f64, &User)> = locals
                .iter()
                .zip(&LOCALS)
                .map(|(u, l)| (here.distance_m(GeoPoint::new_unchecked(l.2, l.3)), u))
                .collect();
            by_distance.sort_by(|a, b| a.0.total_cmp(&b.0));
            by_distance.into_iter().take(3).map(|(_, u)| u).collect()
        };
        for (title, content) in spot.questions {
            let asker = as_member(&travellers[turn % travellers.len()]);
            turn += 1;
            let new = NewQuestion {
                title: (*title).to_owned(),
                content: (*content).to_owned(),
                category: spot.category,
                hashtags: spot.tags.iter().map(|t| (*t).to_owned()).collect(),
                place: Some(Place {
                    lat: spot.lat,
                    lng: spot.lng,
                    place_name: Some(spot.name.to_owned()),
                }),
                urgency: if turn.is_multiple_of(7) {
                    Urgency::Urgent
                } else {
                    Urgency::Normal
                },
                bounty: [0, 10, 20, 0][turn % 4],
                image_ids: Vec::new(),
            };
            let question = service::ask(ctx, &asker, new).await?;
            let mut answered: Vec<AnswerId> = Vec::new();
            for (i, text) in spot.answers.iter().enumerate() {
                let local = as_member(nearest_locals[i % nearest_locals.len()]);
                let answer = NewAnswer {
                    content: (*text).to_owned(),
                    place: None,
                };
                answered.push(
                    service::answer(ctx, &local, question.summary.id, answer)
                        .await?
                        .id,
                );
            }
            // Most askers accept the first answer; some questions stay open.
            if !turn.is_multiple_of(3)
                && let Some(&first) = answered.first()
            {
                service::accept(ctx, &asker, first).await?;
            }
        }
    }
    Ok(())
}
