//! Staff login and logout.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use balai_app::{Actor, AppError, FieldError};
use serde::Deserialize;

use crate::extract::{ClientIp, Form, Layout, SESSION_COOKIE, Visitor};
use crate::security::{CSRF_COOKIE, new_token, set_cookie};
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/masuk", get(login_form).post(login)).route("/keluar", post(logout))
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    errors: Vec<FieldError>,
    username: String,
    next: String,
    has_error: bool,
}

#[derive(Deserialize)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

async fn login_form(visitor: Visitor, Query(q): Query<NextQuery>) -> Response {
    if visitor.user.is_some() {
        return Redirect::to("/staf").into_response();
    }
    LoginPage { layout: visitor.layout(), errors: Vec::new(), username: String::new(), next: q.next, has_error: false }
        .into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientIp(ip): ClientIp,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let outcome = if form.username.trim().is_empty() || form.password.is_empty() {
        Err(AppError::invalid("username", "Isi nama pengguna dan kata sandi."))
    } else {
        state.app.login(&form.username, &form.password, &ip).await
    };
    match outcome {
        Ok(outcome) => {
            // Only local paths: an open redirect would let a link send staff anywhere.
            let next = if form.next.starts_with("/staf") { form.next.as_str() } else { "/staf" };
            let mut response = Redirect::to(next).into_response();
            let max_age = state.app.config().session_ttl.num_seconds();
            set_cookie(&mut response, SESSION_COOKIE, &outcome.token, Some(max_age), state.secure_cookies);
            // A fresh CSRF token with the new session, so a token planted before login is useless.
            set_cookie(&mut response, CSRF_COOKIE, &new_token(), None, state.secure_cookies);
            Ok(response)
        }
        Err(e @ (AppError::LoginFailed | AppError::LockedOut { .. } | AppError::Invalid(_))) => {
            let status = if matches!(e, AppError::LockedOut { .. }) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let page = LoginPage {
                layout: visitor.layout(),
                errors: vec![FieldError::new("username", e.user_message())],
                username: form.username,
                next: form.next,
                has_error: true,
            };
            Ok((status, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn logout(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    if let (Some(user), Some(token)) = (visitor.user, visitor.session_token) {
        state.app.logout(&Actor::Staff(user), &token).await?;
    }
    let mut response = Redirect::to("/").into_response();
    set_cookie(&mut response, SESSION_COOKIE, "", Some(0), state.secure_cookies);
    Ok(response)
}
