//! The daily sales report (销售日报, KPI-5): the `sales_daily_report` job
//! writes one per working day once the day is over, from the same counts as
//! the figures, and keeps it; managers read them back day by day.

use jiff::civil::Date;
use kaidan_domain::Permission;
use kaidan_domain::calendar::BusinessCalendar;
use kaidan_domain::figures::{
    Breakdown, DailySalesReport, Figure, FigurePeriod, GroupLine, TOP_CUSTOMERS, Tally,
    days_to_report,
};

use super::figure_error;
use crate::ports::Tx;
use crate::{App, AppError, AppResult, Ctx};

/// How many reported days the list shows.
const DAYS_LISTED: u32 = 400;

fn corrupt(day: Date, e: serde_json::Error) -> AppError {
    AppError::Store(crate::ports::StoreError::Corrupt(format!(
        "daily sales report {day}: {e}"
    )))
}

impl App {
    /// The groups of one figure over `period` for the whole company.
    async fn company_groups(
        &self,
        tx: &mut Box<dyn Tx>,
        figure: Figure,
        period: FigurePeriod,
        by: Breakdown,
    ) -> AppResult<Vec<GroupLine>> {
        let q = self.figure_query(figure, period, by, None)?;
        Ok(tx.figure_groups(&q).await?)
    }

    /// One day's report, counted now.
    async fn daily_report_of(
        &self,
        tx: &mut Box<dyn Tx>,
        day: Date,
    ) -> AppResult<DailySalesReport> {
        let one = FigurePeriod::new(day, day)?;
        let sum = |groups: &[GroupLine]| -> AppResult<Tally> {
            let mut t = Tally::default();
            for g in groups {
                t = t.checked_add(g.tally).map_err(figure_error)?;
            }
            Ok(t)
        };
        let orders = self
            .company_groups(tx, Figure::Accuracy, one, Breakdown::Clerk)
            .await?;
        let mut by_region = self
            .company_groups(tx, Figure::Sales, one, Breakdown::Region)
            .await?;
        let mut by_kind = self
            .company_groups(tx, Figure::Sales, one, Breakdown::CustomerKind)
            .await?;
        let mut customers = self
            .company_groups(tx, Figure::Sales, one, Breakdown::Customer)
            .await?;
        let month = FigurePeriod::new(day.first_of_month(), day)?;
        let mtd = self
            .company_groups(tx, Figure::Sales, month, Breakdown::CustomerKind)
            .await?;
        for list in [&mut by_region, &mut by_kind, &mut customers] {
            list.sort_by(|a, b| {
                b.tally
                    .amount
                    .cmp(&a.tally.amount)
                    .then_with(|| a.label.cmp(&b.label))
            });
        }
        customers.truncate(TOP_CUSTOMERS);
        Ok(DailySalesReport {
            day,
            generated_at: self.now(),
            orders: sum(&orders)?,
            sales: sum(&by_region)?,
            month_to_date: sum(&mtd)?,
            by_region,
            by_customer_kind: by_kind,
            top_customers: customers,
        })
    }

    /// The job: writes the report of every working day over and not yet
    /// reported (at most a month back); how many it wrote.
    pub(crate) async fn write_daily_reports_in(&self, tx: &mut Box<dyn Tx>) -> AppResult<usize> {
        let calendar = BusinessCalendar::new(tx.calendar_days().await?);
        let last = tx.daily_report_days(1).await?.first().copied();
        let mut written = 0;
        for day in days_to_report(last, self.today(), |d| calendar.is_working_day(d)) {
            let report = self.daily_report_of(tx, day).await?;
            let json = serde_json::to_string(&report).map_err(|e| corrupt(day, e))?;
            if tx
                .daily_report_insert(day, report.generated_at, &json)
                .await?
            {
                written += 1;
            }
        }
        Ok(written)
    }

    /// A day's report as it was written.
    pub async fn daily_sales_report(&self, ctx: &Ctx, day: Date) -> AppResult<DailySalesReport> {
        ctx.require(Permission::FiguresRead)?;
        let mut tx = self.store.read().await?;
        let Some(json) = tx.daily_report(day).await? else {
            return Err(AppError::NotFound {
                what: "daily sales report",
                id: day.to_string(),
            });
        };
        serde_json::from_str(&json).map_err(|e| corrupt(day, e))
    }

    /// The days with a report, newest first.
    pub async fn daily_sales_report_days(&self, ctx: &Ctx) -> AppResult<Vec<Date>> {
        ctx.require(Permission::FiguresRead)?;
        let mut tx = self.store.read().await?;
        Ok(tx.daily_report_days(DAYS_LISTED).await?)
    }
}
