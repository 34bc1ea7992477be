//! The closed months a figure reads from their kept sums (ADR 0046): kept
//! the first time a reader needs them, each in its own short write, and
//! dropped by the store whenever a record they counted changes. A month
//! that cannot be kept (or fails to) is read from the records: slower,
//! never wrong.

use std::future::Future;
use std::pin::Pin;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use kaidan_domain::figures::{Figure, FigurePeriod, closed_months, closed_months_within};
use kaidan_domain::targets::TargetBasis;

use crate::collection::start_of;
use crate::ports::{FigureQuery, StoreError, Tx};
use crate::{App, AppResult};

/// One month's keeping, in the write it is given.
type Keeping<'a> = Pin<Box<dyn Future<Output = Result<bool, StoreError>> + Send + 'a>>;

/// A month's first day and the next month's.
fn month_of(m: Date) -> Option<(Date, Date)> {
    Some((m, m.checked_add(1.month()).ok()?))
}

impl App {
    /// Of `months`, those kept already (`kept`, as read) or kept now by
    /// `keep`, each in a write of its own.
    async fn keep_missing<M: Copy + PartialEq>(
        &self,
        what: &str,
        months: Vec<M>,
        kept: AppResult<Vec<M>>,
        keep: impl for<'a> Fn(&'a mut Box<dyn Tx>, M) -> Keeping<'a> + Send + Sync,
    ) -> Vec<M> {
        let kept = match kept {
            Ok(k) => k,
            Err(e) => {
                tracing::warn!(error = %e, what, "kept months not read");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for m in months {
            if kept.contains(&m) {
                out.push(m);
                continue;
            }
            let written = async {
                let mut tx = self.store.write().await?;
                let kept = keep(&mut tx, m).await?;
                tx.commit().await?;
                AppResult::Ok(kept)
            };
            match written.await {
                Ok(true) => out.push(m),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, what, "month not kept"),
            }
        }
        out
    }

    /// The closed months of `period` that `q` reads from their sums,
    /// keeping those not kept yet.
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
            .filter_map(month_of)
            .map(|(m, next)| (start_of(m), start_of(next)))
            .collect();
        if spans.is_empty() {
            return Vec::new();
        }
        let kept = async {
            let mut tx = self.store.read().await?;
            AppResult::Ok(tx.figure_months_kept(q).await?)
        };
        self.keep_missing(
            q.figure.as_str(),
            spans,
            kept.await,
            |tx: &mut Box<dyn Tx>, (from, to)| {
                let q = q.clone();
                Box::pin(async move { tx.figure_month_keep(&q, from, to).await })
            },
        )
        .await
    }

    /// Keeps the stock moves of the closed months of `period`, for the
    /// inventory turnover.
    pub(crate) async fn keep_stock_months(&self, period: FigurePeriod) {
        let months: Vec<(Date, Date)> = closed_months(period, self.today())
            .into_iter()
            .filter_map(month_of)
            .collect();
        let Some((first, _)) = months.first().copied() else {
            return;
        };
        let kept = async {
            let mut tx = self.store.read().await?;
            let firsts = tx.stock_months_kept(start_of(first)).await?;
            AppResult::Ok(
                months
                    .iter()
                    .copied()
                    .filter(|(m, _)| firsts.contains(&start_of(*m)))
                    .collect(),
            )
        };
        let now = self.now();
        self.keep_missing(
            "stock moves",
            months.clone(),
            kept.await,
            |tx: &mut Box<dyn Tx>, (m, next): (Date, Date)| {
                Box::pin(tx.stock_month_keep(start_of(m), start_of(next), now))
            },
        )
        .await;
    }

    /// Keeps the closed months that a reading of what was sold on `basis`
    /// by these buckets can take from their sums.
    pub(crate) async fn keep_target_months(&self, basis: TargetBasis, bounds: &[Date]) {
        let months: Vec<(Date, Date)> = closed_months_within(bounds, self.today())
            .into_iter()
            .filter_map(month_of)
            .collect();
        let (Some((first, _)), Some(last)) = (months.first().copied(), bounds.last()) else {
            return;
        };
        let kept = async {
            let mut tx = self.store.read().await?;
            let firsts = tx.target_months_kept(basis, first, *last).await?;
            AppResult::Ok(
                months
                    .iter()
                    .copied()
                    .filter(|(m, _)| firsts.contains(m))
                    .collect(),
            )
        };
        let now = self.now();
        self.keep_missing(
            basis.as_str(),
            months.clone(),
            kept.await,
            |tx: &mut Box<dyn Tx>, (m, next): (Date, Date)| {
                Box::pin(tx.target_month_keep(basis, (m, start_of(m)), (next, start_of(next)), now))
            },
        )
        .await;
    }
}
