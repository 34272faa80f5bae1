//! Files and uploads for every app.
//!
//! `POST /api/v1/uploads` accepts images (JPEG, PNG, WebP, GIF up to 10 MB) recognised by their
//! bytes, never by name or declared type; they are decoded and re-encoded, which drops EXIF
//! (and with it GPS positions), and a thumbnail is made. Other kinds are accepted only where an
//! app's [`UploadPolicy`] allows them. Bytes live behind [`FileStore`]: the data dir by default.

mod http;
mod image;
mod storage;
mod store;

use std::collections::HashMap;
use std::sync::Arc;

pub use http::router;
pub use image::{ProcessedImage, process_image};
pub use storage::{FileStore, LocalStore};
pub use store::{Media, MediaId, find, find_many};

/// File kinds beyond images an app accepts, by content type, with their size limits.
#[derive(Debug, Clone)]
pub struct UploadPolicy {
    pub app: &'static str,
    pub allowed: Vec<(&'static str, usize)>,
}

/// The file service handed to apps.
#[derive(Clone)]
pub struct Files {
    pub store: Arc<dyn FileStore>,
    policies: Arc<HashMap<&'static str, UploadPolicy>>,
}

impl Files {
    pub fn new(store: Arc<dyn FileStore>, policies: Vec<UploadPolicy>) -> Self {
        Self {
            store,
            policies: Arc::new(policies.into_iter().map(|p| (p.app, p)).collect()),
        }
    }

    /// The size limit for a non-image `content_type` uploaded for `app`, if allowed.
    pub fn allowance(&self, app: &str, content_type: &str) -> Option<usize> {
        self.policies
            .get(app)?
            .allowed
            .iter()
            .find(|(t, _)| *t == content_type)
            .map(|(_, max)| *max)
    }

    /// The largest upload any policy allows, to size the request body limit.
    pub fn largest_allowance(&self, image_limit: usize) -> usize {
        self.policies
            .values()
            .flat_map(|p| p.allowed.iter().map(|(_, max)| *max))
            .fold(image_limit, usize::max)
    }
}
