//! Where file bytes live.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;

/// A flat store of immutable objects by key. Keys are made by maru (`[a-z0-9/._-]`).
#[async_trait]
pub trait FileStore: Send + Sync + 'static {
    async fn put(&self, key: &str, bytes: Bytes) -> anyhow::Result<()>;
    async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>>;
    async fn delete(&self, key: &str) -> anyhow::Result<()>;
}

/// Files under a directory (by default `<data_dir>/files`).
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
        }
    }

    fn path(&self, key: &str) -> anyhow::Result<PathBuf> {
        let safe = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"/._-".contains(&b))
            && !key
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..");
        anyhow::ensure!(safe, "invalid file key");
        Ok(self.root.join(key))
    }
}

#[async_trait]
impl FileStore for LocalStore {
    async fn put(&self, key: &str, bytes: Bytes) -> anyhow::Result<()> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        // Write aside and rename, so a reader never sees half a file.
        let partial = path.with_extension("partial");
        tokio::fs::write(&partial, &bytes).await?;
        tokio::fs::rename(&partial, &path).await?;
        Ok(())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>> {
        match tokio::fs::read(self.path(key)?).await {
            Ok(b) => Ok(Some(Bytes::from(b))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_reads_and_refuses_escaping_keys() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = LocalStore::new(dir.path());
        assert!(store.put("a/b.png", Bytes::from_static(b"x")).await.is_ok());
        assert_eq!(
            store.get("a/b.png").await.ok().flatten(),
            Some(Bytes::from_static(b"x"))
        );
        assert!(store.put("../evil", Bytes::new()).await.is_err());
        assert!(store.get("a/../../etc/passwd").await.is_err());
        assert!(store.delete("a/b.png").await.is_ok());
        assert_eq!(store.get("a/b.png").await.ok().flatten(), None);
    }
}
