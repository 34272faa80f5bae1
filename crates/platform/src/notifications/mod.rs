//! One notification list for every app, so the user has one bell.
//!
//! An app writes a notification inside its own transaction ([`Notifications::notify`]); the row
//! and a `notification.created` event commit together, and the platform's subscriber pushes it
//! live on the user's topic. Reading, grouping and marking read are the platform's routes.

mod http;
mod model;
mod service;
mod store;

pub use http::router;
pub use model::{NewNotification, Notification, NotificationId};
pub use service::{Notifications, PushLive, export};
