//! Live updates: a hub of topics that WebSocket and SSE clients subscribe to.
//!
//! Topics are strings (`user:42`, `session:7:profile`); who may subscribe to what is decided by
//! the policy registered for the topic's prefix (the part before the first `:`). The platform
//! owns `user:{id}` (only that user) and `public` (anyone). Each topic keeps a short history so
//! an SSE client that reconnects with `Last-Event-ID` gets what it missed.

mod http;
mod hub;

pub use http::{first_message_auth, open_socket, router};
pub use hub::{Hub, Message, TopicPolicy};
