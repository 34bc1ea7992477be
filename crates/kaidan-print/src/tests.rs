//! DOC-1: documents render to PDF whose text (read back with pdftotext)
//! carries the Chinese title, the numbers and the totals, on as many pages
//! as the table needs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::testing::{pdf_text, squeezed};
use crate::*;

fn company(seal: Seal) -> Company {
    Company {
        name: "开单示范贸易有限公司".into(),
        address: "上海市浦东新区世纪大道 100 号".into(),
        phone: "021-5888 0000".into(),
        tax_number: "91310000MA1K000000".into(),
        bank: "中国工商银行上海分行 1001 2345 6789".into(),
        seal,
    }
}

fn document(rows: usize, seal: Seal) -> PrintDocument {
    PrintDocument {
        company: company(seal),
        title: "订单确认书".into(),
        subtitle: "Order confirmation".into(),
        number: "SO-20261204-000123".into(),
        meta: vec![
            ("订单日期 Date".into(), "2026-12-04".into()),
            ("付款条件 Terms".into(), "月结 Monthly settlement".into()),
            ("要求交货 Delivery".into(), "2026-12-10".into()),
        ],
        party: Some(Party {
            label: "购货单位 Buyer".into(),
            name: "杭州西湖加盟店".into(),
            address: "杭州市西湖区文三路 1 号".into(),
            tax_number: "91330100XXXX".into(),
            contact: "王经理 138 0000 0000".into(),
        }),
        table: Table {
            columns: vec![
                Column::new("行", Align::Right, 0.5),
                Column::new("品名 Product", Align::Left, 3.0),
                Column::new("数量 Qty", Align::Right, 1.0),
                Column::new("金额 Amount", Align::Right, 1.4),
            ],
            rows: (1..=rows)
                .map(|i| {
                    vec![
                        i.to_string(),
                        format!("纯棉衬衫 SKU-{i:04}"),
                        "2".into(),
                        format!("{}.50", 100 + i),
                    ]
                })
                .collect(),
        },
        totals: vec![
            ("不含税 Net".into(), "8,849.56".into()),
            ("税额 Tax".into(), "1,150.44".into()),
            ("价税合计 Total".into(), "¥10,000.00".into()),
        ],
        notes: vec!["请于收货后三日内核对数量，如有异议请联系销售代表。".into()],
        signatures: vec!["客户签收 Received by".into(), "日期 Date".into()],
    }
}

fn font() -> Option<PrintFont> {
    match load_font(&FontConfig::default()) {
        Ok(f) => Some(f),
        Err(e) if std::env::var_os("KAIDAN_BROWSER_TESTS").is_none() => {
            eprintln!("{e}: not checked");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn doc_1_a_one_page_document_carries_title_numbers_and_totals() {
    let Some(font) = font() else { return };
    let pdf = render_with(&document(3, Seal::Drawn), &font).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let Some(text) = pdf_text(&pdf) else { return };
    for want in [
        "订单确认书",
        "Order confirmation",
        "SO-20261204-000123",
        "开单示范贸易有限公司",
        "杭州西湖加盟店",
        "纯棉衬衫 SKU-0003",
        "103.50",
        "价税合计 Total",
        "¥10,000.00",
        "客户签收",
    ] {
        assert!(text.contains(want), "{want} missing in:\n{text}");
    }
    // pdftotext closes up the spaces between ideographs and digits.
    assert!(squeezed(&text).contains("第1页共1页"), "{text}");
}

#[test]
fn doc_1_a_long_table_runs_on_three_pages_with_its_header_repeated() {
    let Some(font) = font() else { return };
    let pdf = render_with(&document(90, Seal::Drawn), &font).unwrap();
    let Some(text) = pdf_text(&pdf) else { return };
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert_eq!(pages.len(), 3, "{text}");
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains("品名 Product"), "page {}: {page}", i + 1);
        assert!(
            squeezed(page).contains(&format!("第{}页共3页", i + 1)),
            "{page}"
        );
    }
    assert!(pages[1].contains("订单确认书（续）"), "{}", pages[1]);
    // Every row once, in order, and the totals after the last one.
    let flat = squeezed(&text);
    let mut at = 0;
    for i in 1..=90 {
        let row = format!("纯棉衬衫SKU-{i:04}");
        let found = flat[at..]
            .find(&row)
            .unwrap_or_else(|| panic!("{row} missing"));
        at += found + row.len();
    }
    assert!(flat[at..].contains("价税合计Total¥10,000.00"), "{flat}");
    assert!(pages[2].contains("客户签收"));
}

#[test]
fn doc_1_the_seal_can_be_a_png_or_none() {
    let Some(font) = font() else { return };
    // A 2x2 red PNG, built here rather than shipped as a file.
    let png = tiny_png();
    let with = render_with(&document(1, Seal::Png(png)), &font).unwrap();
    let without = render_with(&document(1, Seal::None), &font).unwrap();
    assert!(with.starts_with(b"%PDF") && without.starts_with(b"%PDF"));
    let bad = render_with(&document(1, Seal::Png(b"not a png".to_vec())), &font);
    assert!(matches!(bad, Err(PrintError::Seal(_))), "{bad:?}");
}

#[test]
fn doc_1_long_cells_wrap_within_their_column() {
    let Some(font) = font() else { return };
    let lines = crate::layout::wrap(&font, "一二三四五六七八九十 alpha beta", 10.0, 50.0);
    assert_eq!(lines[0], "一二三四五");
    assert!(
        lines.iter().all(|l| font.width(l, 10.0) <= 50.0),
        "{lines:?}"
    );
    assert_eq!(
        lines.concat().replace(' ', ""),
        "一二三四五六七八九十alphabeta"
    );
}

/// A valid 2x2 RGBA PNG: signature, IHDR, one stored-deflate IDAT, IEND.
fn tiny_png() -> Vec<u8> {
    fn crc(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for b in data {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc(&body).to_be_bytes());
    }
    let mut raw = Vec::new();
    for _ in 0..2 {
        raw.push(0u8);
        raw.extend([220, 20, 30, 255, 220, 20, 30, 255]);
    }
    // zlib: header, one stored block, adler32.
    let mut z = vec![0x78, 0x01, 0x01];
    z.extend((raw.len() as u16).to_le_bytes());
    z.extend((!(raw.len() as u16)).to_le_bytes());
    z.extend(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for x in &raw {
        a = (a + u32::from(*x)) % 65521;
        b = (b + a) % 65521;
    }
    z.extend(((b << 16) | a).to_be_bytes());
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let mut ihdr = Vec::new();
    ihdr.extend(2u32.to_be_bytes());
    ihdr.extend(2u32.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}
