//! Rate limits (GCRA, in process): per IP for anonymous callers, per user for signed-in ones,
//! plus named classes that routes opt into (`auth`, `search`, ...).
//!
//! Every limited answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`;
//! a refused one is a 429 problem with `Retry-After` too.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::future::BoxFuture;
use governor::clock::{Clock as _, DefaultClock};
use governor::middleware::{StateInformationMiddleware, StateSnapshot};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::accounts::Authentication;
use crate::config::LimitsConfig;
use crate::http::ClientIp;
use crate::{AppContext, Error};

/// Who a limit counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Caller {
    User(i64),
    Ip(Option<IpAddr>),
}

type Limiter =
    RateLimiter<Caller, DefaultKeyedStateStore<Caller>, DefaultClock, StateInformationMiddleware>;

struct Bucket {
    limiter: Limiter,
    per_minute: u32,
}

impl Bucket {
    fn new(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(n))
                .with_middleware::<StateInformationMiddleware>(),
            per_minute: n.get(),
        }
    }

    /// The headers to send, or the 429 to answer.
    fn check(&self, caller: &Caller) -> Result<HeaderMap, Box<Response>> {
        let seconds_per_token = 60.0 / f64::from(self.per_minute);
        match self.limiter.check_key(caller) {
            Ok(snapshot) => Ok(self.headers(&snapshot, seconds_per_token)),
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                let mut response = Error::too_many_requests(secs).into_response();
                let headers = response.headers_mut();
                headers.insert("ratelimit-limit", HeaderValue::from(self.per_minute));
                headers.insert("ratelimit-remaining", HeaderValue::from(0));
                headers.insert("ratelimit-reset", HeaderValue::from(secs.max(1)));
                Err(Box::new(response))
            }
        }
    }

    fn headers(&self, snapshot: &StateSnapshot, seconds_per_token: f64) -> HeaderMap {
        let remaining = snapshot.remaining_burst_capacity();
        let reset = (f64::from(self.per_minute - remaining) * seconds_per_token).ceil() as u64;
        let mut headers = HeaderMap::new();
        headers.insert("ratelimit-limit", HeaderValue::from(self.per_minute));
        headers.insert("ratelimit-remaining", HeaderValue::from(remaining));
        headers.insert("ratelimit-reset", HeaderValue::from(reset));
        headers
    }
}

struct Limits {
    anonymous: Bucket,
    user: Bucket,
    classes: HashMap<String, Bucket>,
}

/// The limits in force; empty when limits are switched off.
#[derive(Clone)]
pub struct RateLimits(Option<Arc<Limits>>);

impl RateLimits {
    pub fn new(config: &LimitsConfig) -> Self {
        if !config.enabled {
            return Self(None);
        }
        let classes = config
            .classes
            .iter()
            .map(|(name, n)| (name.clone(), Bucket::new(*n)))
            .collect();
        Self(Some(Arc::new(Limits {
            anonymous: Bucket::new(config.anonymous_per_minute),
            user: Bucket::new(config.user_per_minute),
            classes,
        })))
    }

    /// A layer applying the named class to the routes it wraps. Unknown names are a
    /// configuration mistake, logged once, and limit nothing.
    pub fn class_layer(&self, ctx: &AppContext, class: &str) -> ClassLayer {
        if let Some(limits) = &self.0
            && !limits.classes.contains_key(class)
        {
            tracing::warn!(class, "no rate limit class of this name is configured");
        }
        ClassLayer {
            limits: self.clone(),
            class: Arc::from(class),
            trust_forwarded_for: ctx.config.limits.trust_forwarded_for,
        }
    }

    /// Forgets callers idle long enough to have a full allowance again.
    pub fn shrink(&self) {
        if let Some(limits) = &self.0 {
            limits.anonymous.limiter.retain_recent();
            limits.user.limiter.retain_recent();
            for bucket in limits.classes.values() {
                bucket.limiter.retain_recent();
            }
        }
    }
}

fn caller_of(req: &Request, trust_forwarded_for: bool) -> Caller {
    match req.extensions().get::<Authentication>() {
        Some(Authentication::User(user)) => Caller::User(user.id.get()),
        _ => Caller::Ip(
            ClientIp::from_request(req.headers(), req.extensions(), trust_forwarded_for).0,
        ),
    }
}

/// Middleware: the per-user or per-IP limit on every route.
pub async fn global(State(ctx): State<AppContext>, req: Request, next: Next) -> Response {
    let Some(limits) = &ctx.limits.0 else {
        return next.run(req).await;
    };
    let caller = caller_of(&req, ctx.config.limits.trust_forwarded_for);
    let bucket = if matches!(caller, Caller::User(_)) {
        &limits.user
    } else {
        &limits.anonymous
    };
    match bucket.check(&caller) {
        Ok(headers) => {
            let mut response = next.run(req).await;
            // A class limit already set tighter numbers; keep those.
            if !response.headers().contains_key("ratelimit-limit") {
                response.headers_mut().extend(headers);
            }
            response
        }
        Err(refused) => *refused,
    }
}

/// See [`RateLimits::class_layer`].
#[derive(Clone)]
pub struct ClassLayer {
    limits: RateLimits,
    class: Arc<str>,
    trust_forwarded_for: bool,
}

impl<S> tower::Layer<S> for ClassLayer {
    type Service = ClassLimit<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ClassLimit {
            inner,
            layer: self.clone(),
        }
    }
}

#[derive(Clone)]
pub struct ClassLimit<S> {
    inner: S,
    layer: ClassLayer,
}

impl<S> tower::Service<Request> for ClassLimit<S>
where
    S: tower::Service<Request, Response = Response, Error = std::convert::Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = BoxFuture<'static, Result<Response, std::convert::Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let bucket = self.layer.limits.0.as_ref().and_then(|l| {
            l.classes
                .get(self.layer.class.as_ref())
                .map(|_| Arc::clone(l))
        });
        let Some(limits) = bucket else {
            return Box::pin(self.inner.call(req));
        };
        let caller = caller_of(&req, self.layer.trust_forwarded_for);
        let checked = limits
            .classes
            .get(self.layer.class.as_ref())
            .map(|b| b.check(&caller));
        match checked {
            Some(Err(refused)) => Box::pin(async move { Ok(*refused) }),
            Some(Ok(headers)) => {
                let future = self.inner.call(req);
                Box::pin(async move {
                    let mut response = future.await?;
                    response.headers_mut().extend(headers);
                    Ok(response)
                })
            }
            None => Box::pin(self.inner.call(req)),
        }
    }
}

/// How often the server calls [`RateLimits::shrink`] to forget callers whose allowance is full again.
pub const SHRINK_EVERY: Duration = Duration::from_secs(60);
