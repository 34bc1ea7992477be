//! Kaidan's printed documents (DOC-1, ADR 0020): a neutral document model
//! (`PrintDocument`) that each document (order confirmation, delivery note,
//! invoice…) is mapped to, and its rendering to PDF with krilla in a CJK
//! font found on the system or configured by path.
//!
//! An adapter: the layout knows nothing of orders or shipments;
//! `documents` maps the use cases' views (read by the HTTP layer) onto the
//! model, [`render`] sets it.

pub mod documents;
mod font;
mod layout;
mod model;
mod pdf;
pub mod testing;
#[cfg(test)]
mod tests;

pub use font::{FontConfig, PrintFont, SYSTEM_FONTS, load_font};
pub use model::{Align, Column, Company, Party, PrintDocument, Seal, Table};

/// Why a document could not be printed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PrintError {
    /// No usable CJK font: the one configured, or none of the system's.
    #[error(
        "no CJK font to print with (searched: {searched}); install fonts-noto-cjk or set [print] font = \"/path/to/font.ttc\" in kaidan.toml (env KAIDAN_PRINT_FONT, face index [print] font_index / KAIDAN_PRINT_FONT_INDEX)"
    )]
    NoFont { searched: String },
    /// The configured seal image cannot be used.
    #[error("the seal image is not a usable PNG: {0}")]
    Seal(String),
    /// krilla refused the document.
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// The document as PDF bytes, set in the font `font` names (loaded once).
pub fn render(doc: &PrintDocument, font: &FontConfig) -> Result<Vec<u8>, PrintError> {
    let font = load_font(font)?;
    render_with(doc, &font)
}

/// The document as PDF bytes in an already loaded font.
pub fn render_with(doc: &PrintDocument, font: &PrintFont) -> Result<Vec<u8>, PrintError> {
    let pages = layout::layout(doc, font);
    let title = format!("{} {}", doc.title, doc.number);
    pdf::write(&pages, font, &title)
}

/// Several documents in one PDF, each from a new page, in one font load.
pub fn render_many(
    docs: &[PrintDocument],
    font: &FontConfig,
    title: &str,
) -> Result<Vec<u8>, PrintError> {
    let font = load_font(font)?;
    let pages: Vec<_> = docs
        .iter()
        .flat_map(|doc| layout::layout(doc, &font))
        .collect();
    pdf::write(&pages, &font, title)
}
