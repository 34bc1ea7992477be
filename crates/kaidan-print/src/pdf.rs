//! Drawing the laid-out pages with krilla (DOC-1): text in the one CJK font
//! (embedded as a subset), rules, fills and the seal.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::text::TextDirection;
use krilla::{Document, SerializeSettings};

use crate::PrintError;
use crate::font::PrintFont;
use crate::layout::{Op, PAGE_H, PAGE_W, Page, Rgb, SEAL_RED};
use crate::model::Seal;

/// The pages as a PDF file.
pub fn write(pages: &[Page], font: &PrintFont, title: &str) -> Result<Vec<u8>, PrintError> {
    let mut document = Document::new_with(SerializeSettings::default());
    document.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .creator("Kaidan 开单".to_string()),
    );
    let settings =
        PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| PrintError::Pdf("page size".into()))?;
    for ops in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, font, op)?;
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| PrintError::Pdf(format!("{e:?}")))
}

fn fill(c: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(c.0, c.1, c.2).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::default(),
    }
}

fn stroke(c: Rgb, width: f32) -> Stroke {
    Stroke {
        paint: rgb::Color::new(c.0, c.1, c.2).into(),
        width,
        ..Stroke::default()
    }
}

fn draw(surface: &mut Surface<'_>, font: &PrintFont, op: &Op) -> Result<(), PrintError> {
    match op {
        Op::Text {
            x,
            y,
            size,
            text,
            color,
            bold,
        } => {
            if text.is_empty() {
                return Ok(());
            }
            surface.set_fill(Some(fill(*color)));
            // The one font has no bold face: a thin outline in the text's
            // colour thickens it.
            surface.set_stroke(bold.then(|| stroke(*color, size * 0.035)));
            surface.draw_text(
                Point::from_xy(*x, *y),
                font.krilla.clone(),
                *size,
                text,
                false,
                TextDirection::Auto,
            );
            surface.set_stroke(None);
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            color,
        } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y1);
            pb.line_to(*x2, *y2);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(stroke(*color, *width)));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Op::Fill { x, y, w, h, color } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x, *y);
            pb.line_to(x + w, *y);
            pb.line_to(x + w, y + h);
            pb.line_to(*x, y + h);
            pb.close();
            if let Some(path) = pb.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(fill(*color)));
                surface.draw_path(&path);
            }
        }
        Op::Seal {
            cx,
            cy,
            r,
            seal,
            name,
        } => match seal {
            Seal::None => {}
            Seal::Png(bytes) => seal_image(surface, bytes, *cx, *cy, *r)?,
            Seal::Drawn => drawn_seal(surface, font, name, *cx, *cy, *r),
        },
    }
    Ok(())
}

/// The company's seal image, fitted into the seal's circle.
fn seal_image(
    surface: &mut Surface<'_>,
    bytes: &[u8],
    cx: f32,
    cy: f32,
    r: f32,
) -> Result<(), PrintError> {
    let image = Image::from_png(bytes.to_vec().into(), true).map_err(PrintError::Seal)?;
    let (w, h) = image.size();
    let scale = 2.0 * r / (w.max(h).max(1) as f32);
    let (dw, dh) = (w as f32 * scale, h as f32 * scale);
    let size = Size::from_wh(dw, dh).ok_or_else(|| PrintError::Seal("empty image".into()))?;
    surface.push_transform(&Transform::from_translate(cx - dw / 2.0, cy - dh / 2.0));
    surface.draw_image(image, size);
    surface.pop();
    Ok(())
}

/// A round red seal: a ring, the company name along its upper arc, a star
/// in the middle, slightly transparent so the text under it shows.
fn drawn_seal(surface: &mut Surface<'_>, font: &PrintFont, name: &str, cx: f32, cy: f32, r: f32) {
    let Some(opacity) = NormalizedF32::new(0.85) else {
        return;
    };
    surface.push_opacity(opacity);
    let red = SEAL_RED;
    // The ring.
    if let Some(ring) = circle(cx, cy, r) {
        surface.set_fill(None);
        surface.set_stroke(Some(stroke(red, 2.4)));
        surface.draw_path(&ring);
        surface.set_stroke(None);
    }
    // The star.
    if let Some(star) = star(cx, cy, r * 0.3) {
        surface.set_fill(Some(fill(red)));
        surface.draw_path(&star);
    }
    // The name, one character at a time along the arc, tops outwards.
    let chars: Vec<char> = name.chars().collect();
    let n = chars.len().max(1) as f32;
    let size = if n <= 10.0 { r * 0.26 } else { r * 0.21 };
    let radius = r - 4.0 - size * 0.88;
    let step = (size * 1.15 / radius).min(std::f32::consts::PI * 1.3 / n);
    let first = -std::f32::consts::FRAC_PI_2 - step * (n - 1.0) / 2.0;
    surface.set_fill(Some(fill(red)));
    for (i, c) in chars.iter().enumerate() {
        let a = first + step * i as f32;
        let (x, y) = (cx + radius * a.cos(), cy + radius * a.sin());
        // Rotate so the character's up points away from the centre.
        let turn = a + std::f32::consts::FRAC_PI_2;
        let (s, co) = turn.sin_cos();
        surface.push_transform(&Transform::from_row(co, s, -s, co, x, y));
        let ch = c.to_string();
        let w = font.width(&ch, size);
        surface.draw_text(
            Point::from_xy(-w / 2.0, 0.0),
            font.krilla.clone(),
            size,
            &ch,
            false,
            TextDirection::Auto,
        );
        surface.pop();
    }
    surface.pop();
}

fn circle(cx: f32, cy: f32, r: f32) -> Option<krilla::geom::Path> {
    // Four cubic quarter arcs.
    let k = 0.552_284_8 * r;
    let mut pb = PathBuilder::new();
    pb.move_to(cx + r, cy);
    pb.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    pb.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    pb.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    pb.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    pb.close();
    pb.finish()
}

fn star(cx: f32, cy: f32, r: f32) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    for i in 0..10 {
        let a = -std::f32::consts::FRAC_PI_2 + i as f32 * std::f32::consts::PI / 5.0;
        let rr = if i % 2 == 0 { r } else { r * 0.4 };
        let (x, y) = (cx + rr * a.cos(), cy + rr * a.sin());
        if i == 0 {
            pb.move_to(x, y);
        } else {
            pb.line_to(x, y);
        }
    }
    pb.close();
    pb.finish()
}
