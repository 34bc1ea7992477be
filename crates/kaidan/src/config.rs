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
    /// SQLite page cache per connection, in MiB.
    pub sqlite_cache_mib: Option<u32>,
    /// Order numbers (ORD-5), e.g. `SO-{YYYYMMDD}-{SEQ:6}`.
    pub order_number_pattern: Option<kaidan_domain::orders::OrderNumberPattern>,
    /// How far back a new order is compared for duplicates (ORD-3).
    pub duplicate_window_hours: Option<i64>,
    /// How long an API token's user is remembered (0: never).
    pub token_cache_seconds: Option<u64>,
    /// `[review]`: the review rules (ORD-4, FIN-6); keys left out keep
    /// their defaults.
    pub review: Option<kaidan_domain::orders::ReviewSettings>,
    /// `[deadlines]`: review and shipping deadlines (ORD-6).
    pub deadlines: Option<kaidan_domain::orders::DeadlinePolicy>,
    /// `[jobs]`: the scheduled jobs inside `kaidan serve` (PUR-1, PUR-2).
    pub jobs: Option<JobsSettings>,
    /// `[allocation]`: franchisee ordering, the period of the cumulative
    /// ordered quantity (ALC-3) and the lock period (ALC-5).
    pub allocation: Option<kaidan_domain::allocation::AllocationPolicy>,
    /// `[finance]`: due dates of monthly settlement and the ageing buckets
    /// (FIN-2, FIN-4).
    pub finance: Option<kaidan_domain::finance::FinanceSettings>,
    /// `[company]`: the letterhead and seal of printed documents (DOC-1).
    pub company: Option<CompanySettings>,
    /// `[print]`: the font printed documents are set in (DOC-1).
    pub print: Option<PrintFileSettings>,
    /// `[events]`: the outbox relay and the webhook secrets' key (INT-5).
    pub events: Option<crate::events_config::EventsFileSettings>,
    /// `[after_sales]`: return and warranty periods, a default and per
    /// product category (AFS-1).
    pub after_sales: Option<kaidan_domain::after_sales::AfterSalesSettings>,
    /// `[surveys]`: when an order's survey goes out, how long its link is
    /// valid, the satisfied threshold and the questions (AFS-3).
    pub surveys: Option<kaidan_domain::after_sales::SurveySettings>,
}

/// `[company]` of `kaidan.toml` (env `KAIDAN_COMPANY_<KEY>`); without the
/// section and the variables the demo company is printed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanySettings {
    pub name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub tax_number: Option<String>,
    /// Bank and account number, one line.
    pub bank: Option<String>,
    /// A PNG of the seal; absent: a red ring with the name is drawn;
    /// `"none"`: no seal.
    pub seal_image: Option<String>,
}

/// `[print]` of `kaidan.toml` (env `KAIDAN_PRINT_FONT`,
/// `KAIDAN_PRINT_FONT_INDEX`).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintFileSettings {
    /// A CJK TTF, OTF or TTC; absent: the system's (fonts-noto-cjk…).
    pub font: Option<PathBuf>,
    /// The face in a collection; absent: found by family name.
    pub font_index: Option<u32>,
}

/// The longest wait between two looks for due jobs: an hour.
const MAX_TICK_SECONDS: u64 = 3600;

/// `[jobs]` of `kaidan.toml`; every key is optional.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobsSettings {
    /// Run the jobs in this node (default true). Any number of nodes may.
    pub enabled: Option<bool>,
    /// The interval a job gets when the schedule has no row for it yet (a
    /// new database; default 300 s). The schedule itself is data, the same
    /// for every node: `kaidan jobs set`, the jobs page or the API.
    pub interval_seconds: Option<i64>,
    /// How often this node looks for due jobs, in seconds (default 15).
    pub tick_seconds: Option<u64>,
    /// This node's name in the schedule (default: host name and process id).
    pub node: Option<String>,
}

impl JobsSettings {
    pub fn enabled(&self) -> bool {
        self.enabled.unwrap_or(true)
    }

    pub fn tick(&self) -> std::time::Duration {
        // Checked at load (`check`); a zero would make tokio's interval
        // panic, so a value that skipped the check still cannot.
        std::time::Duration::from_secs(self.tick_seconds.unwrap_or(15).max(1))
    }

