//! Demonstration data: a conversation of minji's, with the profile it built.

use platform::AppContext;

use crate::llm::Tier;
use crate::model::{NewMessage, NewSession};
use crate::service::{self, Shared};

const STEPS: &[&str] = &[
    "안녕하세요!",
    "저는 30대 직장인이고 살을 빼고 싶어요. 하루에 6시간 정도 자요.",
    "일주일에 두 번 달리기를 하고 아침 운동을 좋아해요.",
    "잠을 더 잘 자려면 어떻게 해야 하나요?",
];

pub async fn load(ctx: &AppContext, state: &Shared) -> anyhow::Result<()> {
    let Some(minji) = platform::accounts::service::find_by_username(ctx, "minji")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    else {
        return Ok(());
    };
    if !service::list(ctx, minji.id)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .is_empty()
    {
        return Ok(());
    }
    let session = service::create(
        ctx,
        minji.id,
        NewSession {
            title: Some("건강 코칭".to_owned()),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    for text in STEPS {
        let message = NewMessage {
            text: (*text).to_owned(),
            priority: Tier::Standard,
        };
        service::step(ctx, state, minji.id, session.id, &message, None)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}
