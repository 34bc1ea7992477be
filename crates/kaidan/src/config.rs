//! Settings: command-line flags, then `KAIDAN_*` environment variables (clap
//! reads both), then `kaidan.toml`, then defaults. See docs/configuration.md.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

pub const DEFAULT_DATABASE_URL: &str = "sqlite:kaidan-data/kaidan.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The keys of `kaidan.toml`; every one is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub listen: Option<String>,
    /// `text` (default) or `json`.
    pub log_format: Option<String>,
    /// Mark cookies Secure (behind HTTPS).
    pub secure_cookies: Option<bool>,
    pub session_hours: Option<i64>,
    /// PostgreSQL connections per node.
    pub max_connections: Option<u32>,
}

impl FileConfig {
    /// Reads `path` if given (it must exist), else `./kaidan.toml` if it
    /// exists, else nothing.
    pub fn load(path: Option<&Path>) -> anyhow::Result<(FileConfig, Option<PathBuf>)> {
        let path = match path {
            Some(p) => Some(p.to_path_buf()),
            None => Some(PathBuf::from("kaidan.toml")).filter(|p| p.exists()),
        };
        let Some(path) = path else {
            return Ok((FileConfig::default(), None));
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the config file {}", path.display()))?;
        let cfg: FileConfig = toml::from_str(&text)
            .with_context(|| format!("{} is not a valid Kaidan config", path.display()))?;
        Ok((cfg, Some(path)))
    }
}
