//! Layout: a `PrintDocument` onto A4 pages as drawing operations (DOC-1).
//! Page 1 carries the letterhead, title, meta, party; the table runs on as
//! many pages as it needs, its header repeated on each; totals, notes and
//! the signature line with the seal follow the last row, on a new page when
//! they do not fit; every page has "第 i 页 共 N 页".

use crate::font::PrintFont;
use crate::model::{Align, Column, PrintDocument, Seal};

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 42.0;
const MARGIN_TOP: f32 = 40.0;
/// The lowest a body line may reach; the footer sits below.
const BODY_BOTTOM: f32 = PAGE_H - 56.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;

const BODY: f32 = 9.0;
const SMALL: f32 = 8.0;
const CELL: f32 = 8.5;
const CELL_PAD: f32 = 3.5;

pub type Rgb = (u8, u8, u8);
pub const BLACK: Rgb = (0, 0, 0);
pub const GRAY: Rgb = (90, 90, 90);
pub const RULE: Rgb = (150, 150, 150);
pub const HEADER_FILL: Rgb = (232, 232, 232);
pub const SEAL_RED: Rgb = (206, 22, 32);

/// One drawing operation on a page; y grows downwards, text at its baseline.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        color: Rgb,
        bold: bool,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Rgb,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    /// The company seal centred at (cx, cy).
    Seal {
        cx: f32,
        cy: f32,
        r: f32,
        seal: Seal,
        name: String,
    },
}

pub type Page = Vec<Op>;

struct Writer<'a> {
    font: &'a PrintFont,
    doc: &'a PrintDocument,
    pages: Vec<Page>,
    y: f32,
}

/// The document's pages as drawing operations, footers included.
pub fn layout(doc: &PrintDocument, font: &PrintFont) -> Vec<Page> {
    let mut w = Writer {
        font,
        doc,
        pages: vec![Vec::new()],
        y: MARGIN_TOP,
    };
    w.first_header();
    w.table();
    w.closing();
    let n = w.pages.len();
    for (i, page) in w.pages.iter_mut().enumerate() {
        let footer = format!("第 {} 页 共 {} 页", i + 1, n);
        let fw = font.width(&footer, SMALL);
        page.push(text(
            (PAGE_W - fw) / 2.0,
            PAGE_H - 30.0,
            SMALL,
            footer,
            GRAY,
        ));
        page.push(text(
            MARGIN_X,
            PAGE_H - 30.0,
            SMALL,
            doc.number.clone(),
            GRAY,
        ));
        let right = format!("Page {} of {}", i + 1, n);
        let rw = font.width(&right, SMALL);
        page.push(text(
            PAGE_W - MARGIN_X - rw,
            PAGE_H - 30.0,
            SMALL,
            right,
            GRAY,
        ));
    }
    w.pages
}

fn text(x: f32, y: f32, size: f32, s: String, color: Rgb) -> Op {
    Op::Text {
        x,
        y,
        size,
        text: s,
        color,
        bold: false,
    }
}

fn bold(x: f32, y: f32, size: f32, s: String) -> Op {
    Op::Text {
        x,
        y,
        size,
        text: s,
        color: BLACK,
        bold: true,
    }
}

fn rule(x1: f32, x2: f32, y: f32, width: f32, color: Rgb) -> Op {
    Op::Line {
        x1,
        y1: y,
        x2,
        y2: y,
        width,
        color,
    }
}

