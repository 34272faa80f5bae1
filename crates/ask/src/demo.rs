//! Demonstration data.
use platform::AppContext;
pub async fn load(_ctx: &AppContext) -> anyhow::Result<()> {
    Ok(())
}