    /// The bounds of `[jobs]`, each error naming its key.
    pub fn check(&self) -> anyhow::Result<()> {
        if let Some(i) = self.interval_seconds {
            let change = kaidan_domain::schedule::ScheduleChange {
                interval_seconds: Some(i),
                paused: None,
            };
            change.check().map_err(|e| anyhow::anyhow!("[jobs] {e}"))?;
        }
        if let Some(t) = self.tick_seconds
            && !(1..=MAX_TICK_SECONDS).contains(&t)
        {
            anyhow::bail!("[jobs] tick_seconds: {t} is outside 1..={MAX_TICK_SECONDS} seconds");
        }
        Ok(())
    }

    pub fn node(&self) -> String {
        self.node
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(kaidan_app::jobs::default_node)
    }
}

impl FileConfig {
    /// The use cases' settings: defaults, overridden by this file.
    pub fn app_config(&self) -> kaidan_app::AppConfig {
        let mut c = kaidan_app::AppConfig::default();
        if let Some(h) = self.session_hours {
            c.session_hours = h;
        }
        if let Some(p) = &self.order_number_pattern {
            c.numbering = p.clone();
        }
        if let Some(h) = self.duplicate_window_hours {
            c.duplicate_window_hours = h;
        }
        if let Some(s) = self.token_cache_seconds {
            c.token_cache_seconds = s;
        }
        if let Some(r) = &self.review {
            c.review = r.clone();
        }
        if let Some(d) = self.deadlines {
            c.deadlines = d;
        }
        if let Some(i) = self.jobs.as_ref().and_then(|j| j.interval_seconds) {
            c.job_interval_seconds = i;
        }
        // Once: a made-up name has a random part, and the job loop, "run
        // now" and the outbox relay must use the same.
        let jobs = self.jobs.clone().unwrap_or_default();
        c.node = kaidan_app::jobs::JobsNode {
            name: jobs.node(),
            runs_jobs: jobs.enabled(),
        };
        if let Some(a) = self.allocation {
            c.allocation = a;
        }
        if let Some(f) = &self.finance {
            c.finance = f.clone();
        }
        if let Some(a) = &self.after_sales {
            c.after_sales = a.clone();
        }
        if let Some(v) = &self.surveys {
            c.surveys = v.clone();
        }
        c
    }
}

impl FileConfig {
    /// What printed documents carry and are set in (DOC-1): each
    /// `KAIDAN_COMPANY_*` / `KAIDAN_PRINT_*` variable over its key in the
    /// file; the demo company when neither names one.
    pub fn print_settings(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<kaidan_http::PrintSettings> {
        let file = self.company.clone().unwrap_or_default();
        let keys = [
            ("NAME", &file.name),
            ("ADDRESS", &file.address),
            ("PHONE", &file.phone),
            ("TAX_NUMBER", &file.tax_number),
            ("BANK", &file.bank),
            ("SEAL_IMAGE", &file.seal_image),
        ];
        let values: Vec<Option<String>> = keys
            .iter()
            .map(|(k, v)| env(&format!("KAIDAN_COMPANY_{k}")).or_else(|| (*v).clone()))
            .collect();
        let configured = self.company.is_some() || values.iter().any(Option::is_some);
        let value = |i: usize| values.get(i).cloned().flatten().unwrap_or_default();
        let mut company = if configured {
            kaidan_print::Company {
                name: value(0),
                address: value(1),
                phone: value(2),
                tax_number: value(3),
                bank: value(4),
                seal: kaidan_print::Seal::Drawn,
            }
        } else {
            kaidan_http::demo_company()
        };
        company.seal = match values.get(5).cloned().flatten() {
            None => kaidan_print::Seal::Drawn,
            Some(p) if p.trim().is_empty() || p.trim() == "none" => kaidan_print::Seal::None,
            Some(p) => {
                let bytes = std::fs::read(&p)
                    .with_context(|| format!("[company] seal_image: cannot read {p}"))?;
                anyhow::ensure!(
                    bytes.starts_with(b"\x89PNG"),
                    "[company] seal_image: {p} is not a PNG file"
                );
                kaidan_print::Seal::Png(bytes)
            }
        };
        let print = self.print.clone().unwrap_or_default();
        let index = match env("KAIDAN_PRINT_FONT_INDEX") {
            Some(i) => Some(
                i.trim()
                    .parse::<u32>()
                    .with_context(|| format!("KAIDAN_PRINT_FONT_INDEX: not a number: {i}"))?,
            ),
            None => print.font_index,
        };
        let font = kaidan_print::FontConfig {
            path: env("KAIDAN_PRINT_FONT")
                .filter(|p| !p.trim().is_empty())
                .map(PathBuf::from)
                .or(print.font),
            index,
        };
        Ok(kaidan_http::PrintSettings { company, font })
    }
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
        cfg.check()
            .with_context(|| format!("{} is not a valid Kaidan config", path.display()))?;
        Ok((cfg, Some(path)))
    }