impl Writer<'_> {
    fn push(&mut self, op: Op) {
        if let Some(p) = self.pages.last_mut() {
            p.push(op);
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP;
        self.continued_header();
    }

    /// Letterhead, title with number, meta pairs and the party.
    fn first_header(&mut self) {
        let c = &self.doc.company;
        self.y += 15.0;
        self.push(bold(MARGIN_X, self.y, 15.0, c.name.clone()));
        let lines = [
            [("地址 Address", &c.address), ("电话 Tel", &c.phone)],
            [("税号 Tax no.", &c.tax_number), ("开户行 Bank", &c.bank)],
        ];
        for pair in lines {
            let parts: Vec<String> = pair
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(l, v)| format!("{l}：{v}"))
                .collect();
            if parts.is_empty() {
                continue;
            }
            self.y += 12.0;
            self.push(text(MARGIN_X, self.y, SMALL, parts.join("    "), GRAY));
        }
        self.y += 8.0;
        self.push(rule(MARGIN_X, PAGE_W - MARGIN_X, self.y, 1.2, BLACK));
        // Title centred, number on the right.
        self.y += 26.0;
        let tw = self.font.width(&self.doc.title, 18.0);
        self.push(bold(
            (PAGE_W - tw) / 2.0,
            self.y,
            18.0,
            self.doc.title.clone(),
        ));
        let no = format!("No. {}", self.doc.number);
        let nw = self.font.width(&no, BODY);
        self.push(text(PAGE_W - MARGIN_X - nw, self.y, BODY, no, BLACK));
        if !self.doc.subtitle.is_empty() {
            self.y += 13.0;
            let sw = self.font.width(&self.doc.subtitle, BODY);
            self.push(text(
                (PAGE_W - sw) / 2.0,
                self.y,
                BODY,
                self.doc.subtitle.clone(),
                GRAY,
            ));
        }
        self.y += 8.0;
        self.meta();
        self.party();
        self.y += 8.0;
    }

    /// Meta pairs two to a row.
    fn meta(&mut self) {
        let half = CONTENT_W / 2.0;
        for chunk in self.doc.meta.chunks(2) {
            let mut height = 0usize;
            let mut ops = Vec::new();
            for (i, (label, value)) in chunk.iter().enumerate() {
                let x = MARGIN_X + half * i as f32;
                let lw = self.font.width(label, SMALL) + 6.0;
                let lines = wrap(self.font, value, BODY, half - lw - 8.0);
                ops.push(text(x, self.y + 13.0, SMALL, label.clone(), GRAY));
                for (k, l) in lines.iter().enumerate() {
                    ops.push(text(
                        x + lw,
                        self.y + 13.0 + 12.0 * k as f32,
                        BODY,
                        l.clone(),
                        BLACK,
                    ));
                }
                height = height.max(lines.len().max(1));
            }
            for op in ops {
                self.push(op);
            }
            self.y += 13.0 + 12.0 * (height - 1) as f32;
        }
    }

    /// The party in a box.
    fn party(&mut self) {
        let Some(p) = &self.doc.party else {
            return;
        };
        let top = self.y + 8.0;
        self.y = top + 14.0;
        self.push(bold(MARGIN_X + 6.0, self.y, BODY, p.label.clone()));
        let nw = self.font.width(&p.label, BODY) + 16.0;
        self.push(text(
            MARGIN_X + 6.0 + nw,
            self.y,
            BODY,
            p.name.clone(),
            BLACK,
        ));
        let rows = [
            ("地址 Address", &p.address),
            ("税号 Tax no.", &p.tax_number),
            ("联系人 Contact", &p.contact),
        ];
        for (label, value) in rows {
            if value.is_empty() {
                continue;
            }
            let lw = self.font.width(label, SMALL) + 6.0;
            for l in wrap(self.font, value, BODY, CONTENT_W - lw - 16.0) {
                self.y += 12.0;
                self.push(text(MARGIN_X + 6.0, self.y, SMALL, label.to_string(), GRAY));
                self.push(text(MARGIN_X + 6.0 + lw, self.y, BODY, l, BLACK));
            }
        }
        self.y += 7.0;
        let box_ops = [
            rule(MARGIN_X, PAGE_W - MARGIN_X, top, 0.6, RULE),
            rule(MARGIN_X, PAGE_W - MARGIN_X, self.y, 0.6, RULE),
            Op::Line {
                x1: MARGIN_X,
                y1: top,
                x2: MARGIN_X,
                y2: self.y,
                width: 0.6,
                color: RULE,
            },
            Op::Line {
                x1: PAGE_W - MARGIN_X,
                y1: top,
                x2: PAGE_W - MARGIN_X,
                y2: self.y,
                width: 0.6,
                color: RULE,
            },
        ];
        for op in box_ops {
            self.push(op);
        }
    }

    /// The header of a following page: company, title (continued), number.
    fn continued_header(&mut self) {
        self.y += 12.0;
        let d = self.doc;
        self.push(text(MARGIN_X, self.y, BODY, d.company.name.clone(), GRAY));
        let t = format!("{}（续） {} (continued)", d.title, d.subtitle);
        let tw = self.font.width(&t, BODY);
        self.push(bold((PAGE_W - tw) / 2.0, self.y, BODY, t));
        let no = format!("No. {}", d.number);
        let nw = self.font.width(&no, BODY);
        self.push(text(PAGE_W - MARGIN_X - nw, self.y, BODY, no, BLACK));
        self.y += 7.0;
        self.push(rule(MARGIN_X, PAGE_W - MARGIN_X, self.y, 0.8, BLACK));
        self.y += 10.0;
    }

    fn column_x(&self) -> Vec<(f32, f32)> {
        let cols: &[Column] = &self.doc.table.columns;
        let total: f32 = cols.iter().map(|c| c.weight.max(0.1)).sum();
        let mut x = MARGIN_X;
        cols.iter()
            .map(|c| {
                let w = CONTENT_W * c.weight.max(0.1) / total;
                let out = (x, w);
                x += w;
                out
            })
            .collect()
    }

    /// One row's cells wrapped to their columns; its height.
    fn cells(&self, row: &[String], xs: &[(f32, f32)]) -> (Vec<Vec<String>>, f32) {
        let cells: Vec<Vec<String>> = xs
            .iter()
            .enumerate()
            .map(|(i, (_, w))| {
                let s = row.get(i).map(String::as_str).unwrap_or("");
                wrap(self.font, s, CELL, w - 2.0 * CELL_PAD)
            })
            .collect();
        let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
        (cells, lines as f32 * 11.0 + 2.0 * CELL_PAD)
    }

    fn draw_row(&mut self, cells: Vec<Vec<String>>, xs: &[(f32, f32)], h: f32, head: bool) {
        let top = self.y;
        if head {
            self.push(Op::Fill {
                x: MARGIN_X,
                y: top,
                w: CONTENT_W,
                h,
                color: HEADER_FILL,
            });
        }
        let cols = &self.doc.table.columns;
        let mut ops = Vec::new();
        for (i, lines) in cells.into_iter().enumerate() {
            let (x, w) = xs[i];
            let align = if head { Align::Center } else { cols[i].align };
            for (k, l) in lines.into_iter().enumerate() {
                let lw = self.font.width(&l, CELL);
                let lx = match align {
                    Align::Left => x + CELL_PAD,
                    Align::Center => x + (w - lw) / 2.0,
                    Align::Right => x + w - CELL_PAD - lw,
                };
                let y = top + CELL_PAD + 8.5 + 11.0 * k as f32;
                ops.push(if head {
                    bold(lx, y, CELL, l)
                } else {
                    text(lx, y, CELL, l, BLACK)
                });
            }
        }
        for op in ops {
            self.push(op);
        }
        self.y = top + h;
        let width = if head { 0.8 } else { 0.4 };
        self.push(rule(MARGIN_X, PAGE_W - MARGIN_X, self.y, width, RULE));
        if head {
            self.push(rule(MARGIN_X, PAGE_W - MARGIN_X, top, 0.8, RULE));
        }
    }

    fn table_head(&mut self, xs: &[(f32, f32)]) {
        let titles: Vec<String> = self
            .doc
            .table
            .columns
            .iter()
            .map(|c| c.title.clone())
            .collect();
        let (cells, h) = self.cells(&titles, xs);
        self.draw_row(cells, xs, h, true);
    }

    /// The rows, continued on new pages with the header repeated.
    fn table(&mut self) {
        if self.doc.table.columns.is_empty() {
            return;
        }
        let xs = self.column_x();
        self.table_head(&xs);
        for row in &self.doc.table.rows {
            let (cells, h) = self.cells(row, &xs);
            if self.y + h > BODY_BOTTOM {
                self.new_page();
                self.table_head(&xs);
            }
            self.draw_row(cells, &xs, h, false);
        }
    }

    /// Totals, notes and the signature line with the seal, kept together.
    fn closing(&mut self) {
        let notes: Vec<String> = self
            .doc
            .notes
            .iter()
            .flat_map(|n| wrap(self.font, n, SMALL, CONTENT_W))
            .collect();
        let needed = 16.0 * self.doc.totals.len() as f32 + 11.0 * notes.len() as f32 + 125.0;
        if self.y + needed > BODY_BOTTOM {
            self.new_page();
        }
        let label_right = PAGE_W - MARGIN_X - 110.0;
        let count = self.doc.totals.len();
        for (i, (label, value)) in self.doc.totals.iter().enumerate() {
            self.y += 16.0;
            let lw = self.font.width(label, BODY);
            let last = i + 1 == count;
            let vw = self.font.width(value, if last { 10.0 } else { BODY });
            self.push(text(label_right - lw, self.y, BODY, label.clone(), GRAY));
            self.push(if last {
                bold(
                    PAGE_W - MARGIN_X - CELL_PAD - vw,
                    self.y,
                    10.0,
                    value.clone(),
                )
            } else {
                text(
                    PAGE_W - MARGIN_X - CELL_PAD - vw,
                    self.y,
                    BODY,
                    value.clone(),
                    BLACK,
                )
            });
        }
        if !notes.is_empty() {
            self.y += 8.0;
        }
        for n in notes {
            self.y += 11.0;
            self.push(text(MARGIN_X, self.y, SMALL, n, GRAY));
        }
        self.signatures();
    }

    /// The seller's stamp box and the document's signature boxes in a row.
    fn signatures(&mut self) {
        let mut boxes = vec!["销售方（盖章） Seller's stamp".to_string()];
        boxes.extend(self.doc.signatures.iter().cloned());
        let w = CONTENT_W / boxes.len() as f32;
        let line_y = self.y + 82.0;
        for (i, label) in boxes.iter().enumerate() {
            let x = MARGIN_X + w * i as f32;
            self.push(rule(x + 4.0, x + w - 12.0, line_y, 0.6, BLACK));
            for (k, l) in wrap(self.font, label, SMALL, w - 16.0)
                .into_iter()
                .enumerate()
            {
                self.push(text(
                    x + 4.0,
                    line_y + 12.0 + 10.0 * k as f32,
                    SMALL,
                    l,
                    GRAY,
                ));
            }
        }
        let seal = self.doc.company.seal.clone();
        if seal != Seal::None {
            self.push(Op::Seal {
                cx: MARGIN_X + w / 2.0,
                cy: line_y - 34.0,
                r: 40.0,
                seal,
                name: self.doc.company.name.clone(),
            });
        }
        self.y = line_y + 30.0;
    }
}

/// `s` broken into lines no wider than `max`: between ideographs anywhere,
/// in other text at spaces, a word too long for a line by characters.
pub fn wrap(font: &PrintFont, s: &str, size: f32, max: f32) -> Vec<String> {
    let mut out = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        for token in tokens(para) {
            let candidate = format!("{line}{token}");
            if font.width(&candidate, size) <= max || line.is_empty() && token.trim().is_empty() {
                line = candidate;
                continue;
            }
            if !line.trim().is_empty() {
                out.push(line.trim_end().to_string());
            }
            line = String::new();
            let token = token.trim_start();
            for c in token.chars() {
                let next = format!("{line}{c}");
                if font.width(&next, size) > max && !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                    line.push(c);
                } else {
                    line = next;
                }
            }
        }
        out.push(line.trim_end().to_string());
    }
    out
}

/// Words: each wide (CJK) character alone, other runs up to a space, the
/// space kept in front of the next word.
fn tokens(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if is_wide(c) {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            out.push(c.to_string());
        } else if c == ' ' {
            if !cur.trim().is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c);
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FFFF)
}
