//! The closed months a figure reads from their kept sums (ADR 0046): kept
//! the first time a reader needs them, each in its own short write, and
//! dropped by the store whenever a record they counted changes.

use jiff::{Timestamp, ToSpan};
use kaidan_domain::figures::{Figure, FigurePeriod, closed_months};

use crate::collection::start_of;
use crate::ports::FigureQuery;
use crate::{App, AppResult};

impl App {
    /// The closed months of `period` that `q` reads from their sums,
    /// keeping those not kept yet. A month that cannot be kept (or fails
    /// to) is read from the records: slower, never wrong.
    pub(crate) async fn kept_months(
        &self,
        q: &FigureQuery,
        period: FigurePeriod,
    ) -> Vec<(Timestamp, Timestamp)> {
        if q.figure == Figure::Satisfaction {
            return Vec::new();
        }
        let spans: Vec<(Timestamp, Timestamp)> = closed_months(period, self.today())
            .into_iter()
            .filter_map(|m| Some((start_of(m), start_of(m.checked_add(1.month()).ok()?))))
            .collect();
        if spans.is_empty() {
            return Vec::new();
        }
        let kept = match self.months_kept(q).await {
            Ok(k) => k,
            Err(e) => {
                tracing::warn!(error = %e, figure = %q.figure, "kept months not read");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for span in spans {
            if kept.contains(&span) {
                out.push(span);
                continue;
            }
            match self.keep_month(q, span).await {
                Ok(true) => out.push(span),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, figure = %q.figure, "month not kept"),
            }
        }
        out
    }

    /// Keeps the stock moves of the closed months of `period`, for the
    /// inventory turnover, each in its own short write.
    pub(crate) async fn keep_stock_months(&self, period: FigurePeriod) {
        let months = closed_months(period, self.today());
        let Some(first) = months.first() else {
            return;
        };
        let kept = async {
            let mut tx = self.store.read().await?;
            AppResult::Ok(tx.stock_months_kept(start_of(*first)).await?)
        };
        let kept = match kept.await {
            Ok(k) => k,
            Err(e) => {
                tracing::warn!(error = %e, "kept stock months not read");
                return;
            }
        };
        for m in months {
            let (from, Ok(next)) = (start_of(m), m.checked_add(1.month())) else {
                continue;
            };
            if kept.contains(&from) {
                continue;
            }
            let keep = async {
                let mut tx = self.store.write().await?;
                let kept = tx
                    .stock_month_keep(from, start_of(next), self.now())
                    .await?;
                tx.commit().await?;
                AppResult::Ok(kept)
            };
            if let Err(e) = keep.await {
                tracing::warn!(error = %e, "stock month not kept");
            }
        }
    }

    async fn months_kept(&self, q: &FigureQuery) -> AppResult<Vec<(Timestamp, Timestamp)>> {
        let mut tx = self.store.read().await?;
        Ok(tx.figure_months_kept(q).await?)
    }

    async fn keep_month(&self, q: &FigureQuery, span: (Timestamp, Timestamp)) -> AppResult<bool> {
        let mut tx = self.store.write().await?;
        let kept = tx.figure_month_keep(q, span.0, span.1).await?;
        tx.commit().await?;
        Ok(kept)
    }
}

impl App {
    /// Keeps the closed months that a reading of what was sold on `basis`
    /// by these buckets can take from their sums (ADR 0046), each in its
    /// own short write. One that cannot be kept is read from the records.
    pub(crate) async fn keep_target_months(
        &self,
        basis: kaidan_domain::targets::TargetBasis,
        bounds: &[jiff::civil::Date],
    ) {
        let months = kaidan_domain::figures::closed_months_within(bounds, self.today());
        let (Some(first), Some(last)) = (months.first(), bounds.last()) else {
            return;
        };
        let kept = async {
            let mut tx = self.store.read().await?;
            AppResult::Ok(tx.target_months_kept(basis, *first, *last).await?)
        };
        let kept = match kept.await {
            Ok(k) => k,
            Err(e) => {
                tracing::warn!(error = %e, basis = basis.as_str(), "kept target months not read");
                return;
            }
        };
        for m in months.into_iter().filter(|m| !kept.contains(m)) {
            let Ok(next) = m.checked_add(1.month()) else {
                continue;
            };
            let keep = async {
                let mut tx = self.store.write().await?;
                let kept = tx
                    .target_month_keep(basis, (m, start_of(m)), (next, start_of(next)), self.now())
                    .await?;
                tx.commit().await?;
                AppResult::Ok(kept)
            };
            if let Err(e) = keep.await {
                tracing::warn!(error = %e, basis = basis.as_str(), "target month not kept");
            }
        }
    }
}
