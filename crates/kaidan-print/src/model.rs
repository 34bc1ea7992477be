//! The neutral document model every printed document is mapped to (DOC-1):
//! a company block, a title, meta pairs, a party, one table, totals, notes
//! and a signature line. A new document is one mapping function onto this
//! model; the layout is the renderer's.

/// The issuing company: the letterhead and the seal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Company {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub tax_number: String,
    /// Bank and account, one line.
    pub bank: String,
    pub seal: Seal,
}

/// The company's seal (公章) printed over the seller's signature on the
/// last page: documents are printed and stamped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Seal {
    /// No seal.
    None,
    /// A red ring with the company name and a star, drawn as vector paths.
    #[default]
    Drawn,
    /// The company's own seal image (PNG bytes, ideally with transparency).
    Png(Vec<u8>),
}

/// The other side of the document: buyer, consignee or debtor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    /// What the party is, e.g. "购货单位 Buyer".
    pub label: String,
    pub name: String,
    pub address: String,
    pub tax_number: String,
    pub contact: String,
}

/// How a column's cells sit in their box.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// One column of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    pub align: Align,
    /// Share of the table's width, relative to the other columns.
    pub weight: f32,
}

impl Column {
    pub fn new(title: impl Into<String>, align: Align, weight: f32) -> Self {
        Column {
            title: title.into(),
            align,
            weight,
        }
    }
}

/// The document's lines. Rows continue on the following pages with the
/// header repeated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    /// One string per column; a row shorter than the columns is padded.
    pub rows: Vec<Vec<String>>,
}

/// A document ready to print.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrintDocument {
    pub company: Company,
    /// Chinese title, e.g. 订单确认书.
    pub title: String,
    /// English subtitle, e.g. Order confirmation.
    pub subtitle: String,
    /// The document's number, also the PDF's file name.
    pub number: String,
    /// Label and value: date, customer, terms…
    pub meta: Vec<(String, String)>,
    pub party: Option<Party>,
    pub table: Table,
    /// Label and value, right-aligned under the table.
    pub totals: Vec<(String, String)>,
    /// Paragraphs under the totals.
    pub notes: Vec<String>,
    /// The boxes of the signature line, e.g. "客户签收 Received by",
    /// "日期 Date"; the seller's stamp box comes first on its own.
    pub signatures: Vec<String>,
}
