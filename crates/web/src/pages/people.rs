//! Who wrote what: the API names people by id, the pages by name (social's posts and
//! comments, the reporters in the operators' queue).

use std::collections::HashMap;

use serde::Deserialize;

use crate::Web;
use crate::pages::segment;
use crate::session::Visit;

/// A user's public profile as `GET /api/v1/users/{id}` answers it.
#[derive(Debug, Clone, Deserialize)]
pub struct Profile {
    pub id: String,
    pub username: String,
    pub display_name: Option<String>,
    #[serde(default)]
    pub bio: Option<String>,
}

/// A person as the pages show them.
#[derive(Debug, Clone)]
pub struct Person {
    pub username: String,
    pub name: String,
    /// The first letter of their name, for the round mark beside it.
    pub initial: String,
}

impl Person {
    /// The stand-in for an account that is gone.
    pub fn gone() -> Self {
        Self {
            username: String::new(),
            name: "—".to_owned(),
            initial: "?".to_owned(),
        }
    }
}

impl From<Profile> for Person {
    fn from(p: Profile) -> Self {
        let name = p
            .display_name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| p.username.clone());
        Self {
            initial: name.chars().next().map(String::from).unwrap_or_default(),
            username: p.username,
            name,
        }
    }
}

/// The people a page names, looked up once each.
pub struct People(HashMap<String, Person>);

impl People {
    /// Looks up every distinct id of `ids` in one request (`GET /api/v1/users?ids=`, at most
    /// 100 a request); accounts that are gone are left out.
    pub async fn load<'a>(web: &Web, visit: &Visit, ids: impl Iterator<Item = &'a str>) -> Self {
        let mut distinct: Vec<String> = ids.map(segment).filter(|id| !id.is_empty()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let found = futures::future::join_all(distinct.chunks(100).map(|ids| {
            web.api
                .get::<Vec<Profile>>(visit, format!("/api/v1/users?ids={}", ids.join(",")))
        }))
        .await;
        Self(
            found
                .into_iter()
                .filter_map(Result::ok)
                .flatten()
                .map(|p| (p.id.clone(), Person::from(p)))
                .collect(),
        )
    }

    /// The person with `id`, or a stand-in for an account that is gone.
    pub fn get(&self, id: &str) -> Person {
        self.0.get(id).cloned().unwrap_or_else(Person::gone)
    }
}
