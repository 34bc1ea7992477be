//! Charts drawn on the server as SVG (no script, no CDN): bars for counts
//! and amounts, a line for a rate, both in the page's language.

/// One bar of a chart, in SVG coordinates.
#[derive(Debug, Clone)]
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
    /// Shown under the bar when there is room (every n-th bar).
    pub label: String,
    /// The bar's value, as its tooltip.
    pub title: String,
}

/// A bar chart with an optional line over it (a rate from 0 to 100 %).
#[derive(Debug, Clone)]
pub struct Chart {
    pub id: &'static str,
    pub width: i64,
    pub height: i64,
    pub base: i64,
    pub bars: Vec<Bar>,
    /// `x,y x,y ...` of the rate line; empty without one.
    pub line: String,
    /// The largest bar's value, written at the top of the axis.
    pub top: String,
    /// Whether a rate line is drawn (its 0–100 % scale on the right).
    pub rate_scale: bool,
    pub caption: String,
}

const PLOT_HEIGHT: i64 = 160;
const TOP: i64 = 16;
const LEFT: i64 = 48;

/// `values` as bars (scaled to the largest), `rates` (basis points, None
/// for a point without records) as a line; `labels` name the points.
pub fn bars_and_line(
    id: &'static str,
    caption: String,
    labels: &[String],
    values: &[(i64, String)],
    rates: Option<&[Option<i64>]>,
) -> Chart {
    let n = i64::try_from(labels.len()).unwrap_or(0).max(1);
    // Narrow bars for a month by day, wide ones for a year by month.
    let step = (720 / n).clamp(14, 64);
    let width = step * 7 / 10;
    let max = values.iter().map(|(v, _)| *v).max().unwrap_or(0).max(1);
    let base = TOP + PLOT_HEIGHT;
    let every = (n / 12).max(1);
    let bars = values
        .iter()
        .zip(labels)
        .enumerate()
        .map(|(i, ((v, title), label))| {
            let i = i64::try_from(i).unwrap_or(0);
            // i128: a value times the plot height may pass i64 for amounts.
            let h =
                i64::try_from(i128::from((*v).max(0)) * i128::from(PLOT_HEIGHT) / i128::from(max))
                    .unwrap_or(PLOT_HEIGHT);
            Bar {
                x: LEFT + i * step,
                y: base - h,
                width,
                height: h,
                label: if i % every == 0 {
                    short_label(label)
                } else {
                    String::new()
                },
                title: format!("{label}: {title}"),
            }
        })
        .collect::<Vec<_>>();
    let line = rates
        .map(|rates| {
            rates
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    let r = (*r)?;
                    let i = i64::try_from(i).ok()?;
                    let x = LEFT + i * step + width / 2;
                    let y = base - r.clamp(0, 10_000) * PLOT_HEIGHT / 10_000;
                    Some(format!("{x},{y}"))
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    Chart {
        id,
        width: LEFT + n * step + 16,
        height: base + 40,
        base,
        bars,
        line,
        // The scale's top: the largest count, or the largest amount as
        // written; the rate line's scale is 0–100 % on the right.
        top: if rates.is_some() {
            max.to_string()
        } else {
            values
                .iter()
                .max_by_key(|(v, _)| *v)
                .map(|(_, t)| t.clone())
                .unwrap_or_default()
        },
        rate_scale: rates.is_some(),
        caption,
    }
}

/// `2026-11-05` → `11-05`; a month stays `2026-11`.
fn short_label(label: &str) -> String {
    if label.len() == 10 {
        label[5..].to_string()
    } else {
        label.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_bar_fills_the_plot_and_a_rate_of_100_reaches_its_top() {
        let labels: Vec<String> = ["2026-01", "2026-02"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let c = bars_and_line(
            "t",
            "c".into(),
            &labels,
            &[(50, "50".into()), (100, "100".into())],
            Some(&[Some(10_000), None]),
        );
        assert_eq!(c.bars[1].height, PLOT_HEIGHT);
        assert_eq!(c.bars[0].height, PLOT_HEIGHT / 2);
        assert_eq!(c.line.split(' ').count(), 1);
        assert!(c.line.ends_with(&format!(",{TOP}")));
        assert_eq!(c.top, "100");
        assert!(c.rate_scale);
    }
}
