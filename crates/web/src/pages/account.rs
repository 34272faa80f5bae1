//! Signing up, in and out, the language and the profile settings.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use super::{PageResult, Shell, local, render};
use crate::Web;
use crate::api::{Payload, Problem};
use crate::failure::Fields;
use crate::i18n::Lang;
use crate::session::{Tokens, Visit};

#[derive(Template)]
#[template(path = "login.html")]
// `login` is the name of the form field it refills.
#[allow(clippy::struct_field_names)]
struct Login {
    shell: Shell,
    login: String,
    next: String,
    fields: Fields,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

/// `GET /login`.
pub async fn login_page(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Query(query): Query<LoginQuery>,
) -> PageResult {
    Ok(render(&Login {
        shell: Shell::load(&web, &visit, "").await?,
        login: String::new(),
        next: local(&query.next).to_owned(),
        fields: Fields::default(),
    }))
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// `POST /login`: signs in and goes back to where the visitor was.
pub async fn login(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let body = json!({ "login": form.login, "password": form.password });
    match sign_in(&web, &visit, body).await {
        Ok(signed_in) => Ok(signed_in(local(&form.next))),
        Err(problem) if matches!(problem.status, 400 | 401 | 422) => {
            let fields = Fields::one("password", visit.lang.shell().wrong_login);
            let page = Login {
                shell: Shell::load(&web, &visit, "").await?,
                login: form.login,
                next: local(&form.next).to_owned(),
                fields,
            };
            Ok(render(&page))
        }
        Err(problem) => Err(visit.fail(problem)),
    }
}

/// Signs in with `credentials`; the answer redirects to a page with the session cookies set.
async fn sign_in(
    web: &Web,
    visit: &Visit,
    credentials: serde_json::Value,
) -> Result<impl FnOnce(&str) -> Response, Problem> {
    let tokens: Tokens = web
        .api
        .call(
            visit.caller(),
            Method::POST,
            "/api/v1/auth/login",
            Some(Payload::json(&credentials)),
        )
        .await?;
    let cookies = visit.sign_in_cookies(&tokens);
    Ok(move |to: &str| {
        let mut response = Redirect::to(to).into_response();
        for cookie in cookies {
            response.headers_mut().append(SET_COOKIE, cookie);
        }
        response
    })
}

#[derive(Template)]
#[template(path = "signup.html")]
struct Signup {
    shell: Shell,
    username: String,
    email: String,
    fields: Fields,
}

/// `GET /signup`.
pub async fn signup_page(State(web): State<Web>, Extension(visit): Extension<Visit>) -> PageResult {
    Ok(render(&Signup {
        shell: Shell::load(&web, &visit, "").await?,
        username: String::new(),
        email: String::new(),
        fields: Fields::default(),
    }))
}

#[derive(Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /signup`: creates the account and signs in.
pub async fn signup(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Form(form): Form<SignupForm>,
) -> PageResult {
    let registered = web
        .api
        .send::<IgnoredAny>(
            &visit,
            Method::POST,
            "/api/v1/auth/register",
            &json!({ "username": form.username, "email": form.email, "password": form.password }),
        )
        .await;
    match registered {
        Ok(_) => {
            let credentials = json!({ "login": form.username, "password": form.password });
            let signed_in = sign_in(&web, &visit, credentials)
                .await
                .map_err(|p| visit.fail(p))?;
            Ok(signed_in("/"))
        }
        Err(failure) => {
            let fields = failure.into_fields()?;
            let page = Signup {
                shell: Shell::load(&web, &visit, "").await?,
                username: form.username,
                email: form.email,
                fields,
            };
            Ok(render(&page))
        }
    }
}

/// `POST /logout`: revokes the session and forgets its cookies.
pub async fn logout(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    headers: HeaderMap,
) -> Response {
    if let Some(refresh) = Visit::refresh_token(&headers) {
        let body = Payload::json(&json!({ "refresh_token": refresh }));
        if let Err(problem) = web
            .api
            .call::<IgnoredAny>(
                visit.caller(),
                Method::POST,
                "/api/v1/auth/logout",
                Some(body),
            )
            .await
        {
            tracing::warn!(
                status = problem.status,
                "signing out could not revoke the session"
            );
        }
    }
    let mut response = Redirect::to("/").into_response();
    for cookie in visit.sign_out_cookies() {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    #[serde(default)]
    next: String,
}

/// `POST /lang`: keeps the visitor's language choice.
pub async fn language(
    Extension(visit): Extension<Visit>,
    Form(form): Form<LanguageForm>,
) -> Response {
    let lang = if form.lang == "en" {
        Lang::En
    } else {
        Lang::Ko
    };
    let mut response = Redirect::to(local(&form.next)).into_response();
    response
        .headers_mut()
        .append(SET_COOKIE, visit.language_cookie(lang));
    response
}

#[derive(Template)]
#[template(path = "settings.html")]
struct Settings {
    shell: Shell,
    display_name: String,
    bio: String,
    saved: bool,
    fields: Fields,
}

#[derive(Deserialize, Default)]
pub struct SettingsQuery {
    #[serde(default)]
    saved: bool,
}

/// `GET /settings`.
pub async fn settings_page(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Query(query): Query<SettingsQuery>,
) -> PageResult {
    let shell = Shell::load(&web, &visit, "").await?;
    let Some(me) = shell.me.clone() else {
        return Err(visit.sign_in_first());
    };
    Ok(render(&Settings {
        shell,
        display_name: me.display_name.unwrap_or_default(),
        bio: me.bio.unwrap_or_default(),
        saved: query.saved,
        fields: Fields::default(),
    }))
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    bio: String,
}

/// `POST /settings`: an empty field clears it.
pub async fn settings(
    State(web): State<Web>,
    Extension(visit): Extension<Visit>,
    Form(form): Form<SettingsForm>,
) -> PageResult {
    let blank_as_null = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let body = json!({
        "display_name": blank_as_null(&form.display_name),
        "bio": blank_as_null(&form.bio),
    });
    match web
        .api
        .send::<IgnoredAny>(&visit, Method::PUT, "/api/v1/users/me", &body)
        .await
    {
        Ok(_) => Ok(Redirect::to("/settings?saved=true").into_response()),
        Err(failure) => {
            let fields = failure.into_fields()?;
            let page = Settings {
                shell: Shell::load(&web, &visit, "").await?,
                display_name: form.display_name,
                bio: form.bio,
                saved: false,
                fields,
            };
            Ok(render(&page))
        }
    }
}
