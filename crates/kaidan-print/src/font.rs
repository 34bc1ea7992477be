//! The CJK font the documents are set in (DOC-1, ADR 0020): the configured
//! file first, else the first known system font; in a collection (TTC) the
//! face is found by its family name, not by a guessed index. A font is read
//! once per process and kept.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use skrifa::instance::{LocationRef, Size};
use skrifa::raw::FileRef;
use skrifa::{FontRef, MetadataProvider, string::StringId};

use crate::PrintError;

/// Where the font comes from: `[print] font` / `font_index` in kaidan.toml
/// (env `KAIDAN_PRINT_FONT`, `KAIDAN_PRINT_FONT_INDEX`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FontConfig {
    /// A TTF, OTF or TTC file; none: search the system.
    pub path: Option<PathBuf>,
    /// The face in a collection; none: found by family name.
    pub index: Option<u32>,
}

/// Where a system's CJK fonts are looked for, in order: Debian's and
/// Ubuntu's fonts-noto-cjk, then WenQuanYi, Droid and AR PL fallbacks.
pub const SYSTEM_FONTS: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
];

/// Family names preferred in a collection: Simplified Chinese first.
const FAMILIES: &[&str] = &[
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
];

/// A face that must be in the font for it to set a document.
const PROBE: &str = "开单订货总计";

/// A loaded face: what krilla embeds and what the layout measures with.
#[derive(Clone)]
pub struct PrintFont {
    data: Arc<Vec<u8>>,
    index: u32,
    pub(crate) krilla: krilla::text::Font,
    /// Where it was read from, and the face's family name.
    pub source: String,
}

impl std::fmt::Debug for PrintFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrintFont({})", self.source)
    }
}

impl PrintFont {
    /// Width of `text` at `size` points (advance widths, no kerning: CJK
    /// text is set on a fixed grid anyway).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let Ok(font) = FontRef::from_index(&self.data, self.index) else {
            return 0.0;
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        let upem = f32::from(
            font.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        let units: f32 = text
            .chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| metrics.advance_width(g))
                    .unwrap_or(upem / 2.0)
            })
            .sum();
        units * size / upem
    }
}

static LOADED: LazyLock<Mutex<HashMap<FontConfig, PrintFont>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The font for `config`, read on first use and kept for the process.
pub fn load_font(config: &FontConfig) -> Result<PrintFont, PrintError> {
    if let Ok(cache) = LOADED.lock()
        && let Some(f) = cache.get(config)
    {
        return Ok(f.clone());
    }
    let font = find(config)?;
    if let Ok(mut cache) = LOADED.lock() {
        cache.insert(config.clone(), font.clone());
    }
    Ok(font)
}

fn find(config: &FontConfig) -> Result<PrintFont, PrintError> {
    let mut searched = Vec::new();
    if let Some(path) = &config.path {
        return match read_face(path, config.index) {
            Ok(f) => Ok(f),
            Err(why) => Err(PrintError::NoFont {
                searched: format!("{} ({why})", path.display()),
            }),
        };
    }
    for p in SYSTEM_FONTS {
        match read_face(Path::new(p), config.index) {
            Ok(f) => return Ok(f),
            Err(why) => searched.push(format!("{p} ({why})")),
        }
    }
    Err(PrintError::NoFont {
        searched: searched.join(", "),
    })
}

/// The face of `path`: `index` when given, else the preferred family, else
/// the first face that has Chinese characters.
fn read_face(path: &Path, index: Option<u32>) -> Result<PrintFont, String> {
    let data = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "not found".to_string(),
        _ => e.to_string(),
    })?;
    let faces = match FileRef::new(&data).map_err(|e| format!("not a font: {e}"))? {
        FileRef::Font(_) => 1,
        FileRef::Collection(c) => c.len(),
    };
    let named: Vec<(u32, String, bool)> = (0..faces)
        .filter_map(|i| {
            let f = FontRef::from_index(&data, i).ok()?;
            let family = f
                .localized_strings(StringId::FAMILY_NAME)
                .english_or_first()
                .map(|s| s.to_string())
                .unwrap_or_default();
            let cjk = PROBE.chars().all(|c| f.charmap().map(c).is_some());
            Some((i, family, cjk))
        })
        .collect();
    let chosen = match index {
        Some(i) => named.iter().find(|(n, _, _)| *n == i),
        None => FAMILIES
            .iter()
            .find_map(|want| named.iter().find(|(_, fam, cjk)| fam == want && *cjk))
            .or_else(|| named.iter().find(|(_, _, cjk)| *cjk)),
    };
    let Some((index, family, cjk)) = chosen.cloned() else {
        return Err(match index {
            Some(i) => format!("no face {i} among {faces}"),
            None => "no face with Chinese characters".to_string(),
        });
    };
    if !cjk {
        return Err(format!("face {index} ({family}) has no Chinese characters"));
    }
    let data = Arc::new(data);
    let krilla = krilla::text::Font::new(data.clone().into(), index)
        .ok_or_else(|| format!("face {index} could not be read"))?;
    Ok(PrintFont {
        data,
        index,
        krilla,
        source: format!("{} #{index} ({family})", path.display()),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn doc_1_a_missing_configured_font_names_what_was_searched_and_the_key() {
        let err = load_font(&FontConfig {
            path: Some("/nonexistent/font.ttc".into()),
            index: None,
        })
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("/nonexistent/font.ttc"), "{text}");
        assert!(text.contains("[print] font"), "{text}");
        assert!(text.contains("KAIDAN_PRINT_FONT"), "{text}");
    }

    #[test]
    fn doc_1_a_collection_face_is_found_by_family_name() {
        let p = SYSTEM_FONTS[0];
        if !Path::new(p).exists() {
            return;
        }
        let f = load_font(&FontConfig::default()).unwrap();
        assert!(f.source.contains("Noto Sans CJK SC"), "{}", f.source);
        // Ideographs are one em wide.
        assert!((f.width("开单", 10.0) - 20.0).abs() < 0.01);
    }
}