    /// The bounds serde cannot check, each error naming its key.
    pub fn check(&self) -> anyhow::Result<()> {
        if let Some(a) = &self.allocation {
            a.check().map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        if let Some(f) = &self.finance {
            f.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        if let Some(e) = &self.events {
            e.check()?;
        }
        if let Some(a) = &self.after_sales {
            a.check().map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        if let Some(v) = &self.surveys {
            v.check().map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        if let Some(j) = &self.jobs {
            j.check()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ord_4_ord_5_review_rules_and_number_pattern_come_from_the_file() {
        let cfg: FileConfig = toml::from_str(
            r#"
            order_number_pattern = "XS{YYMMDD}{SEQ:5}"
            token_cache_seconds = 0
            [review]
            joint_review_threshold = "80000"
            overdue_tolerance_days = 10
            [deadlines]
            review_hours = 2
            "#,
        )
        .unwrap();
        let c = cfg.app_config();
        assert_eq!(c.numbering.to_string(), "XS{YYMMDD}{SEQ:5}");
        assert_eq!(c.token_cache_seconds, 0);
        assert_eq!(
            c.review.joint_review_threshold,
            kaidan_domain::Money::yuan(80_000)
        );
        assert_eq!(c.review.overdue_tolerance_days, 10);
        // Keys left out keep their defaults.
        let d = kaidan_app::AppConfig::default();
        assert_eq!(c.review.allowed_terms, d.review.allowed_terms);
        assert_eq!(c.deadlines.review_hours, 2);
        assert_eq!(c.deadlines.ship_working_days, d.deadlines.ship_working_days);
    }

    /// The example in docs/configuration.md is valid and spells the
    /// defaults.
    #[test]
    fn the_documented_example_parses_to_the_defaults() {
        let doc = include_str!("../../../docs/configuration.md");
        let start = doc.find("order_number_pattern = \"").unwrap();
        let end = start + doc[start..].find("```").unwrap();
        let cfg: FileConfig = toml::from_str(&doc[start..end]).unwrap();
        let c = cfg.app_config();
        let d = kaidan_app::AppConfig::default();
        assert_eq!(c.review, d.review);
        assert_eq!(c.deadlines, d.deadlines);
        assert_eq!(c.numbering, d.numbering);
        assert_eq!(c.job_interval_seconds, d.job_interval_seconds);
        assert_eq!(c.allocation, d.allocation);
        assert!(cfg.allocation.is_some(), "the example shows [allocation]");
        assert_eq!(c.finance, d.finance);
        assert!(cfg.finance.is_some(), "the example shows [finance]");
        let jobs = cfg.jobs.unwrap();
        assert!(jobs.enabled());
        assert_eq!(jobs.tick(), std::time::Duration::from_secs(15));
    }

    #[test]
    fn afs_1_afs_3_the_documented_after_sales_example_parses_and_is_checked() {
        let doc = include_str!("../../../docs/configuration.md");
        let start = doc.find("[after_sales]\nreturn_days").unwrap();
        let end = start + doc[start..].find("```").unwrap();
        let cfg: FileConfig = toml::from_str(&doc[start..end]).unwrap();
        assert!(cfg.check().is_ok());
        let c = cfg.app_config();
        assert_eq!(c.after_sales.policy_for("鞋类").warranty_days, 180);
        assert_eq!(c.after_sales.policy_for("服装").return_days, 7);
        assert_eq!(
            c.surveys,
            kaidan_domain::after_sales::SurveySettings::default()
        );
        let bad: FileConfig = toml::from_str(
            "[after_sales]\nreturn_days = 30\nwarranty_days = 7\n[surveys]\nsatisfied_from = 9",
        )
        .unwrap();
        let e = bad.check().unwrap_err().to_string();
        assert!(e.contains("after_sales.warranty_days"), "{e}");
    }

    #[test]
    fn alc_3_the_cumulative_period_comes_from_the_file_within_its_bounds() {
        let cfg: FileConfig = toml::from_str("[allocation]\ncumulative_period_days = 90").unwrap();
        assert!(cfg.check().is_ok());
        assert_eq!(cfg.app_config().allocation.cumulative_period_days, 90);
        let d = kaidan_app::AppConfig::default();
        assert_eq!(d.allocation.cumulative_period_days, 365);
        for bad in [0, -1, 3661] {
            let cfg: FileConfig =
                toml::from_str(&format!("[allocation]\ncumulative_period_days = {bad}")).unwrap();
            let e = cfg.check().unwrap_err().to_string();
            assert!(e.contains("allocation.cumulative_period_days"), "{e}");
        }
    }

    #[test]
    fn doc_1_company_and_font_come_from_the_file_and_the_environment() {
        let none = |_: &str| None;
        // Nothing configured: the demo company with a drawn seal.
        let d = FileConfig::default().print_settings(none).unwrap();
        assert_eq!(d.company.name, "开单示范贸易有限公司");
        assert!(d.company.address.contains("上海"));
        assert_eq!(d.company.seal, kaidan_print::Seal::Drawn);
        assert_eq!(d.font, kaidan_print::FontConfig::default());
        let cfg: FileConfig = toml::from_str(
            "[company]\nname = \"杭州某某服饰有限公司\"\nseal_image = \"none\"\n[print]\nfont = \"/fonts/a.ttc\"\nfont_index = 2",
        )
        .unwrap();
        let s = cfg.print_settings(none).unwrap();
        assert_eq!(s.company.name, "杭州某某服饰有限公司");
        assert_eq!(s.company.address, "", "no demo address once configured");
        assert_eq!(s.company.seal, kaidan_print::Seal::None);
        assert_eq!(s.font.path.as_deref(), Some(Path::new("/fonts/a.ttc")));
        assert_eq!(s.font.index, Some(2));
        // The environment wins over the file.
        let env = |k: &str| match k {
            "KAIDAN_COMPANY_NAME" => Some("环境公司".to_string()),
            "KAIDAN_PRINT_FONT" => Some("/env/font.ttf".to_string()),
            "KAIDAN_PRINT_FONT_INDEX" => Some("0".to_string()),
            _ => None,
        };
        let s = cfg.print_settings(env).unwrap();
        assert_eq!(s.company.name, "环境公司");
        assert_eq!(s.font.path.as_deref(), Some(Path::new("/env/font.ttf")));
        assert_eq!(s.font.index, Some(0));
        // A seal that is not there is an error naming the key.
        let bad: FileConfig =
            toml::from_str("[company]\nseal_image = \"/nonexistent/seal.png\"").unwrap();
        let e = bad.print_settings(none).unwrap_err().to_string();
        assert!(e.contains("seal_image"), "{e}");
        assert!(toml::from_str::<FileConfig>("[print]\nfonts = \"x\"").is_err());
    }

    #[test]
    fn pur_2_job_settings_come_from_the_file() {
        let cfg: FileConfig =
            toml::from_str("[jobs]\ninterval_seconds = 60\nnode = \"app-1\"\nenabled = false")
                .unwrap();
        assert_eq!(cfg.app_config().job_interval_seconds, 60);
        let jobs = cfg.jobs.unwrap();
        assert_eq!(jobs.node(), "app-1");
        assert!(!jobs.enabled());
        assert!(toml::from_str::<FileConfig>("[jobs]\nintervall = 5").is_err());
        // Out of bounds: an error naming the key, not a value made up.
        for (text, key) in [
            ("[jobs]\ninterval_seconds = 0", "interval_seconds"),
            ("[jobs]\ninterval_seconds = 99999999999", "interval_seconds"),
            ("[jobs]\ntick_seconds = 0", "tick_seconds"),
        ] {
            let cfg: FileConfig = toml::from_str(text).unwrap();
            let e = cfg.check().unwrap_err().to_string();
            assert!(e.contains("[jobs]") && e.contains(key), "{e}");
        }
    }

    #[test]
    fn a_bad_pattern_or_unknown_review_key_is_an_error_naming_it() {
        let e = toml::from_str::<FileConfig>(r#"order_number_pattern = "SO-{SEQ:6}-{WEEK}""#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("WEEK"), "{e}");
        let e = toml::from_str::<FileConfig>("[review]\njoint_threshold = 5")
            .unwrap_err()
            .to_string();
        assert!(e.contains("joint_threshold"), "{e}");
    }
}
