//! `maru demo`: two farms for the `demo` account. A broiler farm with the feeds and constraints of
//! `docs/examples/broiler-starter.json` (demonstration values, not a feed table), and a Hanwoo
//! farm whose feeds come from the default library at example Korean prices, with a finishing
//! group and the ration formulated against its NRC requirements.

use platform::AppContext;
use platform::accounts::{CurrentUser, Scopes, service as accounts};

use crate::engine::library::library;
use crate::engine::parse;
use crate::engine::problem::Constraint;
use crate::engine::requirements::{Animal, beef};
use crate::engine::units::{Kg, McalPerKgDm};
use crate::model::FormulationRequest;
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
        let feed = model::Feed::from_ingredient(ingredient.clone());
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
    hanwoo(ctx, &demo).await
}

/// Example prices, won per kg as fed.
const HANWOO_FEEDS: [(&str, f64); 10] = [
    ("corn_grain", 420.0),
    ("soybean_meal_48", 760.0),
    ("wheat_bran", 380.0),
    ("rice_bran", 400.0),
    ("ddgs", 480.0),
    ("grass_hay", 600.0),
    ("wheat_straw", 260.0),
    ("corn_silage", 150.0),
    ("limestone", 120.0),
    ("dicalcium_phosphate", 1000.0),
];

async fn hanwoo(ctx: &AppContext, demo: &CurrentUser) -> anyhow::Result<()> {
    let farm = service::create_farm(ctx, demo, "데모 한우 농장").await?;
    for (code, price) in HANWOO_FEEDS {
        if let Some(source) = library().feed(code) {
            let feed = model::Feed::from_ingredient(source.ingredient(price));
            service::add_feed(ctx, demo, farm.id, feed).await?;
        }
    }
    let steer = Animal::Beef {
        body_weight_kg: 550.0,
        daily_gain_kg: 0.9,
        final_shrunk_weight_kg: 700.0,
        diet_nem_mcal: Some(1.7),
    };
    service::add_group(
        ctx,
        demo,
        farm.id,
        "비육우 (거세, 550 kg)".to_owned(),
        40,
        steer,
    )
    .await?;
    let Some(t) = beef::diet_targets(Kg(550.0), Kg(0.9), Kg(700.0), McalPerKgDm(1.7)) else {
        return Ok(());
    };
    let nutrient = |name: &str, min: f64, max: Option<f64>| Constraint::Nutrient {
        nutrient: name.to_owned(),
        min: Some(min),
        max,
    };
    let forages = ["grass_hay", "wheat_straw", "corn_silage"].map(str::to_owned);
    let request = FormulationRequest {
        name: "한우 비육 후기 TMR".to_owned(),
        basis: crate::engine::Basis::Dm,
        feeds: HANWOO_FEEDS
            .iter()
            .map(|(code, _)| (*code).to_owned())
            .collect(),
        constraints: vec![
            Constraint::Total { value: 1.0 },
            nutrient("nem", t.nem.0, None),
            nutrient("neg", t.neg.0, None),
            nutrient("cp", 12.0, None),
            nutrient("ca", t.calcium_pct, Some(1.0)),
            nutrient("p", t.phosphorus_pct, None),
            nutrient("ndf", 28.0, None),
            // Rumen health: fat at most 6 % of DM; Ca:P of 1.5-3 against urinary calculi.
            Constraint::Nutrient {
                nutrient: "fat".to_owned(),
                min: None,
                max: Some(6.0),
            },
            Constraint::NutrientRatio {
                numerator: "ca".to_owned(),
                denominator: "p".to_owned(),
                min: Some(1.5),
                max: Some(3.0),
            },
            Constraint::Group {
                name: Some("forage".to_owned()),
                ingredients: forages.to_vec(),
                min: Some(0.15),
                max: None,
            },
        ],
        batch_kg: Some(1000.0),
        intake_kg_dm: Some(t.intake.0),
    };
    service::formulate_and_save(ctx, demo, farm.id, request).await?;
    Ok(())
}
