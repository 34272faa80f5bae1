//! `maru demo`: a broiler farm for the `demo` account, with the feeds and constraints of
//! `docs/examples/broiler-starter.json` (demonstration values, not a feed table) and one saved
//! formulation.

use platform::AppContext;
use platform::accounts::{CurrentUser, Scopes, service as accounts};

use crate::engine::parse;
use crate::model::{FeedId, FormulationRequest};
use crate::{model, service, store};

const EXAMPLE: &str = include_str!("../../../docs/examples/broiler-starter.json");

pub async fn load(ctx: &AppContext) -> anyhow::Result<()> {
    let Some(user) = accounts::find_by_username(ctx, "demo").await? else {
        return Ok(());
    };
    let demo = CurrentUser {
        id: user.id,
        role: user.role,
        scopes: Scopes::All,
    };
    if !store::farms_of(ctx.db.reader(), user.id).await?.is_empty() {
        return Ok(());
    }
    let problem = parse(EXAMPLE)?.remove(0);
    let farm = service::create_farm(ctx, &demo, "데모 육계 농장").await?;
    for ingredient in &problem.ingredients {
        let feed = model::Feed {
            id: FeedId::from_raw(0),
            code: ingredient.id.clone(),
            name: ingredient
                .name
                .clone()
                .unwrap_or_else(|| ingredient.id.clone()),
            dm: ingredient.dm,
            nutrient_basis: ingredient.nutrient_basis,
            nutrients: ingredient.nutrients.clone(),
            price: ingredient.cost,
            updated_at: platform::time::Timestamp::from_micros(0),
        };
        service::add_feed(ctx, &demo, farm.id, feed).await?;
    }
    let request = FormulationRequest {
        name: "육계 전기 사료 (broiler starter)".to_owned(),
        basis: problem.basis,
        feeds: problem.ingredients.iter().map(|i| i.id.clone()).collect(),
        constraints: problem.constraints.clone(),
        batch_kg: problem.batch_kg,
        intake_kg_dm: problem.intake_kg_dm,
    };
    service::formulate_and_save(ctx, &demo, farm.id, request).await?;
    Ok(())
}
